//! The commendation's rules: the district sets categories, quotas and eligibility; candidates are
//! suggested from the records; units and streets nominate within their quota; the district
//! reviews. The notice, objections, finalising and honours are in `notice.rs`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::{self, Action, Listing, Object, Principal, Scope, TeamPlace};
use crate::auth::Acting;
use crate::db::campaigns::Campaign;
use crate::db::commendations::{self as store, Category, NewNomination, Nomination, NominationScope};
use crate::db::{settings, Db};
use crate::domain::commendation::{
    shortfalls, Eligibility, Facts, NominationEvent, NominationStatus, NomineeKind, ReviewChoice, DEED_MAX,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::campaign::service::active;
use crate::features::{ensure, free_text, required_text, validated};

/// Whether the caller is the district (sets categories, reviews, publishes, finalises).
pub fn is_district(p: &Principal) -> bool {
    policy::allows(p, Action::Update, &Object::Commendation)
}

/// Who a nomination by `p` is sent by: the caller's unit, street, or neither (the district).
pub fn nominator_of(p: &Principal) -> AppResult<(Option<i64>, Option<i64>)> {
    let by = if is_district(p) {
        (None, None)
    } else if p.unit_id.is_some() {
        (p.unit_id, None)
    } else {
        (None, p.street_id)
    };
    let obj = Object::Nomination {
        by_unit_id: by.0,
        by_street_id: by.1,
    };
    ensure(p, Action::Create, &obj)?;
    Ok(by)
}

pub fn nomination_object(n: &Nomination) -> Object {
    Object::Nomination {
        by_unit_id: n.by_unit_id,
        by_street_id: n.by_street_id,
    }
}

/// The nominations `p` may list.
pub fn nomination_scope(p: &Principal) -> NominationScope {
    match policy::list_scope(p, Listing::Nominations) {
        Scope::All => NominationScope::All,
        Scope::Street(s) => NominationScope::ByStreet(s),
        Scope::Unit(u) => NominationScope::ByUnit(u),
        _ => NominationScope::Nothing,
    }
}

// ---------------------------------------------------------------- categories

/// The campaign whose commendation a request is about: the one named, else the active one. A year
/// is commended in March of the next, when the new campaign may already be open: the overview
/// then points to that year ([`unfinished`]) and every route takes it as `campaign_id`.
pub async fn year(db: &Db, campaign_id: Option<i64>) -> AppResult<Campaign> {
    match campaign_id {
        Some(id) => crate::db::campaigns::get_campaign(db, id)
            .await?
            .ok_or(AppError::NotFound),
        None => active(db).await,
    }
}

/// A year named by its campaign.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = CommendationYear)]
pub struct YearRef {
    pub campaign_id: i64,
    pub year: i64,
}

/// The year before `campaign` if its commendation is still under way (something nominated, no
/// honour roll finalised): what the active year's overview points to.
pub async fn unfinished(db: &Db, campaign: &Campaign) -> AppResult<Option<YearRef>> {
    if !campaign.active {
        return Ok(None);
    }
    Ok(store::previous_under_way(db, campaign.year).await?.map(|c| YearRef {
        campaign_id: c.id,
        year: c.year,
    }))
}

/// A campaign's categories (see [`year`] for which), the defaults written the first time they
/// are asked for.
pub async fn categories(db: &Db, by: &Acting, campaign_id: Option<i64>) -> AppResult<(Campaign, Vec<Category>)> {
    let campaign = year(db, campaign_id).await?;
    let cats = categories_for(db, by, campaign.id).await?;
    Ok((campaign, cats))
}

/// A campaign's categories (the defaults written the first time).
pub async fn categories_for(db: &Db, by: &Acting, campaign_id: i64) -> AppResult<Vec<Category>> {
    ensure(by.user()?, Action::View, &Object::Commendation)?;
    let mut cats = store::categories(db, campaign_id).await?;
    if cats.is_empty() {
        let mut tx = db.begin().await?;
        store::ensure_categories(
            &mut tx,
            &crate::db::audit::Actor::system("commendation defaults"),
            campaign_id,
        )
        .await?;
        tx.commit().await?;
        cats = store::categories(db, campaign_id).await?;
    }
    Ok(cats)
}

/// A category by id, of whichever campaign it belongs to (a finished year's is read-only:
/// every change checks [`ensure_not_published`]).
pub async fn category(db: &Db, by: &Acting, id: i64) -> AppResult<Category> {
    ensure(by.user()?, Action::View, &Object::Commendation)?;
    store::get_category(db, id)
        .await?
        .ok_or_else(|| AppError::field("category_id", "err.commend_category_pick"))
}

/// The district's changes to a category's quotas and eligibility.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CategoryInput {
    pub quota: Option<i64>,
    pub quota_per_nominator: Option<i64>,
    pub min_hours: Option<i64>,
    pub min_stars: Option<i64>,
    pub no_show_streak: Option<i64>,
    pub no_open_findings: Option<bool>,
}

