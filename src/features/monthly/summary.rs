//! The short paragraph for publicity a clerk copies into a notice, written from the month's
//! figures in the caller's language ("3月，全区32支志愿服务队开展活动118场……").

use crate::db::monthly::Monthly;
use crate::domain::monthly::{grouped, grouped_hours, Area};
use crate::excel::forms::monthly::day;
use crate::i18n::{t, tf, Lang};

/// The month as the paragraph opens (3月; March 2026).
fn month_words(lang: Lang, month: &str) -> String {
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap_or_default();
    let (y, m) = month.split_once('-').unwrap_or((month, ""));
    tf(
        lang,
        "monthly.summary.month",
        &[
            ("y", y.to_string()),
            ("m", m.trim_start_matches('0').to_string()),
            ("name", first.format("%B").to_string()),
        ],
    )
}

/// The paragraph: what was held, by whom, for how long; the concentrated day; the busiest
/// category; new registrations; the needs when recorded.
pub fn paragraph(m: &Monthly, area: Area, lang: Lang) -> String {
    let who = match area {
        Area::District => t(lang, "monthly.summary.district"),
        _ => m.area_name.clone(),
    };
    let month = month_words(lang, &m.month);
    if m.total.held == 0 {
        let mut s = tf(lang, "monthly.summary.none", &[("month", month), ("area", who)]);
        if m.new_registrations > 0 {
            s.push_str(&tf(lang, "monthly.summary.new", &[("n", grouped(m.new_registrations))]));
        }
        return s;
    }
    let mut parts = vec![tf(
        lang,
        "monthly.summary.main",
        &[
            ("month", month),
            ("area", who),
            ("teams", grouped(m.teams_active)),
            ("held", grouped(m.total.held)),
            ("person_times", grouped(m.total.person_times)),
            ("people", grouped(m.volunteers_active)),
            ("hours", grouped_hours(m.total.minutes)),
        ],
    )];
    if let Some(d) = m.concentrated_day.as_deref().filter(|_| m.concentrated_people > 0) {
        parts.push(tf(
            lang,
            "monthly.summary.day",
            &[
                ("day", day(lang, d)),
                ("teams", grouped(m.concentrated_teams)),
                ("people", grouped(m.concentrated_people)),
            ],
        ));
    }
    // The busiest category (the first in the notice's order on a tie).
    if let Some(top) = m
        .by_category
        .iter()
        .filter(|l| l.held > 0)
        .fold(None::<&crate::db::monthly::Line>, |best, l| match best {
            Some(b) if b.held >= l.held => Some(b),
            _ => Some(l),
        })
    {
        parts.push(tf(
            lang,
            "monthly.summary.top",
            &[("category", top.label.clone()), ("n", grouped(top.held))],
        ));
    }
    if m.new_registrations > 0 {
        parts.push(tf(lang, "monthly.summary.new", &[("n", grouped(m.new_registrations))]));
    }
    if let Some(n) = &m.needs {
        parts.push(tf(
            lang,
            "monthly.summary.needs",
            &[("received", grouped(n.received)), ("fulfilled", grouped(n.fulfilled))],
        ));
    }
    // Chinese sentences run on after their 。; English ones take a space.
    parts.join(if lang == Lang::Zh { "" } else { " " })
}
