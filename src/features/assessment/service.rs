//! The assessment as the caller may see and change it: the ranking (kept with the time it was
//! computed, or the frozen snapshot), one organisation's explanation down to its facts (frozen
//! with the snapshot), the scheme, bonuses and penalties, closing the year, and the .xlsx export.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::facts::{self, CheckinFact, Facts};
use super::score::{self, FindingsByOrg, Ranking, Score};
use crate::auth::policy::{self, Listing, Principal, Scope};
use crate::auth::Acting;
use crate::db::assessment::{self as store, ActivityFact, Adjustment, DispatchFact, Item, NewAdjustment};
use crate::db::audit::{Op, Subject};
use crate::db::campaigns::{get_campaign, Campaign};
use crate::db::compliance::MonthCell;
use crate::db::{now, Db};
use crate::domain::assessment::{Findings, Indicator, SubjectKind};
use crate::domain::campaign::OrgRowKind;
use crate::error::{AppError, AppResult, FieldError};
use crate::features::campaign::service::{active, log, orgs_in_scope};
use crate::features::validated;
use crate::web::form::lenient_i64;

/// How long a kept ranking is served before it is computed again (the refresh job renews it
/// sooner; a change to the scheme or the adjustments drops it at once).
pub const KEPT_FOR_SECS: i64 = 600;

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingParams {
    /// The campaign (default: the active one).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub campaign_id: Option<i64>,
    /// `unit`, `community` or `team`; all when left out.
    pub kind: Option<String>,
    /// The ranking category (a unit's level and kind, a community's street).
    pub category: Option<String>,
    /// Name or street contains.
    pub q: Option<String>,
    /// Compute from the records now instead of the kept ranking.
    pub fresh: Option<bool>,
}

/// The campaign named, or the active one.
async fn campaign_of(db: &Db, id: Option<i64>) -> AppResult<Campaign> {
    match id {
        Some(id) => get_campaign(db, id).await?.ok_or(AppError::NotFound),
        None => active(db).await,
    }
}

/// Inspection findings per organisation: a team's findings (and its activities') count for the
/// unit or community that answers for it, as teams take their parent's facts.
async fn findings(db: &Db, campaign: &Campaign) -> AppResult<FindingsByOrg> {
    let today = crate::domain::campaign::today();
    let mut by_org = FindingsByOrg::new();
    for row in crate::db::inspections::findings_summary(db, campaign.id, &today).await? {
        let key = match row.kind.as_str() {
            "unit" => Some((SubjectKind::Unit, row.id)),
            "community" => Some((SubjectKind::Community, row.id)),
            _ => row
                .unit_id
                .map(|u| (SubjectKind::Unit, u))
                .or(row.community_id.map(|c| (SubjectKind::Community, c))),
        };
        let Some(key) = key else { continue };
        let f = by_org.entry(key).or_insert(Findings {
            total: 0,
            due: 0,
            closed_on_time: 0,
        });
        f.total += row.findings;
        f.due += row.closed_on_time + row.closed_late + row.open_overdue;
        f.closed_on_time += row.closed_on_time;
    }
    Ok(by_org)
}

/// The frozen snapshot if the year was closed; else the kept ranking if recent (and `fresh`
/// was not asked for); else computed now and kept.
pub async fn ranking_of(db: &Db, campaign: &Campaign, fresh: bool) -> AppResult<Ranking> {
    if let Some((at, by, body)) = store::snapshot(db, campaign.id).await? {
        let mut r: Ranking = serde_json::from_str(&body).map_err(anyhow::Error::from)?;
        r.frozen = true;
        r.frozen_by = by;
        r.computed_at = at;
        r.computed_on = crate::domain::dates::format_local(at);
        return Ok(r);
    }
    if !fresh {
        if let Some((at, body)) = store::cached(db, campaign.id).await? {
            if now() - at < KEPT_FOR_SECS {
                if let Ok(r) = serde_json::from_str::<Ranking>(&body) {
                    return Ok(r);
                }
            }
        }
    }
    refresh(db, campaign).await
}