pub async fn update_category(db: &Db, by: &Acting, id: i64, input: &CategoryInput) -> AppResult<Category> {
    ensure(by.user()?, Action::Update, &Object::Commendation)?;
    let before = category(db, by, id).await?;
    // The quotas and rules the published list was reviewed against stay as they were.
    ensure_not_published(db, before.campaign_id).await?;
    let mut after = before.clone();
    let mut errors = vec![];
    let mut num = |field: &'static str, v: Option<i64>, range: std::ops::RangeInclusive<i64>, into: &mut i64| {
        if let Some(v) = v {
            if range.contains(&v) {
                *into = v;
            } else {
                errors.push(
                    FieldError::new(field, "err.commend_range")
                        .with("min", range.start())
                        .with("max", range.end()),
                );
            }
        }
    };
    num("quota", input.quota, 0..=1000, &mut after.quota);
    num(
        "quota_per_nominator",
        input.quota_per_nominator,
        0..=100,
        &mut after.quota_per_nominator,
    );
    num("min_hours", input.min_hours, 0..=10_000, &mut after.min_hours);
    num("min_stars", input.min_stars, 0..=5, &mut after.min_stars);
    num(
        "no_show_streak",
        input.no_show_streak,
        0..=100,
        &mut after.no_show_streak,
    );
    if let Some(b) = input.no_open_findings {
        after.no_open_findings = b;
    }
    validated(errors)?;
    let mut tx = db.begin().await?;
    store::lock_category(&mut tx, before.id).await?;
    // Those already approved stay approved: the quota cannot go below them.
    let approved = store::approved_count(&mut tx, before.id).await?;
    if after.quota < approved {
        return Err(AppError::Validation(vec![FieldError::new(
            "quota",
            "err.commend_quota_below",
        )
        .with("n", approved)]));
    }
    let out = store::update_category(&mut tx, &by.actor(), &before, &after).await?;
    tx.commit().await?;
    Ok(out)
}

pub fn eligibility(c: &Category) -> Eligibility {
    Eligibility {
        min_hours: c.min_hours,
        min_stars: if c.kind == NomineeKind::Volunteer {
            c.min_stars
        } else {
            0
        },
        no_show_streak: if c.kind == NomineeKind::Volunteer {
            c.no_show_streak
        } else {
            0
        },
        no_open_findings: c.no_open_findings,
    }
}

// ---------------------------------------------------------------- candidates

/// A possible nominee, with the facts behind the suggestion and what (if anything) keeps it out.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Candidate {
    pub kind: NomineeKind,
    /// The team's, volunteer's, unit's or community's id: what a nomination names as `nominee_id`.
    pub id: i64,
    pub name: String,
    /// Its unit or community (a community's street).
    pub org: String,
    pub volunteer_no: Option<String>,
    pub facts: Facts,
    pub confirmed_hours: f64,
    /// Why it is not eligible (i18n keys); empty when it is.
    pub shortfalls: Vec<String>,
    pub eligible: bool,
    /// Already nominated in this category.
    pub nominated: bool,
}

/// What the assessment (考核) and the inspections (督查) say about a candidate.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outside {
    /// The organisation's assessment score, when there is one.
    pub score: Option<f64>,
    /// Unresolved inspection findings, when inspections are recorded.
    pub open_findings: Option<i64>,
}

