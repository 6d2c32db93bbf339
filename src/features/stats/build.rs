//! The per-scope figures built from the kept per-activity, per-volunteer and per-team rows: one
//! pass over the year's activities, summed for the district, each street and each unit.
//!
//! Adding a series is a few lines: read its facts (e.g. needs by state from `db::needs`), push
//! `add(out, scope, id, "needs", key, n, 0, 0)` for each scope it belongs to, and give the
//! dashboard a [`super::charts::Chart`] over `stats.dim("needs")`.

use std::collections::{BTreeMap, HashMap};

use crate::auth::policy::Scope;
use crate::db::campaigns::Campaign;
use crate::db::stats::{self as store, Figure};
use crate::db::{now, Db};
use crate::domain::campaign::{today, OrgRowKind};
use crate::error::AppResult;
use crate::features::campaign::board::{rows as board_rows, Service};

type Sums = BTreeMap<(String, i64, String, String), (i64, i64, i64)>;

fn add(out: &mut Sums, scope: &str, id: i64, dim: &str, key: &str, v: (i64, i64, i64)) {
    let e = out
        .entry((scope.to_string(), id, dim.to_string(), key.to_string()))
        .or_default();
    e.0 += v.0;
    e.1 += v.1;
    e.2 += v.2;
}

/// Builds and writes the figures of `campaign`.
pub async fn build(db: &Db, campaign: &Campaign) -> AppResult<()> {
    let rows = figures_of(db, campaign).await?;
    let mut tx = db.begin().await?;
    store::replace_figures(&mut tx, campaign.id, now(), &rows).await?;
    tx.commit().await?;
    Ok(())
}

