//! The HTML templates, compiled into the binary, and the functions they may call.

use minijinja::value::Kwargs;
use minijinja::{Environment, State};

use crate::i18n::{tf, Lang};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("delete.html", include_str!("../../templates/delete.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("form.html", include_str!("../../templates/form.html")),
    ("import.html", include_str!("../../templates/import.html")),
    ("list.html", include_str!("../../templates/list.html")),
    ("notice.html", include_str!("../../templates/notice.html")),
    (
        "account/account.html",
        include_str!("../../templates/account/account.html"),
    ),
    ("account/login.html", include_str!("../../templates/account/login.html")),
    (
        "activities/activities.html",
        include_str!("../../templates/activities/activities.html"),
    ),
    (
        "activities/activity.html",
        include_str!("../../templates/activities/activity.html"),
    ),
    (
        "attendance/poster.html",
        include_str!("../../templates/attendance/poster.html"),
    ),
    (
        "attendance/scan.html",
        include_str!("../../templates/attendance/scan.html"),
    ),
    ("audit/audit.html", include_str!("../../templates/audit/audit.html")),
    (
        "calendar/calendar.html",
        include_str!("../../templates/calendar/calendar.html"),
    ),
    (
        "campaign/board.html",
        include_str!("../../templates/campaign/board.html"),
    ),
    (
        "certificates/certificate.html",
        include_str!("../../templates/certificates/certificate.html"),
    ),
    (
        "certificates/service.html",
        include_str!("../../templates/certificates/service.html"),
    ),
    (
        "certificates/verify.html",
        include_str!("../../templates/certificates/verify.html"),
    ),
    (
        "checkins/checkins.html",
        include_str!("../../templates/checkins/checkins.html"),
    ),
    (
        "compliance/compliance.html",
        include_str!("../../templates/compliance/compliance.html"),
    ),
    (
        "compliance/compliance_unit.html",
        include_str!("../../templates/compliance/compliance_unit.html"),
    ),
    (
        "stats/dashboard.html",
        include_str!("../../templates/stats/dashboard.html"),
    ),
    (
        "monthly/monthly.html",
        include_str!("../../templates/monthly/monthly.html"),
    ),
    (
        "dispatches/dispatch.html",
        include_str!("../../templates/dispatches/dispatch.html"),
    ),
    (
        "dispatches/dispatch_new.html",
        include_str!("../../templates/dispatches/dispatch_new.html"),
    ),
    (
        "dispatches/dispatches.html",
        include_str!("../../templates/dispatches/dispatches.html"),
    ),
    ("home/home.html", include_str!("../../templates/home/home.html")),
    ("identity/link.html", include_str!("../../templates/identity/link.html")),
    (
        "privacy/erasure.html",
        include_str!("../../templates/privacy/erasure.html"),
    ),
    ("teams/team.html", include_str!("../../templates/teams/team.html")),
    (
        "traffic/traffic.html",
        include_str!("../../templates/traffic/traffic.html"),
    ),
    (
        "volunteers/volunteer.html",
        include_str!("../../templates/volunteers/volunteer.html"),
    ),
    (
        "recovery/forgot.html",
        include_str!("../../templates/recovery/forgot.html"),
    ),
    (
        "recovery/reset.html",
        include_str!("../../templates/recovery/reset.html"),
    ),
    ("users/reset.html", include_str!("../../templates/users/reset.html")),
    ("home/signups.html", include_str!("../../templates/home/signups.html")),
    ("needs/asked.html", include_str!("../../templates/needs/asked.html")),
    ("needs/ask.html", include_str!("../../templates/needs/ask.html")),
    ("needs/detail.html", include_str!("../../templates/needs/detail.html")),
    ("needs/fields.html", include_str!("../../templates/needs/fields.html")),
    ("needs/figures.html", include_str!("../../templates/needs/figures.html")),
    ("needs/list.html", include_str!("../../templates/needs/list.html")),
    ("needs/new.html", include_str!("../../templates/needs/new.html")),
    ("needs/stars.html", include_str!("../../templates/needs/stars.html")),
    ("needs/track.html", include_str!("../../templates/needs/track.html")),
    ("needs/wall.html", include_str!("../../templates/needs/wall.html")),
    (
        "notifications/inbox.html",
        include_str!("../../templates/notifications/inbox.html"),
    ),
    (
        "notifications/sends.html",
        include_str!("../../templates/notifications/sends.html"),
    ),
    (
        "contact/contact.html",
        include_str!("../../templates/contact/contact.html"),
    ),
    (
        "inspections/inspections.html",
        include_str!("../../templates/inspections/inspections.html"),
    ),
    (
        "inspections/new.html",
        include_str!("../../templates/inspections/new.html"),
    ),
    (
        "inspections/inspection.html",
        include_str!("../../templates/inspections/inspection.html"),
    ),
    (
        "inspections/findings.html",
        include_str!("../../templates/inspections/findings.html"),
    ),
    (
        "inspections/checklist.html",
        include_str!("../../templates/inspections/checklist.html"),
    ),
    (
        "assessment/ranking.html",
        include_str!("../../templates/assessment/ranking.html"),
    ),
    (
        "assessment/explain.html",
        include_str!("../../templates/assessment/explain.html"),
    ),
    (
        "assessment/scheme.html",
        include_str!("../../templates/assessment/scheme.html"),
    ),
    (
        "assessment/adjustments.html",
        include_str!("../../templates/assessment/adjustments.html"),
    ),
    (
        "commendations/overview.html",
        include_str!("../../templates/commendations/overview.html"),
    ),
    (
        "commendations/candidates.html",
        include_str!("../../templates/commendations/candidates.html"),
    ),
    (
        "commendations/nominate.html",
        include_str!("../../templates/commendations/nominate.html"),
    ),
    (
        "commendations/nomination.html",
        include_str!("../../templates/commendations/nomination.html"),
    ),
    (
        "commendations/notice.html",
        include_str!("../../templates/commendations/notice.html"),
    ),
    (
        "commendations/honours.html",
        include_str!("../../templates/commendations/honours.html"),
    ),
    (
        "commendations/roll.html",
        include_str!("../../templates/commendations/roll.html"),
    ),
    (
        "commendations/certificate.html",
        include_str!("../../templates/commendations/certificate.html"),
    ),
    ("public/layout.html", include_str!("../../templates/public/layout.html")),
    ("public/home.html", include_str!("../../templates/public/home.html")),
    (
        "public/activity_card.html",
        include_str!("../../templates/public/activity_card.html"),
    ),
    (
        "public/report_card.html",
        include_str!("../../templates/public/report_card.html"),
    ),
    (
        "public/activities.html",
        include_str!("../../templates/public/activities.html"),
    ),
    (
        "public/reports.html",
        include_str!("../../templates/public/reports.html"),
    ),
    ("public/report.html", include_str!("../../templates/public/report.html")),
    ("public/verify.html", include_str!("../../templates/public/verify.html")),
];

pub const CSS: &str = include_str!("../../templates/static/app.css");
pub const JS: &str = include_str!("../../templates/static/app.js");

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, src) in TEMPLATES {
        env.add_template(name, src)
            .expect("templates are checked by the test suite");
    }
    // `t("key")` reads the page's `lang`; `t("key", name=value)` fills `{name}`.
    env.add_function(
        "t",
        |state: &State, key: &str, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let lang = state
                .lookup("lang")
                .map(|v| Lang::parse(&v.to_string()))
                .unwrap_or_default();
            let mut params = vec![];
            for name in kwargs.args() {
                params.push((name, kwargs.get::<minijinja::Value>(name)?.to_string()));
            }
            Ok(tf(lang, key, &params))
        },
    );
    // Timestamps are stored in UTC seconds and shown in China time.
    env.add_filter("datetime", crate::domain::dates::format_local);
    env.add_filter("time", crate::domain::dates::format_local_time);
    env
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_compiles() {
        let env = super::environment();
        for (name, _) in super::TEMPLATES {
            env.get_template(name).unwrap();
        }
    }
}
