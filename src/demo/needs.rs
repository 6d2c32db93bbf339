//! The demo's needs (四单), through the same services as the site: 春晓社区's needs in every
//! state — posted (one past its review time), published and waiting past its dispatch time,
//! dispatched to the tax bureau's team and unanswered past its time, open for claim, accepted
//! with its draft activity, fulfilled and rated, closed — and one posted by a resident on the
//! public form, fulfilled, whose private link is printed so the resident can rate it.

use crate::auth::Acting;
use crate::db::activities::{get_activity, set_status};
use crate::db::needs::{activity_closed, demo_age, demo_hold};
use crate::db::teams::{list_teams, TeamScope};
use crate::db::{now, Db};
use crate::domain::activity::ActivityStatus;
use crate::domain::org::Scope;
use crate::features::needs::public;
use crate::features::needs::service::{
    self, AnswerInput, CancelInput, DispatchInput, NeedInput, RateInput, ReviewInput,
};

fn err(what: &str) -> impl Fn(crate::error::AppError) -> anyhow::Error + '_ {
    move |e| anyhow::anyhow!("demo needs {what}: {e:?}")
}

const DAY: i64 = 86400;

fn input(
    community: i64,
    category: &str,
    description: &str,
    place: &str,
    days: i64,
    n: i64,
    who: (&str, &str),
) -> NeedInput {
    let today = chrono::NaiveDate::parse_from_str(&crate::domain::campaign::today(), "%Y-%m-%d").unwrap_or_default();
    NeedInput {
        community_id: Some(community),
        category: Some(category.into()),
        dimension: None,
        description: Some(description.into()),
        place: Some(place.into()),
        wished_from: Some((today + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()),
        wished_to: None,
        head_count: Some(n),
        contact_name: Some(who.0.into()),
        contact_phone: Some(who.1.into()),
        consent: Some(true),
    }
}

/// Posts `need` as the community, publishes it and, when `to` is given, sends it there as the
/// street: the steps most of the demo's needs share. Answers its id.
async fn published(
    db: &Db,
    (community, street): (&Acting, &Acting),
    need: &NeedInput,
    to: Option<&DispatchInput>,
) -> anyhow::Result<i64> {
    let publish = ReviewInput {
        decision: "publish".into(),
        reason: None,
    };
    let id = service::post(db, community, need).await.map_err(err("post"))?.need.id;
    service::review(db, community, id, &publish)
        .await
        .map_err(err("publish"))?;
    if let Some(to) = to {
        service::dispatch(db, street, id, to).await.map_err(err("dispatch"))?;
    }
    Ok(id)
}

/// Seeds the needs; answers the resident's private link (a path), to be printed.
pub async fn seed(db: &Db) -> anyhow::Result<Option<String>> {
    use super::commendations::acting_as;
    let (Some(admin), Some(community), Some(street), Some(unit)) = (
        acting_as(db, "admin").await?,
        acting_as(db, "chunxiao").await?,
        acting_as(db, "donghu").await?,
        acting_as(db, "shuiwu").await?,
    ) else {
        return Ok(None);
    };
    let campaign = crate::features::campaign::service::active(db)
        .await
        .map_err(err("campaign"))?;
    let (Some(c), Some(u)) = (
        community.principal.as_ref().and_then(|p| p.community_id),
        unit.principal.as_ref().and_then(|p| p.unit_id),
    ) else {
        return Ok(None);
    };
    let Some(team) = list_teams(db, campaign.id, TeamScope::of(Scope::Unit(u)).expect("unit"), None)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let publish = ReviewInput {
        decision: "publish".into(),
        reason: None,
    };
    let to_team = DispatchInput {
        team_id: Some(team.id),
        open: None,
        note: None,
    };
    let accept = AnswerInput {
        answer: "accept".into(),
        team_id: None,
        reason: None,
    };

    // A resident's request, served and rated by the community; the resident may still rate it.
    let public_acting = Acting::anonymous("203.0.113.8", crate::i18n::Lang::Zh);
    let asked = public::ask(
        db,
        &public_acting,
        &input(
            c,
            "helping_weak",
            "家里老人行动不便，想请志愿者帮忙打扫卫生、陪老人聊聊天。",
            "春晓社区5幢1单元",
            1,
            2,
            ("陈大伯", "13912340001"),
        ),
    )
    .await
    .map_err(err("ask"))?;
    let served = [(asked.id, Some(4)), (0, Some(5))];
    for (i, (resident, stars)) in served.into_iter().enumerate() {
        let id = if resident != 0 {
            resident
        } else {
            let v = service::post(
                db,
                &community,
                &input(
                    c,
                    "public_affairs",
                    "小区东门绿化带垃圾较多，需要志愿者清理。",
                    "春晓社区东门",
                    2,
                    6,
                    ("社区王主任", "0571-87650001"),
                ),
            )
            .await
            .map_err(err("post"))?;
            v.need.id
        };
        service::review(db, &community, id, &publish)
            .await
            .map_err(err("publish"))?;
        service::dispatch(db, &street, id, &to_team)
            .await
            .map_err(err("dispatch"))?;
        let v = service::answer(db, &unit, id, &accept).await.map_err(err("accept"))?;
        let Some(activity_id) = v.need.activity_id else {
            continue;
        };
        // Held some days ago and completed: the need is fulfilled.
        // 09:00–11:00 on a day some days ago (daytime whatever the hour the demo is made).
        let day = crate::domain::dates::local(now()).date() - chrono::Duration::days(3 + i as i64);
        let ended = day
            .and_hms_opt(11, 0, 0)
            .and_then(|t| t.and_local_timezone(crate::domain::dates::china()).single())
            .map(|t| t.timestamp())
            .unwrap_or_else(|| now() - (3 + i as i64) * DAY);
        let mut tx = db.begin().await?;
        demo_hold(&mut tx, activity_id, ended - 2 * 3600, ended).await?;
        if let Some(a) = get_activity(db, activity_id).await? {
            let actor = unit.actor();
            let a = set_status(&mut tx, &actor, &a, ActivityStatus::Published, "").await?;
            set_status(&mut tx, &actor, &a, ActivityStatus::Completed, "").await?;
            activity_closed(&mut tx, &actor, activity_id, true).await?;
        }
        tx.commit().await?;
        let rate = RateInput {
            stars,
            comment: Some("志愿者很耐心，服务及时。".into()),
        };
        service::rate(db, &community, id, &rate).await.map_err(err("rate"))?;
    }

    // Accepted: its draft activity waits for the team to complete and publish it.
    let id = published(
        db,
        (&community, &street),
        &input(
            c,
            "youth_growth",
            "暑期想为社区小学生开设作业辅导，每周两次。",
            "春晓社区文化家园",
            5,
            3,
            ("社区李老师", "13912340002"),
        ),
        Some(&to_team),
    )
    .await?;
    service::answer(db, &unit, id, &accept).await.map_err(err("accept"))?;

    // Dispatched to the team and not answered for a week: overdue.
    let id = published(
        db,
        (&community, &street),
        &input(
            c,
            "mutual_help",
            "社区老年人想学用智能手机挂号、视频通话。",
            "春晓社区活动室",
            7,
            4,
            ("社区赵主任", "13912340003"),
        ),
        Some(&to_team),
    )
    .await?;
    // Declined once before (with the reason), sent again.
    let decline = AnswerInput {
        answer: "decline".into(),
        team_id: None,
        reason: Some("本周全员参加集中培训".into()),
    };
    service::answer(db, &unit, id, &decline).await.map_err(err("decline"))?;
    service::dispatch(db, &street, id, &to_team)
        .await
        .map_err(err("dispatch"))?;
    let overdue_dispatched = id;

    // Published and waiting for dispatch past its time.
    let id = published(
        db,
        (&community, &street),
        &input(
            c,
            "emergency",
            "想请志愿者给居民讲解家庭防火和灭火器使用。",
            "春晓社区广场",
            10,
            5,
            ("社区钱主任", "13912340004"),
        ),
        None,
    )
    .await?;
    let overdue_published = id;

    // Open for any team to claim (taken back once from a team first).
    let id = published(
        db,
        (&community, &street),
        &input(
            c,
            "charity_culture",
            "重阳节文艺汇演需要志愿者布置场地、引导观众。",
            "春晓社区文化广场",
            12,
            8,
            ("社区孙主任", "13912340005"),
        ),
        Some(&to_team),
    )
    .await?;
    let back = CancelInput {
        reason: Some("需要人数较多，改为开放认领".into()),
    };
    service::cancel(db, &street, id, &back).await.map_err(err("cancel"))?;
    let open = DispatchInput {
        team_id: None,
        open: Some(true),
        note: None,
    };
    service::dispatch(db, &admin, id, &open).await.map_err(err("open"))?;

    // Posted and not reviewed for days (one by a resident), and one just posted.
    let v = public::ask(
        db,
        &public_acting,
        &input(
            c,
            "traffic",
            "学校门口早高峰有家长闯红灯，希望有志愿者劝导。",
            "春晓小学门口",
            3,
            2,
            ("刘女士", "13912340006"),
        ),
    )
    .await
    .map_err(err("ask"))?;
    let overdue_submitted = v.id;
    service::post(
        db,
        &community,
        &input(
            c,
            "public_affairs",
            "楼道小广告较多，需要志愿者清理。",
            "春晓社区7幢",
            6,
            3,
            ("社区周主任", "13912340007"),
        ),
    )
    .await
    .map_err(err("post"))?;

    // Closed with a reason.
    let v = service::post(
        db,
        &community,
        &input(
            c,
            "mutual_help",
            "想请人帮忙修理自家空调。",
            "春晓社区2幢",
            2,
            1,
            ("吴先生", "13912340008"),
        ),
    )
    .await
    .map_err(err("post"))?;
    let close = ReviewInput {
        decision: "close".into(),
        reason: Some("属于有偿维修服务，已转介物业".into()),
    };
    service::review(db, &community, v.need.id, &close)
        .await
        .map_err(err("close"))?;

    // The timers of three needs have run: their steps began days ago.
    let mut tx = db.begin().await?;
    demo_age(&mut tx, overdue_submitted, 4 * DAY).await?;
    demo_age(&mut tx, overdue_published, 6 * DAY).await?;
    demo_age(&mut tx, overdue_dispatched, 7 * DAY).await?;
    tx.commit().await?;
    Ok(Some(asked.link))
}
