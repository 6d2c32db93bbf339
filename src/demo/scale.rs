//! `leifeng demo --scale district`: a district at realistic scale for measuring — about 100,000
//! volunteers, 300 units, 20,000 activities and 1,000,000 sign-ins over the year — plus a
//! concentrated day under way at the time of the run: 200 activities and 10,000 signed-up
//! volunteers, each with an API token, so a load generator can replay the morning.
//!
//! The org tree and teams go through the audited functions; the bulk (volunteers, activities,
//! sign-ins) is written in large multi-row statements with the ids chosen here, and the load is
//! summarised by one audit entry.

use std::io::Write as _;
use std::path::Path;

use crate::auth::{new_token, token_hash};
use crate::db::audit::{self, Actor, Subject};
use crate::db::communities::CommunityFields;
use crate::db::demo::{self as store, max_id, Bulk, BulkTable, OrgTable};
use crate::db::teams::TeamFields;
use crate::db::units::UnitFields;
use crate::db::{campaigns, communities, pairings, teams, units};
use crate::db::{now, Db};
use crate::domain::activity::{ActivityForm, OpenTo};
use crate::domain::campaign::{Categories, Category};
use crate::domain::dates::month_key;
use crate::domain::org::UnitLevel;
use crate::domain::service::Dimension;
use crate::row;

/// How big a district to make.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub units: usize,
    pub communities: usize,
    pub volunteers: usize,
    pub activities: usize,
    pub signins: usize,
    pub live_activities: usize,
    pub live_signups: usize,
}

impl Sizes {
    /// The district of the service issue.
    pub fn district() -> Sizes {
        Sizes {
            units: 300,
            communities: 100,
            volunteers: 100_000,
            activities: 20_000,
            signins: 1_000_000,
            live_activities: 200,
            live_signups: 10_000,
        }
    }

    /// A tenth of it, for quick runs.
    pub fn small() -> Sizes {
        Sizes {
            units: 60,
            communities: 30,
            volunteers: 10_000,
            activities: 2_000,
            signins: 100_000,
            live_activities: 20,
            live_signups: 1_000,
        }
    }
}

/// What was made.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub units: usize,
    pub communities: usize,
    pub teams: usize,
    pub volunteers: usize,
    pub activities: usize,
    pub signins: usize,
    pub live_activities: usize,
    pub live_signups: usize,
    /// `API_TOKEN ACTIVITY_ID` for each live sign-up.
    pub tokens: Vec<(String, i64)>,
}

const SURNAMES: &str =
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢";
const GIVEN: &str =
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玉兰志红斌波宁健云海燕鹏飞雪梅琳晨阳欣怡浩宇佳";

fn name(i: usize) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    let g: Vec<char> = GIVEN.chars().collect();
    let mut out = String::new();
    out.push(s[i % s.len()]);
    out.push(g[(i / s.len()) % g.len()]);
    if !i.is_multiple_of(3) {
        out.push(g[(i / 7 + 3) % g.len()]);
    }
    out
}

/// China-time 09:00 (or 14:00) of a date, as epoch seconds.
fn at(date: chrono::NaiveDate, hour: u32) -> i64 {
    date.and_hms_opt(hour, 0, 0)
        .map(|t| t.and_utc().timestamp() - 8 * 3600)
        .unwrap_or(0)
}