/// A campaign's ranking computed from the records now, and its JSON (what is kept or frozen).
async fn computed(db: &Db, campaign: &Campaign) -> AppResult<(Ranking, String)> {
    let r = score::compute(db, campaign, &findings(db, campaign).await?).await?;
    let body = serde_json::to_string(&r).map_err(anyhow::Error::from)?;
    Ok((r, body))
}

/// Computes a campaign's ranking from the records and keeps it (what the refresh job runs; any
/// instance may: the kept row is replaced in one transaction).
pub async fn refresh(db: &Db, campaign: &Campaign) -> AppResult<Ranking> {
    let (r, body) = computed(db, campaign).await?;
    let mut tx = db.begin().await?;
    store::keep(&mut tx, campaign.id, r.computed_at, &body).await?;
    tx.commit().await?;
    Ok(r)
}

/// Every few minutes, the active campaign's ranking computed again (unless frozen), so that the
/// ranking page is served from a recent kept ranking. Not at start-up, and not when another
/// instance (or a page) kept one within the period.
pub async fn keep_fresh(db: Db) {
    let period = std::time::Duration::from_secs(KEPT_FOR_SECS as u64 / 3);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        tick.tick().await;
        let Ok(Some(c)) = crate::db::campaigns::active_campaign(&db).await else {
            continue;
        };
        if !matches!(store::snapshot(&db, c.id).await, Ok(None)) {
            continue;
        }
        if let Ok(Some((at, _))) = store::cached(&db, c.id).await {
            if now() - at < period.as_secs() as i64 {
                continue;
            }
        }
        if let Err(e) = refresh(&db, &c).await {
            tracing::warn!("assessment refresh: {e:?}");
        }
    }
}

/// Which organisations the caller sees in detail: `None` for all.
async fn visible(db: &Db, p: &Principal) -> AppResult<Option<HashSet<(SubjectKind, i64)>>> {
    let scope = policy::list_scope(p, Listing::Assessment);
    let street: HashSet<(SubjectKind, i64)> = match scope {
        Scope::All => return Ok(None),
        Scope::Street(_) => orgs_in_scope(db, scope, None)
            .await?
            .into_iter()
            .map(|(k, id, _, _)| (kind_of(k), id))
            .collect(),
        Scope::Unit(_) | Scope::Community(_) => HashSet::new(),
        _ => return Err(AppError::Forbidden),
    };
    let all = orgs_in_scope(db, Scope::All, None).await?;
    Ok(Some(
        all.into_iter()
            .map(|(k, id, _, _)| (kind_of(k), id))
            .filter(|(k, id)| {
                let in_street = street.contains(&(*k, *id));
                policy::assessment_sees(p, *k == SubjectKind::Community, *id, in_street)
            })
            .collect(),
    ))
}

fn kind_of(k: OrgRowKind) -> SubjectKind {
    match k {
        OrgRowKind::Unit => SubjectKind::Unit,
        OrgRowKind::Community => SubjectKind::Community,
    }
}

/// Whether the score `s` is one of `seen` (a team: its unit's or community's).
fn shown(s: &Score, seen: &Option<HashSet<(SubjectKind, i64)>>) -> bool {
    let Some(seen) = seen else { return true };
    match s.kind {
        SubjectKind::Team => s
            .parent
            .split_once(':')
            .and_then(|(k, id)| Some((SubjectKind::parse(k)?, id.parse::<i64>().ok()?)))
            .is_some_and(|k| seen.contains(&k)),
        k => seen.contains(&(k, s.id)),
    }
}

/// The ranking as the caller may see it, filtered.
pub async fn ranking(db: &Db, by: &Acting, params: &RankingParams) -> AppResult<Ranking> {
    let p = by.user()?;
    let seen = visible(db, p).await?;
    let campaign = campaign_of(db, params.campaign_id).await?;
    // Computing afresh costs about half a second at district scale: only the district, which
    // configures the scheme, may ask for it; everyone else reads the kept ranking.
    let fresh = params.fresh.unwrap_or(false) && policy::may_configure_assessment(p);
    let mut r = ranking_of(db, &campaign, fresh).await?;
    let kind = params.kind.as_deref().and_then(SubjectKind::parse);
    let q = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let category = params.category.as_deref().filter(|c| !c.is_empty());
    r.scores.retain(|s| {
        shown(s, &seen)
            && kind.is_none_or(|k| s.kind == k)
            && category.is_none_or(|c| s.category == c)
            && q.is_none_or(|q| s.name.contains(q) || s.street.contains(q))
    });
    Ok(r)
}

