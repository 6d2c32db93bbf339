//! home: each role's workbench — what is due, overdue or waiting for someone else, each with its
//! date and the link that does it — computed from the same facts as the milestone board and the
//! compliance grid. The home page and `GET /api/v1/me/todo` both answer [`todo`].

use chrono::Datelike;
use serde::Serialize;
use utoipa::ToSchema;

pub use super::volunteer::{my_signups, CertificateLine, VolunteerBench};
use crate::auth::policy::{self, Action, Listing, Object, Scope};
use crate::auth::Acting;
use crate::db::board::{BoardRow, Cell};
use crate::db::campaigns::Campaign;
use crate::db::list::ListQuery;
use crate::db::todo::{self as store, Disclosure};
use crate::db::Db;
use crate::db::{communities, district, now, pairings, settings, streets, units};
use crate::domain::campaign::{date_of, today, MilestoneStatus, OrgRowKind};
use crate::domain::dates::{local, month_key};
use crate::domain::service::{confirm_due, Rules};
use crate::error::{AppError, AppResult};
use crate::features::campaign::board::{rows as board_rows, Service};
use crate::features::campaign::orgs_in_scope;
use crate::features::campaign::service::current as current_campaign;
use crate::i18n::tf;
use crate::state::AppState;

pub async fn count(db: &Db, by: &Acting, what: Listing) -> AppResult<Option<i64>> {
    let p = by.user()?;
    let scope = policy::list_scope(p, what);
    if !policy::may_list(p, what) {
        return Ok(None);
    }
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    Ok(Some(match what {
        Listing::Streets => streets::list_streets(db, &lq).await?.total,
        Listing::Communities => communities::list_communities(db, &lq).await?.total,
        Listing::Units => units::list_units(db, &lq).await?.total,
        Listing::Pairings => pairings::list_pairings(db, &lq).await?.total,
        Listing::Accounts => crate::db::users::list_accounts(db, &lq, p.user_id).await?.total,
        Listing::AuditLog
        | Listing::Teams
        | Listing::Board
        | Listing::Assessment
        | Listing::Nominations
        | Listing::Stats
        | Listing::Needs => return Ok(None),
    }))
}

/// Where an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Past its date and not done.
    Overdue,
    /// To do by its date (or now, when it has none).
    Due,
    /// Done on this side; waiting for someone else (a review, a forward, a place on the list).
    Waiting,
}

/// What an item is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A campaign milestone of the caller's unit or community (`milestone` names which).
    Milestone,
    RosterReturned,
    RosterInReview,
    RosterToReview,
    CheckinReturned,
    CheckinInFlight,
    CheckinToForward,
    CheckinToConfirm,
    DispatchToAnswer,
    DeclineToReview,
    HoursToConfirm,
    HoursOverdue,
    MonthActivity,
    JoinsToConfirm,
    OrgOverdue,
    TrafficTraining,
    ActivityNow,
    SignedUp,
    Setup,
    /// An inspection finding to rectify and answer (unit or community).
    FindingToAnswer,
    /// An answered finding waiting for the inspector.
    FindingWaiting,
    /// Answers to findings to accept or return (street, district).
    FindingsToReview,
    /// Rectifications past their deadline in the caller's scope.
    FindingsOverdue,
    /// A planned inspection whose day has come.
    InspectionToRecord,
    /// Community needs (四单) waiting on the caller at one step (`count` of them).
    Needs,
}

/// One thing to do (or to wait for).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Item {
    pub kind: ItemKind,
    /// For milestones: `formation`, `roster`, `traffic`, `checkin` or `plan`.
    pub milestone: Option<String>,
    /// What to do, in the caller's language.
    pub text: String,
    /// Why (a reviewer's reason) or what else to know.
    pub detail: String,
    /// `YYYY-MM-DD`, when it has a date.
    pub due: Option<String>,
    pub state: ItemState,
    /// The page that does it.
    pub link: String,
    /// How many, for items that stand for several.
    pub count: Option<i64>,
}

/// The month's one-activity requirement and concentrated day of a unit or community.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ThisMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Activities held this month (over, not cancelled, someone signed in).
    pub held: i64,
    pub met: bool,
    /// The month's concentrated day (`YYYY-MM-DD`) and its theme, if the district set one.
    pub concentrated_day: Option<String>,
    pub theme: String,
}

