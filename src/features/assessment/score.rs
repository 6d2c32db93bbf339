//! Computing the scores: the facts of every unit, community and team gathered from the board,
//! the compliance grid, hours, check-ins and dispatches; each indicator of the scheme measured
//! on them; bonuses and penalties added; ranked within categories.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::Scope;
use crate::db::assessment::{self as store, Item};
use crate::db::campaigns::Campaign;
use crate::db::{now, Db};
use crate::domain::assessment::{shown, Findings, Indicator, OrgFacts, SubjectKind};
use crate::domain::campaign::{today, MilestoneStatus, OrgRowKind};
use crate::domain::dispatch::{DispatchAnswer, DispatchReview};
use crate::error::AppResult;
use crate::features::campaign::board::{self, Service};
use crate::features::campaign::service::orgs_in_scope;

/// One indicator's line of a score: what was measured and the points it gave.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Line {
    pub indicator: Indicator,
    pub weight: i64,
    pub cap: i64,
    /// The measure: `numerator` of `denominator` (hours per volunteer: hours over people).
    pub numerator: f64,
    pub denominator: f64,
    pub points: f64,
    /// Why the line gave what it gave when there was nothing to measure (an i18n key).
    pub note: Option<String>,
}

/// The score of one unit, community or team.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Score {
    pub kind: SubjectKind,
    pub id: i64,
    pub name: String,
    /// The street (streets, for a unit paired into several); a team's: its unit or community.
    pub street: String,
    /// The ranking category: a unit's level and kind, a community's street, a team's kind of org.
    pub category: String,
    pub lines: Vec<Line>,
    /// Bonuses and penalties, summed.
    pub adjustments: f64,
    pub total: f64,
    /// Place within the category (ties share a place) and the category's size.
    pub rank: i64,
    pub rank_of: i64,
    /// A team's unit or community (`unit:3`), empty for organisations.
    pub parent: String,
    #[schema(value_type = Object)]
    pub facts: OrgFacts,
}

/// The scores of a campaign, when they were computed, and whether they are the frozen snapshot.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Ranking {
    pub campaign_id: i64,
    pub campaign_year: i64,
    pub computed_at: i64,
    /// `YYYY-MM-DD HH:MM`, China time.
    pub computed_on: String,
    /// The snapshot frozen when the district closed the assessment.
    pub frozen: bool,
    pub frozen_by: String,
    pub scheme: Vec<Item>,
    pub scores: Vec<Score>,
}

/// Inspection findings per organisation, the input of the findings indicator (`None` entries
/// mean no inspection recorded). Keyed by (kind, id).
pub type FindingsByOrg = HashMap<(SubjectKind, i64), Findings>;

/// The scheme with every indicator: the campaign's lines, defaults for those it lacks.
pub fn complete(items: &[Item]) -> Vec<Item> {
    Indicator::ALL
        .iter()
        .map(|i| {
            items
                .iter()
                .find(|x| x.indicator == i.as_str())
                .cloned()
                .unwrap_or_else(|| {
                    let (weight, cap) = i.defaults();
                    Item {
                        indicator: i.as_str().into(),
                        weight,
                        cap,
                    }
                })
        })
        .collect()
}

fn kind_of(k: OrgRowKind) -> SubjectKind {
    match k {
        OrgRowKind::Unit => SubjectKind::Unit,
        OrgRowKind::Community => SubjectKind::Community,
    }
}

/// A dispatched line: (due, fulfilled) at `t`. Due once the action is over, unless the district
/// approved the team's decline; fulfilled when accepted and someone signed in at its activity.
fn dispatch_counts(answer: &str, review: &str, ends_at: i64, attended: i64, t: i64) -> (i64, i64) {
    let answer = serde_json::from_value::<DispatchAnswer>(serde_json::Value::String(answer.into()));
    let review = serde_json::from_value::<DispatchReview>(serde_json::Value::String(review.into()));
    let excused = matches!(answer, Ok(DispatchAnswer::Declined)) && matches!(review, Ok(DispatchReview::Approved));
    if ends_at > t || excused {
        return (0, 0);
    }
    let done = matches!(answer, Ok(DispatchAnswer::Accepted)) && attended > 0;
    (1, i64::from(done))
}

