//! The demo's inspections (督查): for the campaign under way, inspections in every state and
//! findings in every standing (not yet due, overdue, answered, returned, accepted on time and
//! late); for a finished year, every inspection closed and every finding accepted, some late.
//! Written through the inspections' store with the times they would have had.

use chrono::NaiveDate;

use crate::db::audit::Actor;
use crate::db::campaigns::Campaign;
use crate::db::inspections::{self as store, ChecklistItem, Inspection, NewFinding, NewInspection};
use crate::db::list::ListQuery;
use crate::db::{communities, teams, units, users, Db, Tx};
use crate::domain::inspection::{FindingStatus, InspectionStatus, ItemResult, Severity, TargetKind, DEFAULT_ITEMS};
use crate::domain::org::Scope;

/// A finding to seed: its item (index), severity, text, deadline and what became of it, each as
/// days from the inspection's base day.
struct Plan {
    item: Option<usize>,
    severity: Severity,
    text: &'static str,
    deadline: i64,
    answered: Option<i64>,
    returned: Option<&'static str>,
    accepted: Option<i64>,
}

fn day(base: NaiveDate, offset: i64) -> String {
    (base + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string()
}

fn at(base: NaiveDate, offset: i64) -> i64 {
    let d = base + chrono::Duration::days(offset);
    d.and_hms_opt(10, 0, 0)
        .map(|t| t.and_utc().timestamp() - 8 * 3600)
        .unwrap_or(0)
}

/// The demo writes as `(demo)`, like the rest of the demo, on behalf of the account that plans
/// the inspection (who is told of answers).
async fn actor(db: &Db, username: &str) -> anyhow::Result<Actor> {
    Ok(Actor {
        user_id: admin_free(db, username).await?,
        ..Actor::system("demo")
    })
}

/// The id of the account `username`, if there is one.
async fn admin_free(db: &Db, username: &str) -> anyhow::Result<Option<i64>> {
    Ok(users::credentials(db, username).await?.map(|c| c.id))
}

fn everything() -> ListQuery {
    ListQuery {
        q: None,
        page: 1,
        per_page: 1_000_000,
        scope: Scope::All,
        street_id: None,
        community_id: None,
        unit_id: None,
    }
}

/// What is inspected: kind, id, name, team, unit, community.
type Target = (TargetKind, i64, String, Option<i64>, Option<i64>, Option<i64>);

#[allow(clippy::too_many_arguments)]
async fn inspect(
    tx: &mut Tx,
    by: &Actor,
    campaign: &Campaign,
    t: &Target,
    announced: bool,
    base: NaiveDate,
    planned: i64,
    results: Option<&[ItemResult]>,
    findings: &[Plan],
) -> anyhow::Result<Inspection> {
    let items: Vec<ChecklistItem> = DEFAULT_ITEMS
        .iter()
        .map(|c| ChecklistItem {
            code: c.to_string(),
            label: String::new(),
        })
        .collect();
    let n = NewInspection {
        campaign_id: campaign.id,
        target_kind: t.0,
        target_id: t.1,
        target_name: t.2.clone(),
        team_id: t.3,
        unit_id: t.4,
        community_id: t.5,
        announced,
        planned_on: day(base, planned),
        inspectors: "李建华，周敏".into(),
        created_by: by.user_id,
    };
    // `by` names the planner; the trail names the demo.
    let planner = by;
    let by = &Actor {
        user_id: None,
        ..planner.clone()
    };
    let mut i = store::create_inspection(tx, by, &n, &items).await?;
    store::backdate(tx, i.id, at(base, planned - 7)).await?;
    let Some(results) = results else {
        return Ok(i);
    };
    let old = item_rows(tx, i.id).await?;
    let lines: Vec<(i64, ItemResult, String)> = old
        .iter()
        .zip(results)
        .map(|(it, r)| {
            let note = match r {
                ItemResult::Fail => "现场未能提供相关台账".to_string(),
                ItemResult::Na => "本次不涉及".to_string(),
                _ => String::new(),
            };
            (it.0, *r, note)
        })
        .collect();
    let olds: Vec<_> = old
        .iter()
        .map(|(id, pos)| crate::db::inspections::InspectionItem {
            id: *id,
            inspection_id: i.id,
            position: *pos,
            code: String::new(),
            label: String::new(),
            result: ItemResult::Unchecked,
            note: String::new(),
        })
        .collect();
    i = store::record(
        tx,
        by,
        &i,
        &day(base, planned),
        &i.inspectors.clone(),
        "督查情况总体良好，个别问题限期整改。",
        &lines,
        &olds,
    )
    .await?;
    for p in findings {
        let nf = NewFinding {
            item_id: p.item.and_then(|k| old.get(k)).map(|x| x.0),
            severity: p.severity,
            description: p.text.into(),
            deadline: day(base, p.deadline),
        };
        let mut f = store::add_finding(tx, by, i.id, &nf).await?;
        if let Some(a) = p.answered {
            f = store::move_finding(
                tx,
                by,
                &f,
                FindingStatus::Answered,
                "已按要求完成整改，补齐台账并上传照片。",
                at(base, a),
            )
            .await?;
            if let Some(reason) = p.returned {
                f = store::move_finding(tx, by, &f, FindingStatus::Returned, reason, at(base, a + 1)).await?;
            }
            if let Some(acc) = p.accepted {
                store::move_finding(tx, by, &f, FindingStatus::Accepted, "", at(base, acc)).await?;
            }
        }
    }
    Ok(i)
}

async fn item_rows(tx: &mut Tx, id: i64) -> anyhow::Result<Vec<(i64, i64)>> {
    Ok(store::item_ids(tx, id).await?)
}

/// Seeds `campaign`'s inspections; `finished`: a past year, everything closed and accepted.
pub async fn seed(db: &Db, campaign: &Campaign, finished: bool) -> anyhow::Result<()> {
    use ItemResult::{Fail, Na, Pass};
    let admin = actor(db, "admin").await?;
    let street = actor(db, "donghu").await?;
    let all_units = units::list_units(db, &everything()).await?.items;
    let all_communities = communities::list_communities(db, &everything()).await?.items;
    let team_scope = teams::TeamScope::of(Scope::All).expect("all");
    let all_teams = teams::list_teams(db, campaign.id, team_scope, None).await?;
    // The demo accounts' own unit and community, so that `shuiwu` and `chunxiao` see them.
    let org_of = |a: Option<crate::db::users::Account>| a.map(|a| (a.unit_id, a.community_id));
    let unit_id = match admin_free(db, "shuiwu").await? {
        Some(id) => org_of(users::get_account(db, id).await?).and_then(|o| o.0),
        None => None,
    };
    let community_id = match admin_free(db, "chunxiao").await? {
        Some(id) => org_of(users::get_account(db, id).await?).and_then(|o| o.1),
        None => None,
    };
    let Some(unit) = all_units.iter().find(|u| Some(u.id) == unit_id).or(all_units.first()) else {
        return Ok(());
    };
    let Some(community) = all_communities
        .iter()
        .find(|c| Some(c.id) == community_id)
        .or(all_communities.first())
    else {
        return Ok(());
    };
    let unit_t: Target = (TargetKind::Unit, unit.id, unit.name.clone(), None, Some(unit.id), None);
    let community_t: Target = (
        TargetKind::Community,
        community.id,
        community.name.clone(),
        None,
        None,
        Some(community.id),
    );
    let other_units: Vec<Target> = all_units
        .iter()
        .filter(|u| u.id != unit.id)
        .take(3)
        .map(|u| (TargetKind::Unit, u.id, u.name.clone(), None, Some(u.id), None))
        .collect();
    let team_t: Option<Target> = all_teams.iter().find(|t| t.unit_id == Some(unit.id)).map(|t| {
        (
            TargetKind::Team,
            t.id,
            format!("{} · {}", t.org_name, t.name),
            Some(t.id),
            t.unit_id,
            t.community_id,
        )
    });
    let activity_t: Option<Target> = match store::demo_activity(db, campaign.id).await? {
        Some((id, title, team_id)) => all_teams
            .iter()
            .find(|t| t.id == team_id)
            .map(|t| (TargetKind::Activity, id, title, Some(t.id), t.unit_id, t.community_id)),
        None => None,
    };
    let today = NaiveDate::parse_from_str(&crate::domain::campaign::today(), "%Y-%m-%d")?;
    let base = if finished {
        NaiveDate::from_ymd_opt(campaign.year as i32, 10, 20).unwrap_or(today)
    } else {
        today
    };
    let mut tx = db.begin().await?;
    let f = |item, severity, text, deadline, answered, returned, accepted| Plan {
        item,
        severity,
        text,
        deadline,
        answered,
        returned,
        accepted,
    };
    if finished {
        let a = inspect(
            &mut tx,
            &admin,
            campaign,
            &unit_t,
            true,
            base,
            -120,
            Some(&[Pass, Fail, Pass, Fail, Pass, Pass]),
            &[
                f(
                    Some(1),
                    Severity::Major,
                    "未按期到结对社区报到",
                    -105,
                    Some(-108),
                    None,
                    Some(-106),
                ),
                f(
                    Some(3),
                    Severity::Minor,
                    "管理人员参与服务记录不全",
                    -100,
                    Some(-95),
                    None,
                    Some(-94),
                ),
            ],
        )
        .await?;
        store::set_status(
            &mut tx,
            &Actor {
                user_id: None,
                ..admin.clone()
            },
            &a,
            InspectionStatus::Closed,
        )
        .await?;
        let b = inspect(
            &mut tx,
            &street,
            campaign,
            &community_t,
            false,
            base,
            -60,
            Some(&[Pass, Pass, Fail, Na, Pass, Fail]),
            &[
                f(
                    Some(2),
                    Severity::Minor,
                    "8月未开展活动",
                    -45,
                    Some(-50),
                    None,
                    Some(-49),
                ),
                f(
                    Some(5),
                    Severity::Minor,
                    "宣传栏内容未更新",
                    -45,
                    Some(-40),
                    Some("照片不清晰，请补充"),
                    None,
                ),
            ],
        )
        .await?;
        // The returned answer was answered again, late, and accepted.
        for fd in store::findings_of_tx(&mut tx, b.id).await? {
            if fd.status == FindingStatus::Returned {
                let again = store::move_finding(
                    &mut tx,
                    &Actor {
                        user_id: None,
                        ..street.clone()
                    },
                    &fd,
                    FindingStatus::Answered,
                    "已更新宣传栏，补充清晰照片。",
                    at(base, -38),
                )
                .await?;
                store::move_finding(
                    &mut tx,
                    &Actor {
                        user_id: None,
                        ..street.clone()
                    },
                    &again,
                    FindingStatus::Accepted,
                    "",
                    at(base, -37),
                )
                .await?;
            }
        }
        let b = store::inspection_in(&mut tx, b.id).await?;
        store::set_status(
            &mut tx,
            &Actor {
                user_id: None,
                ..street.clone()
            },
            &b,
            InspectionStatus::Closed,
        )
        .await?;
        if let Some(t) = &team_t {
            let c = inspect(&mut tx, &admin, campaign, t, true, base, -30, Some(&[Pass; 6]), &[]).await?;
            store::set_status(
                &mut tx,
                &Actor {
                    user_id: None,
                    ..admin.clone()
                },
                &c,
                InspectionStatus::Closed,
            )
            .await?;
        }
    } else {
        // Recorded, with a finding in every standing.
        inspect(
            &mut tx,
            &admin,
            campaign,
            &unit_t,
            true,
            base,
            -40,
            Some(&[Pass, Fail, Pass, Fail, Fail, Pass]),
            &[
                f(
                    Some(1),
                    Severity::Major,
                    "与结对社区报到手续不全",
                    -20,
                    Some(-25),
                    None,
                    Some(-22),
                ),
                f(
                    Some(3),
                    Severity::Minor,
                    "管理人员参与服务记录不全",
                    -30,
                    Some(-27),
                    None,
                    Some(-26),
                ),
                f(
                    Some(4),
                    Severity::Minor,
                    "长期服务计划未细化到月",
                    10,
                    Some(-1),
                    None,
                    None,
                ),
                f(
                    None,
                    Severity::Minor,
                    "志愿服务台账未及时归档",
                    5,
                    Some(-5),
                    Some("未见归档目录，请补充照片"),
                    None,
                ),
                f(None, Severity::Serious, "活动签到记录与实际不符", -3, None, None, None),
            ],
        )
        .await?;
        // The street's inspection of its community: one finding not yet due.
        inspect(
            &mut tx,
            &street,
            campaign,
            &community_t,
            true,
            base,
            -10,
            Some(&[Pass, Pass, Pass, Na, Pass, Fail]),
            &[f(
                Some(5),
                Severity::Minor,
                "社区宣传栏未张贴本月活动安排",
                14,
                None,
                None,
                None,
            )],
        )
        .await?;
        if let Some(t) = &team_t {
            let c = inspect(&mut tx, &admin, campaign, t, true, base, -20, Some(&[Pass; 6]), &[]).await?;
            store::set_status(
                &mut tx,
                &Actor {
                    user_id: None,
                    ..admin.clone()
                },
                &c,
                InspectionStatus::Closed,
            )
            .await?;
        }
        if let Some(t) = &activity_t {
            inspect(
                &mut tx,
                &admin,
                campaign,
                t,
                false,
                base,
                -2,
                Some(&[Pass, Pass, Pass, Pass, Na, Fail]),
                &[f(
                    Some(5),
                    Severity::Minor,
                    "活动现场未设置宣传标识",
                    7,
                    None,
                    None,
                    None,
                )],
            )
            .await?;
        }
        // Planned: the street's announced one, the district's unannounced one; one cancelled.
        inspect(&mut tx, &street, campaign, &community_t, true, base, 3, None, &[]).await?;
        if let Some(u) = other_units.first() {
            inspect(&mut tx, &admin, campaign, u, false, base, 5, None, &[]).await?;
        }
        if let Some(u) = other_units.get(1) {
            let x = inspect(&mut tx, &admin, campaign, u, true, base, 1, None, &[]).await?;
            store::set_status(
                &mut tx,
                &Actor {
                    user_id: None,
                    ..admin.clone()
                },
                &x,
                InspectionStatus::Cancelled,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
