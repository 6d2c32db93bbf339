//! The HTML templates, compiled into the binary, and the functions they may call.

use minijinja::value::Kwargs;
use minijinja::{Environment, State};

use crate::i18n::{tf, Lang};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("account/login.html", include_str!("../../templates/account/login.html")),
    ("link.html", include_str!("../../templates/link.html")),
    ("home/home.html", include_str!("../../templates/home/home.html")),
    ("list.html", include_str!("../../templates/list.html")),
    ("form.html", include_str!("../../templates/form.html")),
    ("delete.html", include_str!("../../templates/delete.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("audit/audit.html", include_str!("../../templates/audit/audit.html")),
    (
        "account/account.html",
        include_str!("../../templates/account/account.html"),
    ),
    ("import.html", include_str!("../../templates/import.html")),
    ("board.html", include_str!("../../templates/board.html")),
    ("team.html", include_str!("../../templates/team.html")),
    ("notice.html", include_str!("../../templates/notice.html")),
    ("traffic.html", include_str!("../../templates/traffic.html")),
    ("checkins.html", include_str!("../../templates/checkins.html")),
    ("volunteer.html", include_str!("../../templates/volunteer.html")),
    ("erasure.html", include_str!("../../templates/erasure.html")),
    ("calendar.html", include_str!("../../templates/calendar.html")),
    ("activities.html", include_str!("../../templates/activities.html")),
    ("activity.html", include_str!("../../templates/activity.html")),
    ("scan.html", include_str!("../../templates/scan.html")),
    ("poster.html", include_str!("../../templates/poster.html")),
    ("dispatches.html", include_str!("../../templates/dispatches.html")),
    ("dispatch_new.html", include_str!("../../templates/dispatch_new.html")),
    ("dispatch.html", include_str!("../../templates/dispatch.html")),
    ("service.html", include_str!("../../templates/service.html")),
    ("certificate.html", include_str!("../../templates/certificate.html")),
    ("verify.html", include_str!("../../templates/verify.html")),
    ("compliance.html", include_str!("../../templates/compliance.html")),
    (
        "compliance_unit.html",
        include_str!("../../templates/compliance_unit.html"),
    ),
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