/// Computes the ranking of `campaign` from the records now, with the inspection `findings` per
/// organisation (one without an entry shows "no inspections recorded").
pub async fn compute(db: &Db, campaign: &Campaign, findings: &FindingsByOrg) -> AppResult<Ranking> {
    let t = now();
    let day = today();
    let orgs = orgs_in_scope(db, Scope::All, None).await?;
    let ym = |s: &str| s.get(..7).unwrap_or_default().to_string();
    let (first, last) = (ym(&campaign.activities_start), ym(&campaign.activities_end));
    let (compliance, milestones, progress, (served, minutes), dispatches, classes, teams, rosters, items, adjustments) =
        tokio::try_join!(
            async { crate::features::compliance::service::rows_for(db, campaign, orgs.clone(), None).await },
            async { board::rows(db, campaign, &day, orgs.clone(), Service::None).await },
            async { Ok(crate::db::board::progress(db, campaign.id).await?) },
            async { Ok(store::served_and_minutes(db, campaign.id, &first, &last).await?) },
            async { Ok(store::dispatch_lines(db, campaign.id).await?) },
            async { Ok(store::unit_classes(db).await?) },
            async { Ok(store::teams(db, campaign.id).await?) },
            async { Ok(store::team_rosters(db, campaign.id).await?) },
            async { Ok(store::scheme(db, campaign.id).await?) },
            async { Ok(store::adjustments(db, campaign.id).await?) },
        )?;
    let scheme = complete(&items);
    let mut facts: HashMap<(SubjectKind, i64), OrgFacts> = HashMap::new();
    for (kind, id, _, _) in &orgs {
        let k = kind_of(*kind);
        let mut f = OrgFacts::new(k);
        f.findings = findings.get(&(k, *id)).cloned();
        facts.insert((k, *id), f);
    }
    for r in &compliance {
        if let Some(f) = facts.get_mut(&(kind_of(r.kind), r.id)) {
            f.months_due = r.due;
            f.months_met = r.met;
            f.roster = r.roster;
            f.people = r.roster;
            f.managers = r.managers;
            for m in &r.months {
                f.concentrated_turnout += m.concentrated_turnout;
                f.manager_months += m.managers_served;
                f.held += m.held;
                f.hours_late += m.hours_late;
                f.hours_missing += m.hours_missing;
            }
        }
    }
    for r in &milestones {
        if let Some(f) = facts.get_mut(&(kind_of(r.kind), r.id)) {
            for c in [&r.formation, &r.roster, &r.traffic, &r.checkin, &r.plan] {
                match c.status {
                    MilestoneStatus::Done => {
                        f.milestones_due += 1;
                        f.milestones_on_time += 1;
                    }
                    MilestoneStatus::Late | MilestoneStatus::Missing => f.milestones_due += 1,
                    _ => {}
                }
            }
        }
    }
    for ((kind, id), p) in &progress {
        if let Some(f) = facts.get_mut(&(kind_of(*kind), *id)) {
            f.checkins_expected = p.checkins_expected;
            f.checkins_confirmed = p.checkins_confirmed;
        }
    }
    let team_org: HashMap<i64, (SubjectKind, i64)> = teams
        .iter()
        .map(|(id, _, u, c)| {
            (*id, {
                let (k, x) = OrgRowKind::of_team(*u, *c);
                (kind_of(k), x)
            })
        })
        .collect();
    for (team, n) in &served {
        if let Some(f) = team_org.get(team).and_then(|k| facts.get_mut(k)) {
            f.roster_served += n;
        }
    }
    for (team, n) in &minutes {
        if let Some(f) = team_org.get(team).and_then(|k| facts.get_mut(k)) {
            f.confirmed_minutes += n;
        }
    }
    for (team, answer, review, ends, attended) in &dispatches {
        let (due, done) = dispatch_counts(answer, review, *ends, *attended, t);
        if let Some(f) = team_org.get(team).and_then(|k| facts.get_mut(k)) {
            f.dispatches_due += due;
            f.dispatches_fulfilled += done;
        }
    }
    let class: HashMap<i64, String> = classes
        .into_iter()
        .map(|(id, level, kind)| {
            (
                id,
                if kind.is_empty() {
                    level
                } else {
                    format!("{level} · {kind}")
                },
            )
        })
        .collect();
    let mut extra: HashMap<(SubjectKind, i64), i64> = HashMap::new();
    for a in &adjustments {
        if let Some(k) = SubjectKind::parse(&a.org_kind) {
            *extra.entry((k, a.org_id)).or_default() += a.points;
        }
    }
    let mut scores: Vec<Score> = orgs
        .into_iter()
        .map(|(kind, id, name, street)| {
            let k = kind_of(kind);
            let category = match k {
                SubjectKind::Unit => class.get(&id).cloned().unwrap_or_default(),
                _ => street.clone(),
            };
            let f = facts.remove(&(k, id)).unwrap_or_else(|| OrgFacts::new(k));
            score(k, id, name, street, category, String::new(), f, &scheme, &extra)
        })
        .collect();
    let per_team = PerTeamFacts {
        served: &served,
        minutes: &minutes,
        rosters: &rosters,
        dispatches: &dispatches,
    };
    scores.extend(team_scores(&teams, &per_team, &scores, &scheme, &extra, t));
    rank(&mut scores);
    Ok(Ranking {
        campaign_id: campaign.id,
        campaign_year: campaign.year,
        computed_at: t,
        computed_on: crate::domain::dates::format_local(t),
        frozen: false,
        frozen_by: String::new(),
        scheme,
        scores,
    })
}