/// One organisation's (or team's) score with the facts behind every point.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Explanation {
    pub campaign_year: i64,
    pub computed_on: String,
    pub frozen: bool,
    /// The facts below were frozen with the scores when the year was closed (`computed_on`).
    /// `false` for a live year, and for a year closed before facts were frozen: those are read
    /// from today's records (activities up to the close), and may have moved since.
    pub facts_frozen: bool,
    pub score: Score,
    /// Its months (a team's: its organisation's).
    pub months: Vec<MonthCell>,
    /// Its teams (id, name).
    pub teams: Vec<(i64, String)>,
    /// Activities held, with the minutes confirmed and whether on time.
    pub activities: Vec<ActivityFact>,
    pub dispatches: Vec<DispatchFact>,
    pub checkins: Vec<CheckinFact>,
    pub adjustments: Vec<Adjustment>,
    /// `None`: no inspection recorded.
    pub findings: Option<Findings>,
}

/// One organisation's explanation, if the caller may see it in detail: on a closed year the
/// facts frozen with the scores, else gathered from the records.
pub async fn explain(db: &Db, by: &Acting, kind: &str, id: i64, campaign_id: Option<i64>) -> AppResult<Explanation> {
    let p = by.user()?;
    let kind = SubjectKind::parse(kind).ok_or(AppError::NotFound)?;
    let seen = visible(db, p).await?;
    let campaign = campaign_of(db, campaign_id).await?;
    let r = ranking_of(db, &campaign, false).await?;
    let s = r
        .scores
        .iter()
        .find(|s| s.kind == kind && s.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    // Another organisation's score is answered like one that does not exist (its id is not told).
    if !shown(&s, &seen) {
        return Err(AppError::NotFound);
    }
    let frozen = if r.frozen {
        store::frozen_facts(db, campaign.id, kind.as_str(), id).await?
    } else {
        None
    };
    let facts_frozen = frozen.is_some();
    let f: Facts = match frozen {
        Some(body) => serde_json::from_str(&body).map_err(anyhow::Error::from)?,
        None => {
            let until = if r.frozen { r.computed_at } else { now() };
            facts::gather(db, &campaign, &r.scores, Some(&[(kind, id)]), until)
                .await?
                .remove(&(kind, id))
                .ok_or(AppError::NotFound)?
        }
    };
    Ok(Explanation {
        campaign_year: r.campaign_year,
        computed_on: r.computed_on.clone(),
        frozen: r.frozen,
        facts_frozen,
        findings: s.facts.findings.clone(),
        score: s,
        months: f.months,
        teams: f.teams,
        activities: f.activities,
        dispatches: f.dispatches,
        checkins: f.checkins,
        adjustments: f.adjustments,
    })
}

/// The scheme of a campaign: its lines as set, the defaults for those not set. Reading writes
/// nothing; the defaults are written (audited) by the first change or when the year is closed.
pub async fn scheme(db: &Db, by: &Acting, campaign_id: Option<i64>) -> AppResult<Vec<Item>> {
    let p = by.user()?;
    if !policy::may_list(p, Listing::Assessment) {
        return Err(AppError::Forbidden);
    }
    let campaign = campaign_of(db, campaign_id).await?;
    Ok(score::complete(&store::scheme(db, campaign.id).await?))
}

/// Creates the scheme's missing lines with their defaults (audited; from write paths only).
pub async fn ensure_defaults(db: &Db, by: &Acting, campaign: &Campaign) -> AppResult<()> {
    let have = store::scheme(db, campaign.id).await?;
    let missing: Vec<Item> = score::complete(&have)
        .into_iter()
        .filter(|i| !have.iter().any(|h| h.indicator == i.indicator))
        .collect();
    if !missing.is_empty() {
        let mut tx = db.begin().await?;
        store::add_items(&mut tx, &by.actor(), campaign.id, &missing).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A change to the scheme: any of its lines.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct SchemeInput {
    #[serde(default)]
    pub campaign_id: Option<i64>,
    pub items: Vec<Item>,
}

async fn open_campaign(db: &Db, by: &Acting, campaign_id: Option<i64>) -> AppResult<Campaign> {
    if !policy::may_configure_assessment(by.user()?) {
        return Err(AppError::Forbidden);
    }
    let campaign = campaign_of(db, campaign_id).await?;
    if store::snapshot(db, campaign.id).await?.is_some() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "campaign_id",
            "err.assessment_closed",
        )]));
    }
    Ok(campaign)
}