/// THE one place the assessment's score and the open inspection findings enter the commendation,
/// by candidate id of `kind`: a team, unit or community gets its score in the year's assessment
/// (the frozen snapshot once closed) and its findings not yet accepted (a unit or community
/// answers for its teams' too). Volunteers are judged on their own records.
pub async fn outside_facts(db: &Db, campaign_id: i64, kind: NomineeKind) -> AppResult<HashMap<i64, Outside>> {
    use crate::domain::assessment::SubjectKind;
    let subject = match kind {
        NomineeKind::Volunteer => return Ok(HashMap::new()),
        NomineeKind::Team => SubjectKind::Team,
        NomineeKind::Unit => SubjectKind::Unit,
        NomineeKind::Community => SubjectKind::Community,
    };
    let Some(campaign) = crate::db::campaigns::get_campaign(db, campaign_id).await? else {
        return Ok(HashMap::new());
    };
    let mut out: HashMap<i64, Outside> = HashMap::new();
    let ranking = crate::features::assessment::service::ranking_of(db, &campaign, false).await?;
    for s in ranking.scores.iter().filter(|s| s.kind == subject) {
        // Findings are recorded for every organisation: one never inspected has none open.
        let o = out.entry(s.id).or_default();
        o.score = Some(s.total);
        o.open_findings = Some(0);
    }
    let today = crate::domain::campaign::today();
    for row in crate::db::inspections::findings_summary(db, campaign_id, &today).await? {
        let owner = match (kind, row.kind.as_str()) {
            (NomineeKind::Team, "team") | (NomineeKind::Unit, "unit") | (NomineeKind::Community, "community") => {
                Some(row.id)
            }
            (NomineeKind::Unit, "team") => row.unit_id,
            (NomineeKind::Community, "team") => row.community_id,
            _ => None,
        };
        if let Some(id) = owner {
            let open = out.entry(id).or_default().open_findings.get_or_insert(0);
            *open += row.open_overdue + row.open_not_due;
        }
    }
    Ok(out)
}

/// The score from the records alone: confirmed hours, and for organisations ten points an
/// activity held and one a volunteer who served.
pub fn record_score(kind: NomineeKind, f: &Facts) -> f64 {
    let hours = f.confirmed_minutes as f64 / 60.0;
    match kind {
        NomineeKind::Volunteer => hours,
        _ => hours + 10.0 * f.activities_held as f64 + f.volunteers_served as f64,
    }
}

/// Judges a candidate: its score (the assessment's when given, else [`record_score`]), the open
/// findings (when given) and the category's eligibility.
pub fn judge(category: &Category, mut facts: Facts, outside: Outside) -> (Facts, Vec<String>) {
    facts.score = outside.score.unwrap_or_else(|| record_score(category.kind, &facts));
    facts.open_findings = outside.open_findings;
    let short = shortfalls(&eligibility(category), &facts)
        .into_iter()
        .map(str::to_string)
        .collect();
    (facts, short)
}

fn team_place(t: &store::TeamFacts) -> Object {
    Object::Team(TeamPlace {
        unit_id: t.unit_id,
        community_id: t.community_id,
        street_id: t.street_id,
        ..Default::default()
    })
}

/// The candidates of a category the caller may nominate, best first.
pub async fn candidates(db: &Db, by: &Acting, category_id: i64) -> AppResult<Vec<Candidate>> {
    let p = by.user()?;
    nominator_of(p)?;
    let cat = category(db, by, category_id).await?;
    candidates_in(db, by, &cat).await
}

