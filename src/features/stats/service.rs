//! Keeping the figures: the recount of dirty keys, the per-scope figures built from them, the
//! job any instance runs, the recount command, and the reads (scoped) of the dashboards and API.
//!
//! Design: **dirty keys marked in the writing transaction, recomputed by a job.** Triggers
//! (migration 0021) mark the activity, volunteer, team and month a changed row counts towards, in
//! the same transaction as the change, whoever writes it (the sign-in writer, a correction, a late
//! confirmation, a cancellation, a roster import, an erasure, the demo). A key is recomputed from
//! the raw records, never adjusted by a difference, so a corrected or late fact simply replaces
//! the old one and a missed or doubled event cannot drift the figures. The job (every few
//! seconds, on any instance; PostgreSQL row locks make two refreshers take distinct keys and
//! write the figures one after the other) recounts the keys, then rebuilds the per-scope figures
//! of the campaign from the per-activity, per-volunteer and per-team rows (a few hundred rows per
//! scope, built in one pass over the year's activities). `leifeng stats rebuild` marks every key
//! and runs the same refresh.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy::{self, Listing, Scope};
use crate::auth::Acting;
use crate::db::campaigns::{self, Campaign};
use crate::db::stats::{self as store, Figure};
use crate::db::{now, Db};
use crate::domain::service::{confirm_due, local};
use crate::error::{AppError, AppResult};

/// The figures are rebuilt at least this often (milestones turn `missing` with the date).
const STALE_SECS: i64 = 600;
/// ... and after a change, at most this often: a build reads every roster line for the star
/// levels (about half a second at district scale), so a storm of sign-ins builds once a minute.
pub const BUILD_GAP_SECS: i64 = 60;
/// How often the job looks for dirty keys.
const TICK_SECS: u64 = 5;

/// Recounts the dirty keys (per activity, volunteer, team, month); returns how many there were.
pub async fn recount_dirty(db: &Db) -> AppResult<usize> {
    if !store::any_dirty(db).await? {
        return Ok(0);
    }
    let rules = crate::db::settings::rules(db).await?;
    let mut tx = db.begin().await?;
    let keys = store::claim(&mut tx).await?;
    let mut by_kind: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut months: Vec<String> = vec![];
    for (kind, id, month) in &keys {
        if kind == "month" {
            months.push(month.clone());
        } else {
            by_kind.entry(kind.as_str()).or_default().push(*id);
        }
    }
    let ids = |k: &str| by_kind.get(k).cloned().unwrap_or_default();
    let (acts, vols, teams) = (ids("activity"), ids("volunteer"), ids("team"));
    for ids in acts.chunks(store::CHUNK) {
        store::recount_activities(&mut tx, Some(ids)).await?;
    }
    for ids in vols.chunks(store::CHUNK) {
        store::recount_volunteers(&mut tx, Some(ids)).await?;
    }
    // (campaign, month) pairs: the months marked, and every month of a team's campaign (its
    // managers count in each).
    let mut pairs: Vec<(i64, String)> = vec![];
    if !teams.is_empty() {
        for ids in teams.chunks(store::CHUNK) {
            store::recount_teams(&mut tx, Some(ids)).await?;
        }
        let campaigns = store::team_campaigns(&mut tx, &teams).await?;
        for (c, start, end) in campaigns {
            for m in months_between(&start, &end) {
                pairs.push((c, m));
            }
        }
    }
    months.sort();
    months.dedup();
    for m in months.into_iter().filter(|m| !m.is_empty()) {
        for c in store::campaigns_of(&mut tx, &m).await? {
            pairs.push((c, m.clone()));
        }
    }
    pairs.sort();
    pairs.dedup();
    for (c, m) in pairs {
        store::recount_month(&mut tx, c, &m).await?;
        let mut late: BTreeMap<i64, i64> = BTreeMap::new();
        for (team, ends, confirmed) in store::late_candidates(&mut tx, c, &m).await? {
            if local(confirmed).date() > confirm_due(local(ends).date(), rules.confirm_working_days) {
                *late.entry(team).or_default() += 1;
            }
        }
        store::set_late(&mut tx, c, &m, &late.into_iter().collect::<Vec<_>>()).await?;
    }
    store::note_recount(&mut tx, now()).await?;
    tx.commit().await?;
    Ok(keys.len())
}

/// The months `YYYY-MM` from the month of `start` to that of `end` (`YYYY-MM-DD`).
pub fn months_between(start: &str, end: &str) -> Vec<String> {
    use chrono::{Datelike, NaiveDate};
    let (Ok(s), Ok(e)) = (
        NaiveDate::parse_from_str(start, "%Y-%m-%d"),
        NaiveDate::parse_from_str(end, "%Y-%m-%d"),
    ) else {
        return vec![];
    };
    let mut d = s.with_day(1).unwrap_or(s);
    let mut out = vec![];
    while d <= e {
        out.push(d.format("%Y-%m").to_string());
        let Some(n) = d.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        d = n;
    }
    out
}

/// Brings the figures up to date: the dirty keys, then the figures of the active campaign (when
/// something changed since the last build and that was `gap` seconds ago or more, or when they
/// are older than ten minutes) and of any campaign never built. Returns whether it built any.
pub async fn refresh(db: &Db, gap: i64) -> AppResult<bool> {
    let recounted = recount_dirty(db).await? > 0;
    let mut built = false;
    for c in campaigns::list_campaigns(db).await? {
        let at = store::built_at(db, c.id).await?;
        let due = match at {
            None => true,
            Some(at) => {
                let age = now() - at;
                let changed = recounted || store::changed_since(db, at).await?;
                c.active && ((changed && age >= gap) || age >= STALE_SECS)
            }
        };
        if due {
            crate::features::stats::build::build(db, &c).await?;
            built = true;
        }
    }
    Ok(built)
}