/// Changes weights and caps (district; not after the year was closed). Audited per line.
pub async fn update_scheme(db: &Db, by: &Acting, input: &SchemeInput) -> AppResult<Vec<Item>> {
    let campaign = open_campaign(db, by, input.campaign_id).await?;
    let mut errors = vec![];
    for i in &input.items {
        if Indicator::parse(&i.indicator).is_none() {
            errors.push(FieldError::new(i.indicator.clone(), "err.assessment_indicator"));
        }
        if !(0..=100).contains(&i.weight) {
            errors.push(FieldError::new(
                format!("weight_{}", i.indicator),
                "err.assessment_points",
            ));
        }
        if !(0..=100).contains(&i.cap) {
            errors.push(FieldError::new(format!("cap_{}", i.indicator), "err.assessment_points"));
        }
    }
    validated(errors)?;
    ensure_defaults(db, by, &campaign).await?;
    let mut tx = db.begin().await?;
    for i in &input.items {
        store::update_item(&mut tx, &by.actor(), campaign.id, i).await?;
    }
    store::forget(&mut tx, campaign.id).await?;
    tx.commit().await?;
    Ok(score::complete(&store::scheme(db, campaign.id).await?))
}

/// A bonus or penalty.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct AdjustmentInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub campaign_id: Option<i64>,
    /// `unit`, `community` or `team`.
    pub org_kind: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub org_id: Option<i64>,
    /// Points, one decimal: positive a bonus, negative a penalty (−20 … 20).
    pub points: String,
    pub reason: String,
    #[serde(default)]
    pub evidence: String,
}

/// Records a bonus or penalty (district; audited).
pub async fn add_adjustment(db: &Db, by: &Acting, input: &AdjustmentInput) -> AppResult<Adjustment> {
    let campaign = open_campaign(db, by, input.campaign_id).await?;
    let mut errors = vec![];
    let kind = SubjectKind::parse(&input.org_kind);
    if kind.is_none() {
        errors.push(FieldError::new("org_kind", "err.required"));
    }
    let tenths = match input.points.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x != 0.0 && x.abs() <= 20.0 => (x * 10.0).round() as i64,
        _ => {
            errors.push(FieldError::new("points", "err.assessment_adjustment_points"));
            0
        }
    };
    let reason = input.reason.trim();
    if reason.is_empty() {
        errors.push(FieldError::new("reason", "err.required"));
    } else if reason.chars().count() > 500 {
        errors.push(FieldError::new("reason", "err.too_long").with("max", 500));
    }
    let evidence = input.evidence.trim();
    if evidence.chars().count() > 1000 {
        errors.push(FieldError::new("evidence", "err.too_long").with("max", 1000));
    }
    let target = match (kind, input.org_id) {
        (Some(k), Some(id)) => subject_name(db, &campaign, k, id).await?.map(|name| (k, id, name)),
        _ => None,
    };
    if kind.is_some() && target.is_none() {
        errors.push(FieldError::new("org_id", "err.assessment_no_org"));
    }
    validated(errors)?;
    let (target_kind, target_id, target_name) = target.ok_or(AppError::NotFound)?;
    let mut tx = db.begin().await?;
    let a = store::create_adjustment(
        &mut tx,
        &by.actor(),
        &NewAdjustment {
            campaign_id: campaign.id,
            org_kind: target_kind.as_str(),
            org_id: target_id,
            points: tenths,
            reason,
            evidence,
            label: &target_name,
        },
    )
    .await?;
    store::forget(&mut tx, campaign.id).await?;
    tx.commit().await?;
    Ok(a)
}