/// Grows the district to `sizes` and seeds the live concentrated day; `tokens_out` gets one
/// `API_TOKEN ACTIVITY_ID` line per live sign-up.
pub async fn district(db: &Db, sizes: Sizes, tokens_out: Option<&Path>) -> anyhow::Result<Report> {
    crate::demo::seed_and_print(db).await?;
    let campaign = campaigns::active_campaign(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no active campaign: start with an empty database"))?;
    let already = store::volunteer_count(db).await?;
    if already > 1000 {
        anyhow::bail!("this database already holds {already} volunteers: run the scale demo on an empty database");
    }
    let actor = Actor::system("demo-scale");
    let mut report = Report::default();
    let t0 = now();

    // The org tree: more communities and units, paired, each with a team (audited writes).
    let mut tx = db.begin().await?;
    let street_ids = store::ids(&mut tx, OrgTable::Streets).await?;
    let mut communities = store::ids(&mut tx, OrgTable::Communities).await?;
    while communities.len() < sizes.communities {
        let n = communities.len() + 1;
        let f = CommunityFields {
            street_id: street_ids[n % street_ids.len()],
            name: format!("第{n}社区"),
            address: format!("明湖区建设路{n}号"),
            contact_person: name(n + 500),
            contact_phone: format!("139{:08}", 40_000_000 + n),
        };
        communities.push(communities::create_community(&mut tx, &actor, &f).await?.id);
    }
    let mut units = store::ids(&mut tx, OrgTable::Units).await?;
    while units.len() < sizes.units {
        let n = units.len() + 1;
        let f = UnitFields {
            name: format!("明湖区第{n}文明单位"),
            level: UnitLevel::ALL[n % 3],
            kind: ["机关", "企业", "学校", "事业单位"][n % 4].into(),
            address: format!("明湖区人民路{}号", 500 + n),
            contact_person: name(n + 900),
            contact_phone: format!("139{:08}", 50_000_000 + n),
        };
        let u = units::create_unit(&mut tx, &actor, &f).await?.id;
        pairings::create_pairing(&mut tx, &actor, u, communities[n % communities.len()]).await?;
        units.push(u);
    }
    let has_team = store::team_orgs(&mut tx, campaign.id).await?;
    for (i, u) in units.iter().enumerate() {
        if has_team.iter().any(|(x, _)| *x == Some(*u)) {
            continue;
        }
        let f = TeamFields {
            name: format!("单位{u}学雷锋志愿服务队"),
            leader_name: name(i + 2000),
            leader_phone: format!("137{:08}", 10_000_000 + i),
            contact_name: name(i + 3000),
            contact_phone: format!("137{:08}", 20_000_000 + i),
            categories: Categories(vec![Category::PublicAffairs, Category::HelpingWeak]),
            founded_on: campaign.formation_due.clone(),
        };
        teams::create_team(&mut tx, &actor, campaign.id, Some(*u), None, &f).await?;
    }
    for (i, c) in communities.iter().enumerate() {
        if has_team.iter().any(|(_, x)| *x == Some(*c)) {
            continue;
        }
        let f = TeamFields {
            name: format!("社区{c}居民志愿服务队"),
            leader_name: name(i + 4000),
            leader_phone: format!("136{:08}", 10_000_000 + i),
            contact_name: name(i + 5000),
            contact_phone: format!("136{:08}", 20_000_000 + i),
            categories: Categories(vec![Category::MutualHelp]),
            founded_on: campaign.formation_due.clone(),
        };
        teams::create_team(&mut tx, &actor, campaign.id, None, Some(*c), &f).await?;
    }
    tx.commit().await?;
    report.units = units.len();
    report.communities = communities.len();

    let teams = store::teams_with_community(db, campaign.id).await?;
    report.teams = teams.len();
    let nteams = teams.len();

    // Volunteers, spread over the teams; one in twenty a manager.
    let mut tx = db.begin().await?;
    let v0 = max_id(&mut tx, BulkTable::Volunteers).await? + 1;
    let m0 = max_id(&mut tx, BulkTable::TeamMembers).await? + 1;
    let mut vols = Bulk::volunteers();
    let mut mems = Bulk::team_members();
    let mut members_of: Vec<Vec<i64>> = vec![vec![]; nteams];
    for i in 0..sizes.volunteers {
        let id = v0 + i as i64;
        let birth = format!("{}-{:02}-{:02}", 1950 + (i % 55), 1 + i % 12, 1 + i % 28);
        vols.push(
            &mut tx,
            row![
                id,
                format!("LF{id:08}"),
                name(i),
                if i % 2 == 0 { "M" } else { "F" },
                birth,
                format!("1{}{:09}", 3 + i % 7, i),
                t0,
                t0,
                t0
            ],
        )
        .await?;
        let team = i % nteams;
        members_of[team].push(id);
        mems.push(
            &mut tx,
            row![m0 + i as i64, teams[team].0, id, (i / nteams).is_multiple_of(20), t0],
        )
        .await?;
    }
    vols.flush(&mut tx).await?;
    mems.flush(&mut tx).await?;
    tx.commit().await?;
    report.volunteers = sizes.volunteers;

    // The year's activities: the past ones held, with sign-ins and confirmed hours.
    let start = chrono::NaiveDate::parse_from_str(&campaign.activities_start, "%Y-%m-%d")?;
    let end = chrono::NaiveDate::parse_from_str(&campaign.activities_end, "%Y-%m-%d")?;
    let span_days = (end - start).num_days().max(1) as usize;
    let history = sizes.activities.saturating_sub(sizes.live_activities);
    let t = now();
    let mut past = 0usize;
    let mut plan: Vec<(i64, usize, i64)> = Vec::with_capacity(history); // (starts, team, ends)
    for k in 0..history {
        let day = start + chrono::Days::new(((k * 7919) % (span_days + 1)) as u64);
        let starts = at(day, if k % 2 == 0 { 9 } else { 14 });
        let ends = starts + 3 * 3600;
        if ends <= t {
            past += 1;
        }
        plan.push((starts, k % nteams, ends));
    }
    let per_past = sizes.signins.checked_div(past).unwrap_or(0);
    let mut extra = if past == 0 { 0 } else { sizes.signins % past };
    let mut tx = db.begin().await?;
    let a0 = max_id(&mut tx, BulkTable::Activities).await? + 1;
    let x0 = max_id(&mut tx, BulkTable::Attendance).await? + 1;
    let mut acts = Bulk::held_activities();
    let mut ateams = Bulk::activity_teams();
    let mut atts = Bulk::attendance();
    let titles = [
        ("环境整治·清洁家园", Category::PublicAffairs, Dimension::Environment),
        ("文明交通劝导", Category::Traffic, Dimension::Order),
        ("助老义诊", Category::HelpingWeak, Dimension::Service),
        ("青少年课业辅导", Category::YouthGrowth, Dimension::Culture),
        ("消防安全宣传", Category::Emergency, Dimension::Security),
        ("社区文化活动服务", Category::CharityCulture, Dimension::Culture),
    ];
    let mut xid = x0;
    for (k, (starts, team, ends)) in plan.iter().enumerate() {
        let id = a0 + k as i64;
        let (title, category, dimension) = titles[k % titles.len()];
        let held = *ends <= t;
        let members = &members_of[*team];
        let mut n = if held { per_past } else { 0 };
        if held && extra > 0 {
            n += 1;
            extra -= 1;
        }
        let n = n.min(members.len());
        let community = teams[*team].1.or(teams[*team].2);
        let local = crate::domain::dates::local(*starts).date();
        let (day, month) = (local.format("%Y-%m-%d").to_string(), month_key(local));
        // One activity in forty has its hours still unconfirmed.
        let confirmed = held && k % 40 != 7;
        let confirmed_at = confirmed.then_some(ends + 2 * 86400);
        let secret = &new_token()[..32];
        acts.push(
            &mut tx,
            row![
                id,
                campaign.id,
                teams[*team].0,
                community,
                title,
                category.code(),
                dimension.code(),
                if k % 3 == 0 {
                    ActivityForm::Concentrated
                } else {
                    ActivityForm::Scattered
                }
                .as_str(),
                format!("明湖区服务点{}号", k % 500),
                *starts,
                *ends,
                month.as_str(),
                day.as_str(),
                n.max(20) + 10,
                n,
                n,
                OpenTo::All.as_str(),
                if held && confirmed { "completed" } else { "published" },
                secret,
                confirmed_at,
                if confirmed { "demo-scale" } else { "" },
                confirmed_at,
                name(k + 7000),
                "",
                t0,
                t0
            ],
        )
        .await?;
        ateams.push(&mut tx, row![id, teams[*team].0]).await?;
        // Members in turn, starting at a different place each time.
        let offset = (k * 31) % members.len().max(1);
        for j in 0..n {
            let v = members[(offset + j) % members.len()];
            let signed_in = starts - 600 + (j as i64 % 5) * 120;
            let signed_out = ends - (j as i64 % 4) * 600;
            let minutes = ((signed_out - (*starts).max(signed_in)) + 450) / 900 * 15;
            atts.hold(row![
                xid,
                id,
                v,
                signed_in,
                signed_out,
                "scan",
                month.as_str(),
                false,
                minutes,
                confirmed_at,
                signed_in
            ]);
            xid += 1;
        }
        // Sign-ins refer to their activities: those go first.
        if atts.full() {
            acts.flush(&mut tx).await?;
            ateams.flush(&mut tx).await?;
            atts.flush(&mut tx).await?;
        }
    }
    acts.flush(&mut tx).await?;
    ateams.flush(&mut tx).await?;
    atts.flush(&mut tx).await?;
    tx.commit().await?;
    report.activities = history;
    report.signins = (xid - x0) as usize;

    // The concentrated day under way now: 200 activities, 10,000 signed-up volunteers with tokens.
    let live_start = t - 600;
    let live_end = t + 3 * 3600;
    let per_live = sizes.live_signups / sizes.live_activities.max(1);
    let hash = crate::auth::hash_password(&new_token())?;
    let mut tx = db.begin().await?;
    let a1 = max_id(&mut tx, BulkTable::Activities).await? + 1;
    let u0 = max_id(&mut tx, BulkTable::Users).await? + 1;
    let s0 = max_id(&mut tx, BulkTable::Signups).await? + 1;
    let mut acts = Bulk::live_activities();
    let mut ateams = Bulk::activity_teams();
    let mut users = Bulk::users();
    let mut sessions = Bulk::sessions();
    let mut signups = Bulk::signups();
    let mut links: Vec<(i64, i64)> = vec![];
    let local = crate::domain::dates::local(live_start).date();
    let (day, month) = (local.format("%Y-%m-%d").to_string(), month_key(local));
    let mut uid = u0;
    let mut sid = s0;
    for k in 0..sizes.live_activities {
        let id = a1 + k as i64;
        let team = (k * 7) % nteams;
        let community = teams[team].1.or(teams[team].2);
        acts.push(
            &mut tx,
            row![
                id,
                campaign.id,
                teams[team].0,
                community,
                format!("集中活动日·{}", k + 1),
                "学雷锋集中活动日",
                Category::PublicAffairs.code(),
                Dimension::Environment.code(),
                ActivityForm::Concentrated.as_str(),
                format!("明湖区集中服务点{k}号"),
                live_start,
                live_end,
                month.as_str(),
                day.as_str(),
                per_live + 10,
                per_live,
                OpenTo::All.as_str(),
                "published",
                &new_token()[..32],
                name(k + 9000),
                "集中活动日志愿服务",
                t0,
                t0
            ],
        )
        .await?;
        ateams.push(&mut tx, row![id, teams[team].0]).await?;
    }
    acts.flush(&mut tx).await?;
    ateams.flush(&mut tx).await?;
    for k in 0..sizes.live_activities {
        let id = a1 + k as i64;
        let team = (k * 7) % nteams;
        let members = &members_of[team];
        // Volunteers of the team not yet used by an earlier live activity of the same team.
        let round = k / nteams.max(1);
        for j in 0..per_live {
            let v = members[(round * per_live + j) % members.len()];
            let token = new_token();
            users
                .push(
                    &mut tx,
                    row![
                        uid,
                        format!("v{v}"),
                        name(j),
                        hash.as_str(),
                        "volunteer",
                        "zh-CN",
                        true,
                        t0,
                        t0,
                        t0
                    ],
                )
                .await?;
            sessions
                .push(
                    &mut tx,
                    row![
                        token_hash(&token),
                        uid,
                        "",
                        "api",
                        "demo-scale",
                        t0,
                        t0,
                        t0 + 30 * 86400
                    ],
                )
                .await?;
            signups
                .push(&mut tx, row![sid, id, v, "confirmed", "self", t0, t0])
                .await?;
            links.push((v, uid));
            report.tokens.push((token, id));
            uid += 1;
            sid += 1;
        }
    }
    users.flush(&mut tx).await?;
    sessions.flush(&mut tx).await?;
    signups.flush(&mut tx).await?;
    // Each signed-up volunteer's record is their account's.
    store::link_volunteer_users(&mut tx, &links).await?;
    report.live_activities = sizes.live_activities;
    report.live_signups = report.tokens.len();
    let summary = serde_json::json!({
        "units": report.units, "communities": report.communities, "teams": report.teams,
        "volunteers": report.volunteers, "activities": report.activities, "signins": report.signins,
        "live_activities": report.live_activities, "live_signups": report.live_signups,
    });
    audit::record_raw(
        &mut tx,
        &actor,
        audit::Op::DemoScale,
        Subject::new("district", None, "demo --scale"),
        &summary,
    )
    .await?;
    tx.commit().await?;

    // Ids were chosen here: move PostgreSQL's identity sequences past them; refresh statistics.
    store::move_id_sequences(db).await?;
    db.refresh_statistics().await?;
    // The kept figures of the year just loaded (the triggers marked every key).
    crate::features::stats::service::refresh(db, 0)
        .await
        .map_err(|e| anyhow::anyhow!("figures: {e:?}"))?;

    if let Some(path) = tokens_out {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for (token, activity) in &report.tokens {
            writeln!(f, "{token} {activity}")?;
        }
        f.flush()?;
    }
    Ok(report)
}
