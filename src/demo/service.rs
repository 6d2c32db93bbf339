//! The demo's service year: past months of activities with sign-ins and confirmed hours (some
//! confirmed late, some overdue, some months missed), today's activity under way, upcoming ones
//! open for sign-up (one full with a waiting list), a draft, a risky draft without insurance, a
//! cancelled one, and a dispatched action answered three ways.

use chrono::{Datelike, NaiveDate};

use crate::auth::Acting;
use crate::db::activities::ActivityFields;
use crate::db::audit::Actor;
use crate::db::campaigns::Campaign;
use crate::db::{activities, attendance, demo as store, signups, volunteers};
use crate::db::{Db, Tx};
use crate::domain::activity::{ActivityForm, AddedBy, OpenTo};
use crate::domain::campaign::Category;
use crate::domain::service::{format_local, parse_local, Dimension, Rules};
use crate::error::AppResult;
use crate::features::dispatches::{self, AnswerInput, DispatchInput, TeamCount};

/// An activity of a team at `starts` (epoch seconds) lasting `hours`.
pub fn fields(
    team_id: i64,
    title: &str,
    category: Category,
    dimension: Dimension,
    form: ActivityForm,
    starts: i64,
    hours: i64,
) -> ActivityFields {
    ActivityFields {
        team_id,
        co_team_ids: vec![],
        community_id: None,
        dispatch_id: None,
        title: title.into(),
        theme: String::new(),
        category,
        dimension,
        form,
        address: "明湖区春晓社区文化家园".into(),
        lat: None,
        lng: None,
        starts_at: starts,
        ends_at: starts + hours * 3600,
        capacity: 30,
        open_to: OpenTo::All,
        signup_opens_at: None,
        signup_closes_at: None,
        min_age: None,
        max_age: None,
        skills: String::new(),
        content: String::new(),
        risky: false,
        risk_statement: String::new(),
        insurance: String::new(),
        leader_name: String::new(),
        leader_phone: String::new(),
        code_rotates: false,
        geofence_m: None,
    }
}

const TITLES: [(&str, Category, Dimension, &str); 6] = [
    (
        "环境整治·清洁家园",
        Category::PublicAffairs,
        Dimension::Environment,
        "清理楼道堆物和绿化带垃圾，劝导垃圾分类",
    ),
    (
        "文明交通劝导",
        Category::Traffic,
        Dimension::Order,
        "路口劝导行人走斑马线、不闯红灯",
    ),
    (
        "助老义诊进社区",
        Category::HelpingWeak,
        Dimension::Service,
        "为社区老人量血压、测血糖、讲解用药",
    ),
    (
        "青少年课业辅导",
        Category::YouthGrowth,
        Dimension::Culture,
        "为双职工家庭孩子辅导作业",
    ),
    (
        "消防安全宣传演练",
        Category::Emergency,
        Dimension::Security,
        "讲解家庭消防常识，演练疏散",
    ),
    (
        "邻里文化节志愿服务",
        Category::CharityCulture,
        Dimension::Culture,
        "协助组织文艺演出和便民服务摊位",
    ),
];