/// [`candidates`] of a category of any campaign.
pub async fn candidates_in(db: &Db, by: &Acting, cat: &Category) -> AppResult<Vec<Candidate>> {
    let p = by.user()?;
    nominator_of(p)?;
    let cat = cat.clone();
    let campaign = cat.campaign_id;
    let teams = store::team_facts(db, campaign).await?;
    let rules = settings::rules(db).await?;
    let mut raw: Vec<(i64, String, String, Option<String>, Facts)> = vec![];
    match cat.kind {
        NomineeKind::Team => {
            for t in teams
                .iter()
                .filter(|t| policy::allows(p, Action::Update, &team_place(t)))
            {
                raw.push((t.id, t.name.clone(), t.org_name.clone(), None, org_facts([t])));
            }
        }
        NomineeKind::Volunteer => {
            let mut team_of: HashMap<i64, &store::TeamFacts> = HashMap::new();
            let by_id: HashMap<i64, &store::TeamFacts> = teams.iter().map(|t| (t.id, t)).collect();
            for (v, t) in store::memberships(db, campaign).await? {
                if let Some(t) = by_id.get(&t) {
                    if policy::allows(p, Action::Update, &team_place(t)) {
                        team_of.entry(v).or_insert(t);
                    }
                }
            }
            let mut streaks: HashMap<i64, (i64, bool)> = HashMap::new();
            for (v, no_show) in store::signup_outcomes(db, campaign).await? {
                let e = streaks.entry(v).or_insert((0, true));
                if e.1 && no_show {
                    e.0 += 1;
                } else {
                    e.1 = false;
                }
            }
            for v in store::volunteer_facts(db, campaign).await? {
                let Some(t) = team_of.get(&v.id) else { continue };
                if v.minutes == 0 {
                    continue;
                }
                let facts = Facts {
                    confirmed_minutes: v.minutes,
                    stars: rules.stars_for(v.total_minutes) as i64,
                    no_show_streak: streaks.get(&v.id).map_or(0, |s| s.0),
                    ..Default::default()
                };
                raw.push((v.id, v.name, t.org_name.clone(), Some(v.volunteer_no), facts));
            }
        }
        NomineeKind::Unit => {
            for (id, name) in store::units_named(db).await? {
                let obj = Object::Unit {
                    id,
                    paired_community_ids: vec![],
                    paired_street_ids: vec![],
                };
                if policy::allows(p, Action::Update, &obj) {
                    let f = org_facts(teams.iter().filter(|t| t.unit_id == Some(id)));
                    raw.push((id, name.clone(), name, None, f));
                }
            }
        }
        NomineeKind::Community => {
            for (id, name, street_id, street) in store::communities_named(db).await? {
                let obj = Object::Community {
                    id,
                    street_id,
                    paired_unit_ids: vec![],
                };
                if policy::allows(p, Action::Update, &obj) {
                    let f = org_facts(teams.iter().filter(|t| t.community_id == Some(id)));
                    raw.push((id, name, street, None, f));
                }
            }
        }
    }
    let outside = outside_facts(db, campaign, cat.kind).await?;
    let nominated: Vec<i64> = store::nominations(db, Some(campaign), NominationScope::All)
        .await?
        .into_iter()
        .filter(|n| n.category_id == cat.id && n.status.counts())
        .filter_map(|n| n.team_id.or(n.volunteer_id).or(n.unit_id).or(n.community_id))
        .collect();
    let mut out: Vec<Candidate> = raw
        .into_iter()
        .map(|(id, name, org, volunteer_no, facts)| {
            let (facts, short) = judge(&cat, facts, outside.get(&id).copied().unwrap_or_default());
            Candidate {
                kind: cat.kind,
                id,
                name,
                org,
                volunteer_no,
                confirmed_hours: crate::domain::service::hours(facts.confirmed_minutes),
                eligible: short.is_empty(),
                shortfalls: short,
                nominated: nominated.contains(&id),
                facts,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.eligible
            .cmp(&a.eligible)
            .then(b.facts.score.total_cmp(&a.facts.score))
            .then(a.name.cmp(&b.name))
    });
    Ok(out)
}

fn org_facts<'a>(teams: impl IntoIterator<Item = &'a store::TeamFacts>) -> Facts {
    let mut f = Facts::default();
    for t in teams {
        f.confirmed_minutes += t.minutes;
        f.activities_held += t.activities_held;
        f.volunteers_served += t.served;
    }
    f
}

// ---------------------------------------------------------------- nominations