/// The name of the unit, community or team (of the campaign) an adjustment is for, read
/// directly (not through a ranking); `None` when there is none.
async fn subject_name(db: &Db, campaign: &Campaign, kind: SubjectKind, id: i64) -> AppResult<Option<String>> {
    Ok(match kind {
        SubjectKind::Team => store::teams(db, campaign.id)
            .await?
            .into_iter()
            .find(|t| t.0 == id)
            .map(|t| t.1),
        SubjectKind::Unit => crate::db::units::get_unit(db, id).await?.map(|u| u.name),
        SubjectKind::Community => crate::db::communities::get_community(db, id).await?.map(|c| c.name),
    })
}

/// The bonuses and penalties the caller may see (a team's with its unit or community).
pub async fn adjustments(db: &Db, by: &Acting, campaign_id: Option<i64>) -> AppResult<Vec<Adjustment>> {
    let p = by.user()?;
    let seen = visible(db, p).await?;
    let campaign = campaign_of(db, campaign_id).await?;
    let all = store::adjustments(db, campaign.id).await?;
    let Some(seen) = seen else {
        return Ok(all);
    };
    let parent: std::collections::HashMap<i64, (SubjectKind, i64)> = store::teams(db, campaign.id)
        .await?
        .into_iter()
        .filter_map(|(id, _, u, c)| {
            let k = u
                .map(|u| (SubjectKind::Unit, u))
                .or(c.map(|c| (SubjectKind::Community, c)))?;
            Some((id, k))
        })
        .collect();
    Ok(all
        .into_iter()
        .filter(|a| match SubjectKind::parse(&a.org_kind) {
            Some(SubjectKind::Team) => parent.get(&a.org_id).is_some_and(|k| seen.contains(k)),
            Some(k) => seen.contains(&(k, a.org_id)),
            None => false,
        })
        .collect())
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CloseInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub campaign_id: Option<i64>,
}

/// Closes the year's assessment: the ranking computed now is frozen, and with it the facts
/// behind every score, gathered for all at once (district; once; audited).
pub async fn close(db: &Db, by: &Acting, input: &CloseInput) -> AppResult<Ranking> {
    let campaign = open_campaign(db, by, input.campaign_id).await?;
    ensure_defaults(db, by, &campaign).await?;
    let (r, body) = computed(db, &campaign).await?;
    let mut rows = facts::gather(db, &campaign, &r.scores, None, r.computed_at)
        .await?
        .into_iter()
        .map(|((kind, id), f)| Ok((kind.as_str().to_string(), id, serde_json::to_string(&f)?)))
        .collect::<Result<Vec<_>, serde_json::Error>>()
        .map_err(anyhow::Error::from)?;
    rows.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut tx = db.begin().await?;
    store::freeze(&mut tx, &by.actor(), campaign.id, r.computed_at, &body, r.scores.len()).await?;
    store::freeze_facts(&mut tx, campaign.id, &rows).await?;
    // The kept live ranking is no longer served once the snapshot exists: it goes with it.
    store::forget(&mut tx, campaign.id).await?;
    tx.commit().await?;
    ranking_of(db, &campaign, false).await
}

/// The ranking as the caller sees it, as .xlsx with its file name (the export is audited).
pub async fn export(db: &Db, by: &Acting, params: &RankingParams) -> AppResult<(Vec<u8>, String)> {
    let r = ranking(db, by, params).await?;
    let bytes = super::xlsx::write(&r, by.lang)?;
    let title = super::xlsx::title(&r, by.lang);
    let details = serde_json::json!({"rows": r.scores.len(), "frozen": r.frozen});
    log(
        db,
        by,
        Op::Export,
        Subject::new("assessment", Some(r.campaign_id), &title),
        &details,
    )
    .await?;
    Ok((bytes, format!("{title}.xlsx")))
}

/// Whether the caller configures the assessment (pages show the district's controls).
pub fn configures(by: &Acting) -> AppResult<bool> {
    Ok(policy::may_configure_assessment(by.user()?))
}