/// Seeds the service year; `teams` are (team id, community paired with it) for the unit teams.
pub async fn seed(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    teams: &[(i64, Option<i64>)],
    volunteer_id: i64,
) -> anyhow::Result<()> {
    let rules = Rules::default();
    let now = crate::db::now();
    let today = NaiveDate::parse_from_str(&crate::domain::campaign::today(), "%Y-%m-%d")?;
    let month_of = |d: &NaiveDate| (d.year(), d.month());
    let this_month = month_of(&today);
    let days = crate::domain::calendar::concentrated_days(&campaign.activities_start, &campaign.activities_end);
    // The last month before this one: some teams still owe its hours.
    let last_month = days.iter().map(|(_, d)| month_of(d)).filter(|m| *m < this_month).max();
    for (ti, (team_id, community)) in teams.iter().enumerate() {
        let members: Vec<i64> = volunteers::members_in_tx(tx, *team_id)
            .await?
            .into_iter()
            .map(|m| m.volunteer.id)
            .collect();
        for (month, day) in &days {
            if month_of(day) >= this_month {
                continue;
            }
            // Some teams skip a month: the compliance grid shows it.
            if (ti + *month as usize).is_multiple_of(5) {
                continue;
            }
            let (title, category, dimension, content) = TITLES[(ti + *month as usize) % TITLES.len()];
            // Half the teams serve on the concentrated day, the others the Wednesday before.
            let on_day = ti % 2 == 0;
            let date = if on_day { *day } else { *day - chrono::Days::new(3) };
            let Some(starts) = parse_local(&format!("{} 09:00", date.format("%Y-%m-%d"))) else {
                continue;
            };
            let mut f = fields(
                *team_id,
                title,
                category,
                dimension,
                if on_day {
                    ActivityForm::Concentrated
                } else {
                    ActivityForm::Scattered
                },
                starts,
                3,
            );
            f.community_id = *community;
            f.content = content.into();
            f.capacity = members.len().max(1) as i64 + 5;
            let a = activities::insert_activity(
                tx,
                actor,
                campaign.id,
                &f,
                crate::domain::activity::ActivityStatus::Published,
            )
            .await?;
            for (k, v) in members.iter().enumerate() {
                signups::sign_up(tx, actor, &a, *v, AddedBy::Themselves).await?;
                // Most come; one in six does not.
                if (k + *month as usize) % 6 == 5 {
                    continue;
                }
                let late_in = (k as i64 % 3) * 10 * 60;
                attendance::sign_in(
                    tx,
                    actor,
                    &a,
                    *v,
                    starts - 15 * 60 + late_in,
                    crate::domain::attendance::Method::Scan,
                    None,
                )
                .await?;
                // One in five forgets to sign out: signed out at the end and flagged.
                if (k + ti) % 5 != 4 {
                    attendance::sign_out(tx, actor, &a, &rules, *v, a.ends_at - (k as i64 % 4) * 20 * 60, false)
                        .await?;
                }
            }
            attendance::close_open_attendance(tx, actor, &a, &rules).await?;
            // The last finished month of some teams is still waiting for its hours.
            let pending = ti % 6 == 5 && Some(month_of(day)) == last_month;
            if !pending {
                attendance::confirm_hours(tx, actor, &a).await?;
                // Most confirm within days; one team in seven is late.
                let delay = if ti % 7 == 3 { 20 * 86400 } else { 2 * 86400 };
                store::backdate_completed(tx, a.id, a.ends_at + delay).await?;
            }
        }
    }
    // The demo volunteer served twice with the first team.
    let first = teams[0].0;
    for (back, title) in [(40, "助老义诊进社区"), (12, "环境整治·清洁家园")] {
        let starts = day_at(now, -back, 9);
        let mut f = fields(
            first,
            title,
            Category::HelpingWeak,
            Dimension::Service,
            ActivityForm::Scattered,
            starts,
            3,
        );
        f.content = "为社区老人量血压、讲解用药".into();
        f.leader_name = "李志强".into();
        let a = activities::insert_activity(
            tx,
            actor,
            campaign.id,
            &f,
            crate::domain::activity::ActivityStatus::Published,
        )
        .await?;
        signups::sign_up(tx, actor, &a, volunteer_id, AddedBy::Themselves).await?;
        attendance::sign_in(
            tx,
            actor,
            &a,
            volunteer_id,
            starts - 600,
            crate::domain::attendance::Method::Scan,
            None,
        )
        .await?;
        attendance::sign_out(tx, actor, &a, &rules, volunteer_id, a.ends_at - 1200, false).await?;
        attendance::confirm_hours(tx, actor, &a).await?;
        activities::set_status(tx, actor, &a, crate::domain::activity::ActivityStatus::Completed, "").await?;
        activities::set_summary(
            tx,
            actor,
            &a,
            "为 42 位老人测量血压血糖，发放健康手册 60 册。",
            Some(42),
        )
        .await?;
    }
    // Under way now: the volunteer is signed up and can scan in.
    let hour = now - now % 3600;
    let mut f = fields(
        first,
        "社区图书角整理",
        Category::CharityCulture,
        Dimension::Culture,
        ActivityForm::Scattered,
        hour - 3600,
        4,
    );
    f.content = "整理社区图书角，登记新捐赠图书".into();
    let a = activities::insert_activity(
        tx,
        actor,
        campaign.id,
        &f,
        crate::domain::activity::ActivityStatus::Published,
    )
    .await?;
    signups::sign_up(tx, actor, &a, volunteer_id, AddedBy::Themselves).await?;
    // Upcoming and open for sign-up.
    let mut f = fields(
        first,
        "周末文明交通劝导",
        Category::Traffic,
        Dimension::Order,
        ActivityForm::Scattered,
        day_at(now, 3, 9),
        2,
    );
    f.address = "明湖大道与湖滨路交叉口".into();
    f.content = "路口劝导行人和非机动车文明出行".into();
    f.capacity = 12;
    f.lat = Some(30.2741);
    f.lng = Some(120.1551);
    f.geofence_m = Some(300);
    f.code_rotates = true;
    activities::insert_activity(
        tx,
        actor,
        campaign.id,
        &f,
        crate::domain::activity::ActivityStatus::Published,
    )
    .await?;
    // A full one with a waiting list.
    let members = volunteers::members_in_tx(tx, first).await?;
    let mut f = fields(
        first,
        "重阳敬老院慰问",
        Category::HelpingWeak,
        Dimension::Service,
        ActivityForm::Scattered,
        day_at(now, 5, 14),
        3,
    );
    f.capacity = 3;
    f.content = "陪老人聊天、表演节目".into();
    let a = activities::insert_activity(
        tx,
        actor,
        campaign.id,
        &f,
        crate::domain::activity::ActivityStatus::Published,
    )
    .await?;
    for m in members.iter().take(5) {
        signups::sign_up(tx, actor, &a, m.volunteer.id, AddedBy::Themselves).await?;
    }
    // A draft, a risky draft without insurance, and a cancelled one.
    let f = fields(
        first,
        "冬季送温暖（草稿）",
        Category::HelpingWeak,
        Dimension::Service,
        ActivityForm::Scattered,
        day_at(now, 10, 9),
        3,
    );
    activities::insert_activity(
        tx,
        actor,
        campaign.id,
        &f,
        crate::domain::activity::ActivityStatus::Draft,
    )
    .await?;
    let mut f = fields(
        first,
        "防汛应急演练",
        Category::Emergency,
        Dimension::Security,
        ActivityForm::Scattered,
        day_at(now, 12, 15),
        4,
    );
    f.risky = true;
    f.risk_statement = "河道边作业，有落水风险；须穿救生衣，听从指挥。".into();
    activities::insert_activity(
        tx,
        actor,
        campaign.id,
        &f,
        crate::domain::activity::ActivityStatus::Draft,
    )
    .await?;
    let f = fields(
        teams[1].0,
        "广场舞文明劝导",
        Category::PublicAffairs,
        Dimension::Order,
        ActivityForm::Scattered,
        day_at(now, 2, 10),
        2,
    );
    let a = activities::insert_activity(
        tx,
        actor,
        campaign.id,
        &f,
        crate::domain::activity::ActivityStatus::Published,
    )
    .await?;
    activities::set_status(
        tx,
        actor,
        &a,
        crate::domain::activity::ActivityStatus::Cancelled,
        "暴雨预警，活动延期",
    )
    .await?;
    Ok(())
}