/// A new nomination: the category, the candidate's id (of the category's kind) and the deed.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct NominationInput {
    pub category_id: i64,
    pub nominee_id: i64,
    /// 事迹, at most 1,500 characters.
    pub deed: Option<String>,
}

/// The nominations the caller may see in a campaign (see [`year`] for which).
pub async fn list(db: &Db, by: &Acting, campaign_id: Option<i64>) -> AppResult<Vec<Nomination>> {
    let p = by.user()?;
    ensure(p, Action::View, &Object::Commendation)?;
    let campaign = year(db, campaign_id).await?;
    Ok(store::nominations(db, Some(campaign.id), nomination_scope(p)).await?)
}

/// A nomination the caller may see.
pub async fn get(db: &Db, by: &Acting, id: i64) -> AppResult<Nomination> {
    let n = store::get_nomination(db, id).await?.ok_or(AppError::NotFound)?;
    if !policy::allows(by.user()?, Action::View, &nomination_object(&n)) {
        return Err(AppError::NotFound);
    }
    Ok(n)
}

/// Refused once the notice is out: the list it shows is what was reviewed.
pub async fn ensure_not_published(db: &Db, campaign_id: i64) -> AppResult<()> {
    if store::notice_of(db, campaign_id).await?.is_some() {
        return Err(AppError::field("notice", "err.commend_notice_published"));
    }
    Ok(())
}

/// Checks one nomination against the candidates and the quota; answers what to record or the
/// field errors (used by the form, the API and each row of an upload).
pub async fn check_nomination(
    tx: &mut crate::db::Tx,
    cat: &Category,
    cands: &[Candidate],
    by: (Option<i64>, Option<i64>),
    nominee_id: i64,
    deed: Option<&str>,
    pending: i64,
) -> AppResult<NewNomination> {
    let mut errors = vec![];
    let deed = required_text("deed", deed, DEED_MAX, &mut errors);
    let cand = cands.iter().find(|c| c.id == nominee_id);
    match cand {
        None => errors.push(FieldError::new("nominee_id", "err.commend_not_candidate")),
        Some(c) if !c.eligible => {
            errors.push(FieldError::new("nominee_id", "err.commend_not_eligible").with("name", &c.name))
        }
        Some(c) if store::already_nominated(tx, cat.id, cat.kind, c.id).await? => {
            errors.push(FieldError::new("nominee_id", "err.commend_already").with("name", &c.name))
        }
        Some(_) => {}
    }
    if by != (None, None) {
        let used = store::counting(tx, cat.id, Some(by)).await? + pending;
        if used >= cat.quota_per_nominator {
            errors.push(FieldError::new("category_id", "err.commend_quota").with("quota", cat.quota_per_nominator));
        }
    }
    validated(errors)?;
    let c = cand.expect("checked");
    Ok(NewNomination {
        campaign_id: cat.campaign_id,
        category_id: cat.id,
        kind: cat.kind,
        nominee_id: c.id,
        nominee_name: c.name.clone(),
        nominee_org: c.org.clone(),
        by_unit_id: by.0,
        by_street_id: by.1,
        deed,
    })
}

/// Nominates in a category of the campaign the category belongs to, until its notice is out.
pub async fn create(db: &Db, by: &Acting, input: &NominationInput) -> AppResult<Nomination> {
    let p = by.user()?;
    let nominator = nominator_of(p)?;
    let cat = category(db, by, input.category_id).await?;
    ensure_not_published(db, cat.campaign_id).await?;
    let cands = candidates_in(db, by, &cat).await?;
    let mut tx = db.begin().await?;
    store::lock_category(&mut tx, cat.id).await?;
    let new = check_nomination(
        &mut tx,
        &cat,
        &cands,
        nominator,
        input.nominee_id,
        input.deed.as_deref(),
        0,
    )
    .await?;
    let n = store::insert_nomination(&mut tx, &by.actor(), &new).await?;
    tx.commit().await?;
    Ok(n)
}

/// The nominator's change of the deed text (while it waits for review).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct DeedInput {
    pub deed: Option<String>,
}