/// One unit's or community's overdue milestones (a street's workbench).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrgOverdue {
    /// `unit` or `community`.
    pub kind: OrgRowKind,
    pub id: i64,
    pub name: String,
    /// Milestones past their date and not done.
    pub overdue: i64,
    /// The board filtered to it.
    pub link: String,
}

/// How many units and communities stand where against one milestone.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MilestoneCount {
    /// `formation`, `roster`, `traffic`, `checkin` or `plan`.
    pub milestone: String,
    pub label: String,
    pub done: i64,
    pub late: i64,
    pub missing: i64,
    pub open: i64,
}

/// A unit's traffic list as the police brigade receives it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TrafficListLine {
    pub unit_id: i64,
    pub unit: String,
    pub submitted_on: String,
    pub people: i64,
    pub untrained: i64,
    pub link: String,
}

/// The workbench: what the caller has to do, and their role's figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Workbench {
    /// `volunteer`, `unit`, `community`, `street`, `district` or `police`.
    pub role: String,
    pub today: String,
    /// Overdue first, then due by date, then waiting.
    pub items: Vec<Item>,
    /// The caller's own board row (unit and community staff).
    pub board_row: Option<BoardRow>,
    pub this_month: Option<ThisMonth>,
    /// A street's units and communities with overdue milestones, most first.
    pub orgs: Vec<OrgOverdue>,
    /// The district's campaign progress per milestone.
    pub progress: Vec<MilestoneCount>,
    /// The district's latest exports and unmasked views.
    pub disclosures: Vec<Disclosure>,
    pub traffic_lists: Vec<TrafficListLine>,
    pub volunteer: Option<VolunteerBench>,
}

const MILESTONES: [&str; 5] = ["formation", "roster", "traffic", "checkin", "plan"];

