//! The facts behind the scores (each organisation's months, teams, activities, dispatches,
//! check-ins, bonuses and penalties), gathered for many organisations at once in a handful of
//! reads and grouped here: one organisation's explanation asks for one, closing the year for
//! every score, whose facts are then frozen with the ranking.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::score::Score;
use crate::db::assessment::{self as store, ActivityFact, Adjustment, DispatchFact};
use crate::db::campaigns::Campaign;
use crate::db::compliance::MonthCell;
use crate::db::Db;
use crate::domain::assessment::SubjectKind;
use crate::domain::campaign::OrgRowKind;
use crate::error::AppResult;

/// A unit, community or team scored.
pub type Subject = (SubjectKind, i64);

/// One check-in behind a score.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckinFact {
    pub team_id: i64,
    pub community: String,
    pub status: String,
    pub confirmed_on: Option<String>,
}

/// The facts behind one score: what its explanation lists under the points (and what closing
/// the year freezes, as JSON).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Facts {
    /// Its months (a team's: its organisation's).
    pub months: Vec<MonthCell>,
    /// Its teams (id, name).
    pub teams: Vec<(i64, String)>,
    pub activities: Vec<ActivityFact>,
    pub dispatches: Vec<DispatchFact>,
    pub checkins: Vec<CheckinFact>,
    pub adjustments: Vec<Adjustment>,
}

fn subject_of((kind, id): (OrgRowKind, i64)) -> Subject {
    match kind {
        OrgRowKind::Unit => (SubjectKind::Unit, id),
        OrgRowKind::Community => (SubjectKind::Community, id),
    }
}

fn row_kind(kind: SubjectKind) -> OrgRowKind {
    match kind {
        SubjectKind::Community => OrgRowKind::Community,
        _ => OrgRowKind::Unit,
    }
}

/// The facts behind the scores `wanted` (`None`: every one of `scores`), activities cut at
/// `until`. A subject is left out when it, or the organisation a team answers to, is not scored
/// (its explanation answers 404). Every list keeps the order one organisation's reads give.
pub async fn gather(
    db: &Db,
    campaign: &Campaign,
    scores: &[Score],
    wanted: Option<&[Subject]>,
    until: i64,
) -> AppResult<HashMap<Subject, Facts>> {
    let all_teams = store::teams(db, campaign.id).await?;
    let scored: HashMap<Subject, &Score> = scores.iter().map(|s| ((s.kind, s.id), s)).collect();
    let team_org: HashMap<i64, Subject> = all_teams
        .iter()
        .map(|(id, _, u, c)| (*id, subject_of(OrgRowKind::of_team(*u, *c))))
        .collect();
    let asked: Vec<Subject> = match wanted {
        Some(w) => w.to_vec(),
        None => scores.iter().map(|s| (s.kind, s.id)).collect(),
    };
    // Each subject with the organisation whose months it shows.
    let subjects: Vec<(Subject, Subject)> = asked
        .into_iter()
        .filter_map(|s| {
            let org = match s.0 {
                SubjectKind::Team => *team_org.get(&s.1)?,
                _ => s,
            };
            (scored.contains_key(&s) && scored.contains_key(&org)).then_some((s, org))
        })
        .collect();
    let mut orgs: Vec<Subject> = subjects.iter().map(|(_, o)| *o).collect();
    orgs.sort_by_key(|(k, id)| (k.as_str(), *id));
    orgs.dedup();
    let org_rows = orgs
        .iter()
        .map(|o| (row_kind(o.0), o.1, scored[o].name.clone(), scored[o].street.clone()))
        .collect();
    // One unit's grid is read for that unit alone.
    let unit = match orgs.as_slice() {
        [(SubjectKind::Unit, id)] => Some(*id),
        _ => None,
    };
    // The teams whose records are read: all of the campaign's when every score is asked for.
    let team_ids: Option<Vec<i64>> = wanted.map(|_| {
        all_teams
            .iter()
            .map(|t| t.0)
            .filter(|t| {
                subjects.iter().any(|(s, o)| match s.0 {
                    SubjectKind::Team => s.1 == *t,
                    _ => team_org.get(t) == Some(o),
                })
            })
            .collect()
    });
    let ids = team_ids.as_deref();
    let (compliance, activities, dispatches, checkins, adjustments) = tokio::try_join!(
        async { crate::features::compliance::service::rows_for(db, campaign, org_rows, unit).await },
        async { Ok(store::activities_of(db, campaign.id, ids, until).await?) },
        async { Ok(store::dispatches_of(db, campaign.id, ids).await?) },
        async { Ok(store::checkins_of(db, campaign.id, ids).await?) },
        async { Ok(store::adjustments(db, campaign.id).await?) },
    )?;

    let months: HashMap<Subject, Vec<MonthCell>> = compliance
        .into_iter()
        .map(|r| (subject_of((r.kind, r.id)), r.months))
        .collect();
    let mut out: HashMap<Subject, Facts> = subjects
        .iter()
        .map(|(s, o)| {
            let f = Facts {
                months: months.get(o).cloned().unwrap_or_default(),
                ..Facts::default()
            };
            (*s, f)
        })
        .collect();
    spread(
        &mut out,
        &team_org,
        &all_teams,
        |t| t.0,
        |f| &mut f.teams,
        |t| (t.0, t.1.clone()),
    );
    spread(
        &mut out,
        &team_org,
        &activities,
        |a| a.team_id,
        |f| &mut f.activities,
        Clone::clone,
    );
    spread(
        &mut out,
        &team_org,
        &dispatches,
        |d| d.team_id,
        |f| &mut f.dispatches,
        Clone::clone,
    );
    spread(
        &mut out,
        &team_org,
        &checkins,
        |k| k.0,
        |f| &mut f.checkins,
        |k| CheckinFact {
            team_id: k.0,
            community: k.1.clone(),
            status: k.2.clone(),
            confirmed_on: k.3.map(crate::domain::campaign::date_of),
        },
    );
    for a in adjustments {
        let s = SubjectKind::parse(&a.org_kind).map(|k| (k, a.org_id));
        if let Some(f) = s.and_then(|s| out.get_mut(&s)) {
            f.adjustments.push(a);
        }
    }
    Ok(out)
}

/// Each of a team's `rows` (in their order) to the list `list` of the team's facts and of its
/// organisation's, when those were asked for.
fn spread<R, T>(
    out: &mut HashMap<Subject, Facts>,
    team_org: &HashMap<i64, Subject>,
    rows: &[R],
    team: impl Fn(&R) -> i64,
    list: impl Fn(&mut Facts) -> &mut Vec<T>,
    item: impl Fn(&R) -> T,
) {
    for row in rows {
        let t = team(row);
        for s in [Some((SubjectKind::Team, t)), team_org.get(&t).copied()]
            .into_iter()
            .flatten()
        {
            if let Some(f) = out.get_mut(&s) {
                list(f).push(item(row));
            }
        }
    }
}