async fn editable(db: &Db, by: &Acting, id: i64) -> AppResult<Nomination> {
    let n = get(db, by, id).await?;
    ensure(by.user()?, Action::Update, &nomination_object(&n))?;
    if n.status.after(NominationEvent::Edit).is_none() {
        return Err(AppError::field("status", "err.commend_not_editable"));
    }
    Ok(n)
}

pub async fn update(db: &Db, by: &Acting, id: i64, input: &DeedInput) -> AppResult<Nomination> {
    let n = editable(db, by, id).await?;
    let mut errors = vec![];
    let deed = required_text("deed", input.deed.as_deref(), DEED_MAX, &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    let out = store::set_deed(&mut tx, &by.actor(), &n, &deed).await?;
    tx.commit().await?;
    Ok(out)
}

/// The nominator takes back a nomination that waits for review.
pub async fn delete(db: &Db, by: &Acting, id: i64) -> AppResult<()> {
    let n = editable(db, by, id).await?;
    let mut tx = db.begin().await?;
    store::delete_nomination(&mut tx, &by.actor(), &n).await?;
    tx.commit().await?;
    Ok(())
}

/// The district's decision on a nomination.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[schema(as = NominationReview)]
pub struct ReviewInput {
    /// `approve` or `reject`.
    pub decision: String,
    /// Why (required when rejecting).
    pub reason: Option<String>,
}

pub async fn review(db: &Db, by: &Acting, id: i64, input: &ReviewInput) -> AppResult<Nomination> {
    ensure(by.user()?, Action::Update, &Object::Commendation)?;
    let seen = get(db, by, id).await?;
    let mut errors = vec![];
    let reason = free_text("reason", input.reason.as_deref(), 500, &mut errors);
    let choice = ReviewChoice::parse(&input.decision);
    match choice {
        None => errors.push(FieldError::new("decision", "err.commend_decision")),
        Some(ReviewChoice::Reject) if reason.is_empty() => errors.push(FieldError::new("reason", "err.required")),
        _ => {}
    }
    validated(errors)?;
    let choice = choice.expect("checked");
    if choice == ReviewChoice::Approve {
        // A late approval would reach the honour roll without its time on the notice.
        ensure_not_published(db, seen.campaign_id).await?;
    }
    // Decided under the category's lock on the nomination as it is then: two reviews at once
    // neither both pass the quota nor both move the same nomination.
    let mut tx = db.begin().await?;
    store::lock_category(&mut tx, seen.category_id).await?;
    let n = <Nomination as crate::db::audit::Audited>::load(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(next) = n.status.after(choice.event()) else {
        return Err(AppError::field("decision", "err.commend_reviewed"));
    };
    if next == NominationStatus::Approved {
        let cat = store::get_category(db, n.category_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if store::approved_count(&mut tx, cat.id).await? >= cat.quota {
            return Err(AppError::Validation(vec![FieldError::new(
                "decision",
                "err.commend_quota_full",
            )
            .with("quota", cat.quota)]));
        }
    }
    let out = store::set_status(&mut tx, &by.actor(), &n, next, &reason).await?;
    crate::features::notifications::events::nomination_decided(&mut tx, &out).await?;
    tx.commit().await?;
    Ok(out)
}

/// A nomination as the nominee's own record shows it.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct OwnNomination {
    pub id: i64,
    pub category_name: String,
    pub status: NominationStatus,
    /// The honour certificate's number, once commended.
    pub certificate: Option<String>,
}

/// A volunteer's own nominations and honours (their record shows them); withdrawn ones are left out.
pub async fn of_volunteer(db: &Db, volunteer_id: i64) -> AppResult<Vec<OwnNomination>> {
    let mut out = vec![];
    for n in store::nominations(db, None, NominationScope::Volunteer(volunteer_id)).await? {
        if n.status == NominationStatus::Withdrawn {
            continue;
        }
        out.push(OwnNomination {
            id: n.id,
            certificate: store::honour_of(db, n.id).await?.map(|c| c.number),
            category_name: n.category_name,
            status: n.status,
        });
    }
    Ok(out)
}