/// Computes the figures of `campaign` from the kept rows (what [`build`] writes).
pub async fn figures_of(db: &Db, campaign: &Campaign) -> AppResult<Vec<(String, i64, Figure)>> {
    let streets: HashMap<i64, i64> = store::community_streets(db).await?.into_iter().collect();
    let mut out: Sums = BTreeMap::new();
    let mut team_scopes: HashMap<i64, (Option<i64>, Option<i64>)> = HashMap::new();
    let mut activities = 0;
    let mut minutes = (0, 0);
    for a in store::activity_facts(db, campaign.id).await? {
        let street = a
            .community_id
            .or(a.team_community_id)
            .and_then(|c| streets.get(&c).copied());
        team_scopes.insert(
            a.team_id,
            (a.unit_id, a.team_community_id.and_then(|c| streets.get(&c).copied())),
        );
        let mut scopes: Vec<(&str, i64)> = vec![("district", 0)];
        if let Some(s) = street {
            scopes.push(("street", s));
        }
        if let Some(u) = a.unit_id {
            scopes.push(("unit", u));
        }
        let held = matches!(a.status.as_str(), "published" | "completed");
        let v = (i64::from(held), a.people, a.minutes);
        for (scope, id) in &scopes {
            add(&mut out, scope, *id, "status", &a.status, (1, 0, 0));
            if held {
                add(&mut out, scope, *id, "month", &a.month, v);
                add(&mut out, scope, *id, "category", &a.category, v);
                add(&mut out, scope, *id, "form", &a.form, v);
            }
        }
        if held {
            add(
                &mut out,
                "district",
                0,
                "street",
                &street.map(|s| s.to_string()).unwrap_or_default(),
                v,
            );
            activities += 1;
            minutes = (minutes.0 + a.people, minutes.1 + a.minutes);
        }
    }
    // Each team's unit, or its community's street, for the roster figures.
    let teams = crate::db::compliance::teams(db, campaign.id).await?;
    for (id, unit, community) in &teams {
        team_scopes.insert(*id, (*unit, community.and_then(|c| streets.get(&c).copied())));
    }
    let team_of = |team: i64| -> Vec<(&'static str, i64)> {
        let mut v = vec![];
        if let Some((unit, street)) = team_scopes.get(&team) {
            if let Some(u) = unit {
                v.push(("unit", *u));
            }
            if let Some(s) = street {
                v.push(("street", *s));
            }
        }
        v
    };
    let rules = crate::db::settings::rules(db).await?;
    let mut thresholds = [0i64; 5];
    for (i, h) in rules.stars.iter().take(5).enumerate() {
        thresholds[i] = h * 60;
    }
    for (team, stars, n) in store::stars(db, campaign.id, &thresholds).await? {
        let key = stars.to_string();
        if team == 0 {
            add(&mut out, "district", 0, "star", &key, (0, n, 0));
        } else {
            for (scope, id) in team_of(team) {
                add(&mut out, scope, id, "star", &key, (0, n, 0));
            }
        }
    }
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    for (team, day, n) in store::roster_days(db, campaign.id).await? {
        let month = (epoch + chrono::Days::new(day.max(0) as u64))
            .format("%Y-%m")
            .to_string();
        add(&mut out, "district", 0, "roster", &month, (0, n, 0));
        for (scope, id) in team_of(team) {
            add(&mut out, scope, id, "roster", &month, (0, n, 0));
        }
    }
    // Milestones: every unit and community against each milestone.
    let orgs = crate::features::campaign::orgs_in_scope(db, crate::auth::policy::Scope::All, None).await?;
    let community_street: HashMap<i64, i64> = streets.clone();
    for r in board_rows(db, campaign, &today(), orgs, Service::None).await? {
        let mut scopes = vec![("district", 0)];
        match r.kind {
            OrgRowKind::Unit => scopes.push(("unit", r.id)),
            OrgRowKind::Community => {
                if let Some(s) = community_street.get(&r.id) {
                    scopes.push(("street", *s));
                }
            }
        }
        for (name, cell) in [
            ("formation", &r.formation),
            ("roster", &r.roster),
            ("traffic", &r.traffic),
            ("checkin", &r.checkin),
            ("plan", &r.plan),
        ] {
            let status = cell.status.as_str();
            if status == "none" {
                continue;
            }
            for (scope, id) in &scopes {
                add(
                    &mut out,
                    scope,
                    *id,
                    "milestone",
                    &format!("{name}:{status}"),
                    (1, 0, 0),
                );
            }
        }
    }
    // Needs (四单) by state: the district's, each street's (its communities') and each unit's
    // (those its teams took).
    let mut need_scopes: Vec<(&str, i64, Scope)> = vec![("district", 0, Scope::All)];
    let mut street_ids: Vec<i64> = streets.values().copied().collect();
    street_ids.sort_unstable();
    street_ids.dedup();
    need_scopes.extend(street_ids.into_iter().map(|s| ("street", s, Scope::Street(s))));
    let mut unit_ids: Vec<i64> = team_scopes.values().filter_map(|(u, _)| *u).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    need_scopes.extend(unit_ids.into_iter().map(|u| ("unit", u, Scope::Unit(u))));
    for (scope, id, of) in &need_scopes {
        for (status, n) in crate::db::needs::by_status(db, campaign.id, of).await? {
            add(&mut out, scope, *id, "needs", status.as_str(), (n, 0, 0));
        }
    }
    let volunteers = store::volunteers_on_rosters(db, campaign.id).await?;
    add(&mut out, "district", 0, "total", "volunteers", (0, volunteers, 0));
    add(&mut out, "district", 0, "total", "teams", (0, teams.len() as i64, 0));
    add(&mut out, "district", 0, "total", "activities", (activities, 0, 0));
    add(&mut out, "district", 0, "total", "minutes", (0, minutes.0, minutes.1));
    Ok(out
        .into_iter()
        .map(|((scope, id, dim, key), (activities, people, minutes))| {
            (
                scope,
                id,
                Figure {
                    dim,
                    key,
                    activities,
                    people,
                    minutes,
                },
            )
        })
        .collect())
}