#[allow(clippy::too_many_arguments)]
fn score(
    kind: SubjectKind,
    id: i64,
    name: String,
    street: String,
    category: String,
    parent: String,
    facts: OrgFacts,
    scheme: &[Item],
    extra: &HashMap<(SubjectKind, i64), i64>,
) -> Score {
    let mut sum = 0;
    let lines = scheme
        .iter()
        .filter_map(|item| {
            let ind = Indicator::parse(&item.indicator)?;
            let (tenths, note) = ind.score(&facts, item.weight, item.cap);
            let (numerator, denominator) = ind.basis(&facts);
            sum += tenths;
            Some(Line {
                indicator: ind,
                weight: item.weight,
                cap: item.cap,
                numerator: (numerator * 10.0).round() / 10.0,
                denominator,
                points: shown(tenths),
                note: note.map(String::from),
            })
        })
        .collect();
    let adj = extra.get(&(kind, id)).copied().unwrap_or(0);
    Score {
        kind,
        id,
        name,
        street,
        category,
        lines,
        adjustments: shown(adj),
        total: shown(sum + adj),
        rank: 0,
        rank_of: 0,
        parent,
        facts,
    }
}

/// What is kept per team.
struct PerTeamFacts<'a> {
    served: &'a store::PerTeam,
    minutes: &'a store::PerTeam,
    rosters: &'a [(i64, i64, i64)],
    dispatches: &'a [store::DispatchLine],
}

/// Teams are scored on what is kept per team (hours, the roster that served, dispatches) and
/// on their organisation's months, turnout, managers and milestones (a team's year is its
/// organisation's: those facts are recorded per organisation).
fn team_scores(
    teams: &[(i64, String, Option<i64>, Option<i64>)],
    kept: &PerTeamFacts<'_>,
    orgs: &[Score],
    scheme: &[Item],
    extra: &HashMap<(SubjectKind, i64), i64>,
    t: i64,
) -> Vec<Score> {
    let by_org: HashMap<(SubjectKind, i64), &Score> = orgs.iter().map(|s| ((s.kind, s.id), s)).collect();
    let served: HashMap<i64, i64> = kept.served.iter().copied().collect();
    let minutes: HashMap<i64, i64> = kept.minutes.iter().copied().collect();
    let people: HashMap<i64, i64> = kept.rosters.iter().map(|(t, n, _)| (*t, *n)).collect();
    let mut disp: HashMap<i64, (i64, i64)> = HashMap::new();
    for (team, answer, review, ends, attended) in kept.dispatches {
        let (due, done) = dispatch_counts(answer, review, *ends, *attended, t);
        let e = disp.entry(*team).or_default();
        e.0 += due;
        e.1 += done;
    }
    teams
        .iter()
        .filter_map(|(id, name, u, c)| {
            let (k, org) = OrgRowKind::of_team(*u, *c);
            let parent = by_org.get(&(kind_of(k), org))?;
            let mut f = parent.facts.clone();
            f.kind = SubjectKind::Team;
            f.people = people.get(id).copied().unwrap_or(0);
            f.roster_served = served.get(id).copied().unwrap_or(0);
            f.confirmed_minutes = minutes.get(id).copied().unwrap_or(0);
            let (due, done) = disp.get(id).copied().unwrap_or((0, 0));
            f.dispatches_due = due;
            f.dispatches_fulfilled = done;
            let category = format!("team:{}", k.as_str());
            let parent_ref = format!("{}:{}", k.as_str(), org);
            Some(score(
                SubjectKind::Team,
                *id,
                name.clone(),
                parent.name.clone(),
                category,
                parent_ref,
                f,
                scheme,
                extra,
            ))
        })
        .collect()
}

/// Places within each (kind, category): 1 + those with a higher total.
fn rank(scores: &mut [Score]) {
    let mut groups: HashMap<(SubjectKind, String), Vec<f64>> = HashMap::new();
    for s in scores.iter() {
        groups.entry((s.kind, s.category.clone())).or_default().push(s.total);
    }
    for s in scores.iter_mut() {
        let g = &groups[&(s.kind, s.category.clone())];
        s.rank = 1 + g.iter().filter(|x| **x > s.total + 1e-9).count() as i64;
        s.rank_of = g.len() as i64;
    }
    scores.sort_by(|a, b| {
        (a.kind as u8, &a.category, a.rank, &a.name).cmp(&(b.kind as u8, &b.category, b.rank, &b.name))
    });
}