/// The job: every few seconds, on every instance (see the module's doc for how they share it).
pub async fn keep_fresh(db: Db) {
    let period = std::time::Duration::from_secs(TICK_SECS);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = refresh(&db, BUILD_GAP_SECS).await {
            tracing::warn!("stats refresh: {e:?}");
        }
    }
}

/// `leifeng stats rebuild`: every key recounted from the raw records and every campaign's
/// figures built afresh. Returns the number of keys recounted.
pub async fn rebuild(db: &Db) -> AppResult<usize> {
    let mut tx = db.begin().await?;
    store::mark_all(&mut tx).await?;
    tx.commit().await?;
    let n = recount_dirty(db).await?;
    for c in campaigns::list_campaigns(db).await? {
        crate::features::stats::build::build(db, &c).await?;
    }
    Ok(n)
}

/// The public home's headline figures of a campaign (read from the kept figures).
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
#[schema(as = StatsHeadline)]
pub struct Headline {
    /// Volunteers on the year's rosters (each person once).
    pub volunteers: i64,
    pub teams: i64,
    /// Activities published or completed this year.
    pub activities: i64,
    /// Confirmed service, in minutes.
    pub confirmed_minutes: i64,
}

/// The headline of `campaign` (one indexed read of four rows).
pub async fn headline(db: &Db, campaign: &Campaign) -> AppResult<Headline> {
    let mut h = Headline::default();
    for f in store::totals(db, campaign.id).await? {
        match f.key.as_str() {
            "volunteers" => h.volunteers = f.people,
            "teams" => h.teams = f.people,
            "activities" => h.activities = f.activities,
            "minutes" => h.confirmed_minutes = f.minutes,
            _ => {}
        }
    }
    Ok(h)
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// The campaign year (the active one when left out).
    pub year: Option<i64>,
    /// A street (the district's, or a street's own).
    pub street_id: Option<i64>,
    /// A unit (the district's, a street's paired units, or a unit's own).
    pub unit_id: Option<i64>,
}

/// The figures of one scope of one campaign year.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = StatsFigures)]
pub struct Stats {
    pub year: i64,
    /// `district`, `street` or `unit`.
    pub scope: String,
    pub scope_id: i64,
    /// When they were last brought up to date (Unix seconds); `null` before the first build.
    pub built_at: Option<i64>,
    pub figures: Vec<Figure>,
}

impl Stats {
    /// The figures of one dimension.
    pub fn dim<'a>(&'a self, dim: &'a str) -> impl Iterator<Item = &'a Figure> + 'a {
        self.figures.iter().filter(move |f| f.dim == dim)
    }
}

/// Which scope `p` asks for, checked: the district any, a street its own (or a unit paired into
/// it), a unit its own.
async fn scope_of(db: &Db, by: &Acting, params: &StatsParams) -> AppResult<(&'static str, i64)> {
    let p = by.user()?;
    let scope = policy::list_scope(p, Listing::Stats);
    if params.street_id.is_some() && params.unit_id.is_some() {
        return Err(AppError::field("unit_id", "err.stats_one_scope"));
    }
    if let Some(s) = params.street_id {
        // Only the district learns whether an id exists; anyone else is refused the same way
        // for an id that is not theirs and for one that is nobody's.
        return match scope {
            Scope::All if crate::db::streets::get_street(db, s).await?.is_none() => {
                Err(AppError::field("street_id", "err.stats_no_street"))
            }
            Scope::All => Ok(("street", s)),
            Scope::Street(own) if own == s => Ok(("street", s)),
            _ => Err(AppError::Forbidden),
        };
    }
    if let Some(u) = params.unit_id {
        let ok = match scope {
            Scope::All => {
                if crate::db::units::get_unit(db, u).await?.is_none() {
                    return Err(AppError::field("unit_id", "err.stats_no_unit"));
                }
                true
            }
            Scope::Unit(own) => own == u,
            // A unit paired into the street (one query for its pairings, not every unit's).
            Scope::Street(s) => crate::db::units::unit_pairing_tree(db, u).await?.1.contains(&s),
            _ => false,
        };
        return if ok { Ok(("unit", u)) } else { Err(AppError::Forbidden) };
    }
    match scope {
        Scope::All => Ok(("district", 0)),
        Scope::Street(s) => Ok(("street", s)),
        Scope::Unit(u) => Ok(("unit", u)),
        _ => Err(AppError::Forbidden),
    }
}

/// The figures the caller asks for, within its scope.
pub async fn stats(db: &Db, by: &Acting, params: &StatsParams) -> AppResult<Stats> {
    let (scope, scope_id) = scope_of(db, by, params).await?;
    let campaign = match params.year {
        None => crate::features::campaign::active(db).await?,
        Some(y) => campaigns::list_campaigns(db)
            .await?
            .into_iter()
            .find(|c| c.year == y)
            .ok_or(AppError::field("year", "err.stats_no_year"))?,
    };
    Ok(Stats {
        year: campaign.year,
        scope: scope.to_string(),
        scope_id,
        built_at: store::built_at(db, campaign.id).await?,
        figures: store::figures(db, campaign.id, scope, scope_id).await?,
    })
}
