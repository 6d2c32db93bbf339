//! The campaign year's HTML form.

use super::service::CampaignInput;
use crate::auth::Acting;
use crate::web::form::{Field, FormPage};

pub fn form(by: &Acting, title_key: &str, action: &str, input: &CampaignInput, with_year: bool) -> FormPage {
    let lang = by.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let date =
        |name: &'static str, key: &str, value: &Option<String>| Field::text(lang, name, key, v(value)).kind("date");
    let mut fields = vec![];
    if with_year {
        fields.push(
            Field::text(
                lang,
                "year",
                "field.year",
                input.year.map(|y| y.to_string()).unwrap_or_default(),
            )
            .required(),
        );
    }
    fields.extend([
        Field::text(lang, "name", "field.campaign_name", v(&input.name)).hint(lang, "hint.campaign_name"),
        date("formation_due", "field.formation_due", &input.formation_due),
        date("roster_due", "field.roster_due", &input.roster_due),
        date("checkin_due", "field.checkin_due", &input.checkin_due),
        date("activities_start", "field.activities_start", &input.activities_start),
        date("activities_end", "field.activities_end", &input.activities_end),
        Field::text(
            lang,
            "commendation_month",
            "field.commendation_month",
            v(&input.commendation_month),
        )
        .kind("month"),
        date("reference_date", "field.reference_date", &input.reference_date).hint(lang, "hint.reference_date"),
    ]);
    FormPage::new(lang, by.t(title_key), action, "/board", fields)
}