fn milestone_cells(r: &BoardRow) -> [(&'static str, &Cell); 5] {
    [
        ("formation", &r.formation),
        ("roster", &r.roster),
        ("traffic", &r.traffic),
        ("checkin", &r.checkin),
        ("plan", &r.plan),
    ]
}

/// Milestones of a board row past their date and not done: what the board shows as `missing`.
pub fn overdue_milestones(r: &BoardRow) -> i64 {
    milestone_cells(r)
        .iter()
        .filter(|(_, c)| c.status == MilestoneStatus::Missing)
        .count() as i64
}

pub fn item(kind: ItemKind, text: String, due: Option<String>, state: ItemState, link: String) -> Item {
    Item {
        kind,
        milestone: None,
        text,
        detail: String::new(),
        due,
        state,
        link,
        count: None,
    }
}

fn by_date(due: &str, today: &str) -> ItemState {
    if due < today {
        ItemState::Overdue
    } else {
        ItemState::Due
    }
}

/// The caller's workbench.
pub async fn todo(state: &AppState, by: &Acting) -> AppResult<Workbench> {
    let p = by.user()?;
    let db = &state.db;
    let today = today();
    let mut w = Workbench {
        role: String::new(),
        today: today.clone(),
        items: vec![],
        board_row: None,
        this_month: None,
        orgs: vec![],
        progress: vec![],
        disclosures: vec![],
        traffic_lists: vec![],
        volunteer: None,
    };
    let campaign = current_campaign(db).await?;
    match policy::list_scope(p, Listing::Board) {
        Scope::All => {
            w.role = "district".into();
            setup_district(db, by, &mut w).await?;
            if let Some(c) = &campaign {
                district(db, by, c, &mut w).await?;
            }
        }
        Scope::Street(id) => {
            w.role = "street".into();
            setup_street(db, by, id, &mut w).await?;
            if let Some(c) = &campaign {
                street(db, by, c, id, &mut w).await?;
            }
        }
        Scope::Unit(id) => {
            w.role = "unit".into();
            if let Some(c) = &campaign {
                staff(db, by, c, OrgRowKind::Unit, id, &mut w).await?;
            }
        }
        Scope::Community(id) => {
            w.role = "community".into();
            if let Some(c) = &campaign {
                staff(db, by, c, OrgRowKind::Community, id, &mut w).await?;
            }
        }
        Scope::Nothing | Scope::OwnAccount(_) => {
            if policy::allows(p, Action::Create, &Object::Training) {
                w.role = "police".into();
                if let Some(c) = &campaign {
                    police(db, by, c, &mut w).await?;
                }
            } else {
                w.role = "volunteer".into();
                super::volunteer::volunteer(state, by, &mut w).await?;
            }
        }
    }
    if let Some(c) = &campaign {
        w.items
            .extend(crate::features::inspections::todo_items(db, by, c, &today).await?);
        w.items.extend(crate::features::needs::todo_items(db, by).await?);
    }
    w.items.sort_by(|a, b| (a.state, &a.due).cmp(&(b.state, &b.due)));
    Ok(w)
}

/// Unit and community staff: their own board row, returned work, answers owed, hours to confirm,
/// the month's requirement and concentrated day, people waiting to join.
async fn staff(db: &Db, by: &Acting, c: &Campaign, kind: OrgRowKind, id: i64, w: &mut Workbench) -> AppResult<()> {
    let lang = by.lang;
    let p = by.user()?;
    let orgs: Vec<_> = orgs_in_scope(db, policy::list_scope(p, Listing::Board), Some(kind))
        .await?
        .into_iter()
        .filter(|o| o.1 == id)
        .collect();
    // The milestone columns here; the month's service figures below, from one unit's teams.
    let with = Service::None;
    let (unit, community) = match kind {
        OrgRowKind::Unit => (Some(id), None),
        OrgRowKind::Community => (None, Some(id)),
    };
    let t = now();
    let rules = settings::rules(db).await?;
    let (rows, returned, (checkins, in_flight), dispatches, unconfirmed, joins, in_review) = tokio::try_join!(
        board_rows(db, c, &w.today, orgs, with),
        async { Ok::<_, AppError>(store::returned_rosters(db, c.id, unit, community).await?) },
        async { Ok::<_, AppError>(store::open_checkins(db, c.id, unit, community).await?) },
        async { Ok::<_, AppError>(store::dispatches_to_answer(db, c.id, unit, community).await?) },
        async { Ok::<_, AppError>(store::hours_to_confirm(db, c.id, t, unit, community).await?) },
        async { Ok::<_, AppError>(store::joins_to_confirm(db, c.id, unit, community).await?) },
        async { Ok::<_, AppError>(store::rosters_to_review(db, c.id, unit, community).await?) },
    )?;
    if let Some(row) = rows.into_iter().next() {
        for (name, cell) in milestone_cells(&row) {
            let state = match cell.status {
                MilestoneStatus::Missing => ItemState::Overdue,
                MilestoneStatus::Open => ItemState::Due,
                _ => continue,
            };
            let mut it = item(
                ItemKind::Milestone,
                by.t(&format!("todo.milestone.{name}")),
                Some(cell.due.clone()),
                state,
                cell.link.clone(),
            );
            it.milestone = Some(name.to_string());
            it.detail = cell.progress.clone().unwrap_or_default();
            w.items.push(it);
        }
        w.board_row = Some(row);
    }
    for r in returned {
        let mut it = item(
            ItemKind::RosterReturned,
            tf(lang, "todo.roster_returned", &[("team", r.team)]),
            Some(c.roster_due.clone()),
            by_date(&c.roster_due, &w.today),
            format!("/teams/{}", r.team_id),
        );
        it.detail = r.reason;
        w.items.push(it);
    }
    for r in in_review {
        w.items.push(item(
            ItemKind::RosterInReview,
            tf(lang, "todo.roster_in_review", &[("team", r.team)]),
            r.submitted_at.map(date_of),
            ItemState::Waiting,
            format!("/teams/{}", r.team_id),
        ));
    }
    for k in checkins {
        let mut it = item(
            ItemKind::CheckinReturned,
            tf(
                lang,
                "todo.checkin_returned",
                &[("team", k.team), ("community", k.community)],
            ),
            Some(c.checkin_due.clone()),
            by_date(&c.checkin_due, &w.today),
            "/checkins".into(),
        );
        it.detail = k.reason;
        w.items.push(it);
    }
    for k in in_flight {
        let key = if k.reason == "filed" {
            "todo.checkin_at_street"
        } else {
            "todo.checkin_at_community"
        };
        w.items.push(item(
            ItemKind::CheckinInFlight,
            tf(lang, key, &[("team", k.team), ("community", k.community)]),
            Some(date_of(k.at)),
            ItemState::Waiting,
            "/checkins".into(),
        ));
    }
    if let Some(cid) = community {
        for k in store::checkins_to_confirm(db, c.id, cid).await? {
            w.items.push(item(
                ItemKind::CheckinToConfirm,
                tf(lang, "todo.checkin_to_confirm", &[("team", k.team)]),
                Some(c.checkin_due.clone()),
                by_date(&c.checkin_due, &w.today),
                "/checkins".into(),
            ));
        }
    }
    for d in dispatches {
        let due = date_of(d.starts_at);
        let mut it = item(
            ItemKind::DispatchToAnswer,
            tf(lang, "todo.dispatch", &[("title", d.title), ("team", d.team)]),
            Some(due.clone()),
            by_date(&due, &w.today),
            format!("/dispatches/{}", d.dispatch_id),
        );
        it.detail = d.reason;
        w.items.push(it);
    }
    for a in unconfirmed {
        let due = hours_due(a.ends_at, &rules);
        w.items.push(item(
            ItemKind::HoursToConfirm,
            tf(lang, "todo.hours", &[("title", a.title)]),
            Some(due.clone()),
            by_date(&due, &w.today),
            format!("/activities/{}#attendance", a.id),
        ));
    }
    for j in joins {
        let mut it = item(
            ItemKind::JoinsToConfirm,
            tf(lang, "todo.joins", &[("team", j.team), ("n", j.people.to_string())]),
            Some(date_of(j.since)),
            ItemState::Due,
            format!("/teams/{}", j.team_id),
        );
        it.count = Some(j.people);
        w.items.push(it);
    }
    // This month: the one-activity requirement (from the same compliance facts as the board's
    // service column) and the concentrated day.
    let day0 = local(now()).date();
    let month = month_key(day0);
    let held = month_held(db, c, kind, id, &month).await?;
    let day = store::concentrated_day(db, c.id, day0.month() as i64).await?;
    let month_of = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(month_key);
    let month_open = month_of(&c.activities_start).is_some_and(|m| m <= month)
        && month_of(&c.activities_end).is_some_and(|m| month <= m);
    if month_open && held == 0 {
        let end = month_end(day0);
        w.items.push(item(
            ItemKind::MonthActivity,
            by.t("todo.month_activity"),
            Some(end),
            ItemState::Due,
            "/activities/new".into(),
        ));
    }
    w.this_month = Some(ThisMonth {
        month,
        held,
        met: held > 0,
        concentrated_day: day.as_ref().map(|d| d.0.clone()),
        theme: day.map(|d| d.1).unwrap_or_default(),
    });
    Ok(())
}

/// Activities a unit or community held this month, as the compliance grid counts them.
async fn month_held(db: &Db, c: &Campaign, kind: OrgRowKind, id: i64, month: &str) -> AppResult<i64> {
    let unit = (kind == OrgRowKind::Unit).then_some(id);
    let org = vec![(kind, id, String::new(), String::new())];
    let rows = crate::features::compliance::service::rows_for(db, c, org, unit).await?;
    Ok(rows
        .first()
        .and_then(|r| r.months.iter().find(|m| m.month == month))
        .map(|m| m.held)
        .unwrap_or(0))
}

fn month_end(day: chrono::NaiveDate) -> String {
    day.with_day(1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(day)
        .format("%Y-%m-%d")
        .to_string()
}

fn hours_due(ends_at: i64, rules: &Rules) -> String {
    confirm_due(local(ends_at).date(), rules.confirm_working_days)
        .format("%Y-%m-%d")
        .to_string()
}

/// A street: check-ins to forward, and its units' and communities' overdue milestones.
async fn street(db: &Db, by: &Acting, c: &Campaign, street_id: i64, w: &mut Workbench) -> AppResult<()> {
    let lang = by.lang;
    let p = by.user()?;
    let orgs = orgs_in_scope(db, policy::list_scope(p, Listing::Board), None).await?;
    let (rows, forward) = tokio::try_join!(board_rows(db, c, &w.today, orgs, Service::None), async {
        Ok::<_, AppError>(store::checkins_to_forward(db, c.id, Some(street_id)).await?)
    })?;
    for k in forward {
        w.items.push(item(
            ItemKind::CheckinToForward,
            tf(
                lang,
                "todo.checkin_to_forward",
                &[("team", k.team), ("community", k.community)],
            ),
            Some(c.checkin_due.clone()),
            by_date(&c.checkin_due, &w.today),
            "/checkins".into(),
        ));
    }
    let mut orgs: Vec<OrgOverdue> = rows
        .iter()
        .map(|r| OrgOverdue {
            kind: r.kind,
            id: r.id,
            name: r.name.clone(),
            overdue: overdue_milestones(r),
            link: format!(
                "/board?kind={}&status=missing&q={}",
                r.kind.as_str(),
                crate::web::urlencode(&r.name)
            ),
        })
        .filter(|o| o.overdue > 0)
        .collect();
    orgs.sort_by(|a, b| b.overdue.cmp(&a.overdue).then_with(|| a.name.cmp(&b.name)));
    let total: i64 = orgs.iter().map(|o| o.overdue).sum();
    if total > 0 {
        let mut it = item(
            ItemKind::OrgOverdue,
            tf(
                lang,
                "todo.orgs_overdue",
                &[("n", orgs.len().to_string()), ("m", total.to_string())],
            ),
            None,
            ItemState::Overdue,
            "/board?status=missing&sort=progress".into(),
        );
        it.count = Some(total);
        w.items.push(it);
    }
    w.orgs = orgs;
    Ok(())
}

/// The district: the campaign's progress, what waits for its review, overdue hours, and the
/// latest disclosures of personal data.
async fn district(db: &Db, by: &Acting, c: &Campaign, w: &mut Workbench) -> AppResult<()> {
    let lang = by.lang;
    let orgs = orgs_in_scope(db, Scope::All, None).await?;
    let t = now();
    let (rows, rosters, declines, unconfirmed, disclosures, rules) = tokio::try_join!(
        board_rows(db, c, &w.today, orgs, Service::None),
        async { Ok::<_, AppError>(store::rosters_to_review(db, c.id, None, None).await?) },
        async { Ok::<_, AppError>(store::declines_to_review(db, c.id).await?) },
        async { Ok::<_, AppError>(store::hours_to_confirm(db, c.id, t, None, None).await?) },
        async { Ok::<_, AppError>(store::recent_disclosures(db, 10).await?) },
        async { Ok::<_, AppError>(settings::rules(db).await?) },
    )?;
    w.progress = MILESTONES
        .iter()
        .map(|m| {
            let mut n = MilestoneCount {
                milestone: m.to_string(),
                label: by.t(&format!("board.{m}")),
                done: 0,
                late: 0,
                missing: 0,
                open: 0,
            };
            for r in &rows {
                let cell = milestone_cells(r).into_iter().find(|(k, _)| k == m).map(|(_, c)| c);
                match cell.map(|c| c.status) {
                    Some(MilestoneStatus::Done) => n.done += 1,
                    Some(MilestoneStatus::Late) => n.late += 1,
                    Some(MilestoneStatus::Missing) => n.missing += 1,
                    Some(MilestoneStatus::Open) => n.open += 1,
                    _ => {}
                }
            }
            n
        })
        .collect();
    let missing: i64 = w.progress.iter().map(|m| m.missing).sum();
    if missing > 0 {
        let mut it = item(
            ItemKind::OrgOverdue,
            tf(lang, "todo.district_overdue", &[("n", missing.to_string())]),
            None,
            ItemState::Overdue,
            "/board?status=missing&sort=progress".into(),
        );
        it.count = Some(missing);
        w.items.push(it);
    }
    if !rosters.is_empty() {
        let mut it = item(
            ItemKind::RosterToReview,
            tf(lang, "todo.rosters_to_review", &[("n", rosters.len().to_string())]),
            rosters.iter().filter_map(|r| r.submitted_at).min().map(date_of),
            ItemState::Due,
            "/teams?roster_status=submitted".into(),
        );
        it.count = Some(rosters.len() as i64);
        it.detail = rosters
            .iter()
            .take(5)
            .map(|r| r.team.as_str())
            .collect::<Vec<_>>()
            .join("、");
        w.items.push(it);
    }
    for d in declines {
        let mut it = item(
            ItemKind::DeclineToReview,
            tf(lang, "todo.decline", &[("title", d.title), ("team", d.team)]),
            Some(date_of(d.starts_at)),
            ItemState::Due,
            format!("/dispatches/{}", d.dispatch_id),
        );
        it.detail = d.reason;
        w.items.push(it);
    }
    let overdue: Vec<_> = unconfirmed
        .iter()
        .map(|a| hours_due(a.ends_at, &rules))
        .filter(|d| d.as_str() < w.today.as_str())
        .collect();
    if !overdue.is_empty() {
        let mut it = item(
            ItemKind::HoursOverdue,
            tf(lang, "todo.hours_overdue", &[("n", overdue.len().to_string())]),
            overdue.iter().min().cloned(),
            ItemState::Overdue,
            "/compliance".into(),
        );
        it.count = Some(overdue.len() as i64);
        w.items.push(it);
    }
    w.disclosures = disclosures;
    Ok(())
}

/// The traffic police brigade: the lists units submitted, and the people on them still to train.
async fn police(db: &Db, by: &Acting, c: &Campaign, w: &mut Workbench) -> AppResult<()> {
    let lists = store::traffic_lists(db, c.id).await?;
    let untrained: i64 = lists.iter().map(|l| l.untrained).sum();
    if untrained > 0 {
        let mut it = item(
            ItemKind::TrafficTraining,
            tf(by.lang, "todo.training", &[("n", untrained.to_string())]),
            None,
            ItemState::Due,
            "/traffic#training".into(),
        );
        it.count = Some(untrained);
        w.items.push(it);
    }
    w.traffic_lists = lists
        .into_iter()
        .map(|l| TrafficListLine {
            link: format!("/traffic?unit_id={}", l.unit_id),
            unit_id: l.unit_id,
            unit: l.unit,
            submitted_on: date_of(l.submitted_at),
            people: l.people,
            untrained: l.untrained,
        })
        .collect();
    Ok(())
}

/// The district's setup gaps (naming, pairing, accounts).
async fn setup_district(db: &Db, by: &Acting, w: &mut Workbench) -> AppResult<()> {
    let lang = by.lang;
    if district::district_name(db).await?.is_none() {
        w.items.push(item(
            ItemKind::Setup,
            by.t("todo.name_district"),
            None,
            ItemState::Due,
            "/district".into(),
        ));
    }
    let g = district::district_gaps(db).await?;
    for (n, key, link) in [
        (g.unpaired_units, "todo.unpaired_units", "/pairings/new"),
        (g.unpaired_communities, "todo.unpaired_communities", "/pairings/new"),
        (g.units_without_account, "todo.units_without_account", "/users/new"),
    ] {
        if n > 0 {
            let mut it = item(
                ItemKind::Setup,
                tf(lang, key, &[("n", n.to_string())]),
                None,
                ItemState::Due,
                link.into(),
            );
            it.count = Some(n);
            w.items.push(it);
        }
    }
    Ok(())
}

/// A street's setup gaps.
async fn setup_street(db: &Db, by: &Acting, street: i64, w: &mut Workbench) -> AppResult<()> {
    let g = district::street_gaps(db, street).await?;
    for (n, key, link) in [
        (g.unpaired_communities, "todo.street_unpaired", "/communities"),
        (
            g.communities_without_account,
            "todo.street_without_account",
            "/users/new",
        ),
    ] {
        if n > 0 {
            let mut it = item(
                ItemKind::Setup,
                tf(by.lang, key, &[("n", n.to_string())]),
                None,
                ItemState::Due,
                link.into(),
            );
            it.count = Some(n);
            w.items.push(it);
        }
    }
    Ok(())
}