/// A dispatched action, created by the district and answered through the same service as on
/// the site: the second team accepted with three named volunteers, the third declined (waiting
/// for review), the first has still to answer.
pub async fn dispatch(db: &Db, admin: &Acting, teams: &[(i64, Option<i64>)]) -> AppResult<()> {
    let now = crate::db::now();
    let starts = day_at(now, 7, 9);
    let input = DispatchInput {
        title: Some("火车站周边文明劝导联合行动".into()),
        target: Some("火车站周边".into()),
        description: Some("春运前集中整治站前广场秩序，劝导文明出行。".into()),
        category: Some("traffic".into()),
        dimension: Some("order".into()),
        address: Some("明湖火车站站前广场".into()),
        starts_at: Some(format_local(starts)),
        ends_at: Some(format_local(starts + 3 * 3600)),
        teams: teams
            .iter()
            .take(3)
            .map(|(team_id, _)| TeamCount {
                team_id: *team_id,
                required: 3,
            })
            .collect(),
    };
    let d = dispatches::create(db, admin, &input).await?;
    if let Some((team, _)) = teams.get(1) {
        let named = volunteers::members(db, *team).await?;
        let accept = AnswerInput {
            answer: "accept".into(),
            volunteer_ids: named.iter().take(3).map(|m| m.volunteer.id).collect(),
            reason: None,
        };
        dispatches::answer(db, admin, d.dispatch.id, *team, &accept).await?;
    }
    if let Some((team, _)) = teams.get(2) {
        let decline = AnswerInput {
            answer: "decline".into(),
            volunteer_ids: vec![],
            reason: Some("当天全队承担全市法院系统业务考核，人员无法抽调。".into()),
        };
        dispatches::answer(db, admin, d.dispatch.id, *team, &decline).await?;
    }
    Ok(())
}

/// `hour` o'clock (China time) on the day `days` after the one `now` falls on: the demo's
/// activities are in daytime whenever the demo is made.
fn day_at(now: i64, days: i64, hour: u32) -> i64 {
    let date = crate::domain::dates::local(now).date() + chrono::Duration::days(days);
    parse_local(&format!("{date} {hour:02}:00")).unwrap_or(now)
}
