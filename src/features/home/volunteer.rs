//! home: a volunteer's workbench — the activity under way, sign-ups with their place on the
//! waiting list, hours this year and in total, the star level and the way to the next, the
//! certificates, what is open for sign-up — and the list of their sign-ups (我的报名).

use serde::Serialize;
use utoipa::ToSchema;

use super::service::{item, ItemKind, ItemState, Workbench};
use crate::auth::Acting;
use crate::db::todo::{self as store, MySignup, OpenActivity};
use crate::db::{now, settings, Db};
use crate::domain::activity::{ActivityStatus, SignupStatus};
use crate::domain::campaign::date_of;
use crate::domain::service::hours;
use crate::error::{AppError, AppResult};
use crate::i18n::tf;
use crate::state::AppState;

/// A volunteer's own figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VolunteerBench {
    /// Signed up for it and under way now (or about to open for sign-in).
    pub now: Option<MySignup>,
    /// `in` (may sign in), `out` (may sign out) or `done`, for `now`.
    pub now_action: Option<String>,
    /// Upcoming sign-ups, with the place on the waiting list.
    pub upcoming: Vec<MySignup>,
    pub hours_this_year: f64,
    pub hours_total: f64,
    /// 0–5 by the district's thresholds.
    pub stars: usize,
    pub next_star_hours: Option<i64>,
    /// Hours still needed for the next star.
    pub hours_to_next_star: Option<f64>,
    /// Percent of the way from this star to the next (100 at the top).
    pub star_progress_pct: i64,
    pub certificates: Vec<CertificateLine>,
    /// Open for sign-up: from the volunteer's teams and near their communities.
    pub open: Vec<OpenActivity>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CertificateLine {
    pub number: String,
    pub issued_on: String,
    pub link: String,
}

/// A volunteer: the activity under way, sign-ups, hours, stars, certificates, what is open.
pub(super) async fn volunteer(state: &AppState, by: &Acting, w: &mut Workbench) -> AppResult<()> {
    let p = by.user()?;
    let Some(vid) = p.volunteer_id else {
        return Ok(());
    };
    let db = &state.db;
    let t = now();
    let rules = settings::rules(db).await?;
    let (mine, open, record) = tokio::try_join!(
        async { Ok::<_, AppError>(store::my_signups(db, vid, Some(t), 50).await?) },
        async { Ok::<_, AppError>(store::open_for(db, vid, t, 10).await?) },
        crate::features::certificates::service_record(state, by, vid),
    )?;
    let live = |s: &&MySignup| {
        matches!(s.signup, SignupStatus::Confirmed | SignupStatus::Waiting)
            && s.activity_status == ActivityStatus::Published
    };
    let opens = |s: &MySignup| s.starts_at - rules.signin_early_minutes * 60;
    let now_one = mine
        .iter()
        .filter(live)
        .find(|s| {
            s.signup == SignupStatus::Confirmed && opens(s) <= t && t <= s.ends_at + rules.signout_grace_minutes * 60
        })
        .cloned();
    let now_action = now_one.as_ref().map(|s| {
        match (s.signed_in_at, s.signed_out_at) {
            (None, _) if t <= s.ends_at => "in",
            (Some(_), None) => "out",
            _ => "done",
        }
        .to_string()
    });
    if let (Some(s), Some(a)) = (&now_one, &now_action) {
        if a != "done" {
            w.items.push(item(
                ItemKind::ActivityNow,
                tf(
                    by.lang,
                    if a == "in" { "todo.sign_in" } else { "todo.sign_out" },
                    &[("title", s.title.clone())],
                ),
                Some(date_of(s.starts_at)),
                ItemState::Due,
                // The activity's page; the sign-in button itself is on the home page (a poster code is
                // needed for a rotating code, so a bare /s/ link would only say the code is missing).
                format!("/activities/{}", s.activity_id),
            ));
        }
    }
    let upcoming: Vec<MySignup> = mine
        .iter()
        .filter(live)
        .filter(|s| s.starts_at > t && Some(s.activity_id) != now_one.as_ref().map(|n| n.activity_id))
        .cloned()
        .collect();
    for s in &upcoming {
        let mut it = item(
            ItemKind::SignedUp,
            s.title.clone(),
            Some(date_of(s.starts_at)),
            if s.signup == SignupStatus::Waiting {
                ItemState::Waiting
            } else {
                ItemState::Due
            },
            format!("/activities/{}", s.activity_id),
        );
        it.detail = match s.waiting_position {
            Some(n) => tf(by.lang, "todo.waiting_position", &[("n", n.to_string())]),
            None => tf(
                by.lang,
                "todo.starts_at",
                &[("at", crate::domain::dates::format_local(s.starts_at))],
            ),
        };
        w.items.push(it);
    }
    let year = crate::domain::dates::local(t).format("%Y").to_string();
    let this_year = record
        .years
        .iter()
        .find(|y| y.year == year)
        .map(|y| y.hours)
        .unwrap_or(0.0);
    let total_minutes = record.total_minutes;
    let lower = rules
        .stars
        .iter()
        .take_while(|h| total_minutes >= *h * 60)
        .last()
        .copied()
        .unwrap_or(0);
    let (to_next, pct) = match record.next_star_hours {
        Some(next) => {
            let span = ((next - lower) * 60).max(1);
            (
                Some(hours(next * 60 - total_minutes)),
                ((total_minutes - lower * 60) * 100 / span).clamp(0, 100),
            )
        }
        None => (None, 100),
    };
    w.volunteer = Some(VolunteerBench {
        now: now_one,
        now_action,
        upcoming,
        hours_this_year: this_year,
        hours_total: record.total_hours,
        stars: record.stars,
        next_star_hours: record.next_star_hours,
        hours_to_next_star: to_next,
        star_progress_pct: pct,
        certificates: record
            .certificates
            .iter()
            .map(|c| CertificateLine {
                number: c.number.clone(),
                issued_on: date_of(c.issued_at),
                link: format!("/certificates/{}", c.number),
            })
            .collect(),
        open,
    });
    Ok(())
}

/// A volunteer's sign-ups, newest first (`upcoming`: only those not over yet, soonest first).
pub async fn my_signups(db: &Db, by: &Acting, upcoming: bool) -> AppResult<Vec<MySignup>> {
    let p = by.user()?;
    let vid = match p.volunteer_id {
        Some(v) => v,
        None => crate::features::volunteers::own_volunteer(db, by).await?.id,
    };
    let from = upcoming.then(now);
    // Years of sign-ups stay far below this; the API answers them a page at a time.
    Ok(store::my_signups(db, vid, from, 10_000).await?)
}
