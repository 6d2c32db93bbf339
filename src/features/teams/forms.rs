//! The forms of teams and of a person on a roster, as the pages show them.

use crate::auth::policy::{self, Listing, Principal, Role, Scope};
use crate::db::teams::Team;
use crate::db::{communities, list::ListQuery, units, Db};
use crate::domain::politics::PoliticalStatus;
use crate::error::AppResult;
use crate::i18n::{t, tf};
use crate::web::form::{Choice, Field, FormPage};
use crate::web::Ctx;

use super::members::{checked, VolunteerInput};
use super::service::TeamInput;

async fn org_choices(db: &Db, p: &Principal) -> AppResult<(Vec<Choice>, Vec<Choice>)> {
    let all = |scope| ListQuery {
        q: None,
        page: 1,
        per_page: 100_000,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let units = if p.role == Role::DistrictAdmin {
        units::list_units(db, &all(Scope::All))
            .await?
            .items
            .into_iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.name,
            })
            .collect()
    } else {
        vec![]
    };
    let communities = match p.role {
        Role::DistrictAdmin | Role::StreetAdmin => {
            communities::list_communities(db, &all(policy::list_scope(p, Listing::Communities)))
                .await?
                .items
                .into_iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: format!("{} / {}", c.street_name, c.name),
                })
                .collect()
        }
        _ => vec![],
    };
    Ok((units, communities))
}

pub async fn team_form(
    db: &Db,
    ctx: &Ctx,
    title_key: &str,
    action: String,
    input: &TeamInput,
    creating: bool,
) -> AppResult<FormPage> {
    let p = ctx.user()?;
    let lang = ctx.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut fields = vec![];
    if creating {
        let (units, communities) = org_choices(db, p).await?;
        if !units.is_empty() {
            fields.push(
                Field::select(
                    lang,
                    "unit_id",
                    "field.unit",
                    input.unit_id.map(|x| x.to_string()).unwrap_or_default(),
                    units,
                )
                .hint(lang, "hint.team_org"),
            );
        }
        if !communities.is_empty() {
            fields.push(
                Field::select(
                    lang,
                    "community_id",
                    "field.community",
                    input.community_id.map(|x| x.to_string()).unwrap_or_default(),
                    communities,
                )
                .hint(lang, "hint.team_org"),
            );
        }
    }
    let categories = crate::web::labels::categories(lang)
        .iter()
        .enumerate()
        .map(|(i, (_, l))| format!("{} {l}", i + 1))
        .collect::<Vec<_>>()
        .join(if lang == crate::i18n::Lang::En { "; " } else { "；" });
    fields.extend([
        Field::text(lang, "name", "field.team_name", v(&input.name))
            .required()
            .hint(lang, "hint.team_name"),
        Field::text(lang, "leader_name", "field.leader", v(&input.leader_name)),
        Field::text(lang, "leader_phone", "field.leader_phone", v(&input.leader_phone)).kind("tel"),
        Field::text(lang, "contact_name", "field.contact", v(&input.contact_name)),
        Field::text(lang, "contact_phone", "field.contact_phone", v(&input.contact_phone)).kind("tel"),
        {
            let mut f = Field::text(lang, "categories", "field.categories", v(&input.categories));
            f.hint = Some(tf(lang, "hint.categories", &[("list", categories)]));
            f
        },
        Field::text(lang, "founded_on", "field.founded_on", v(&input.founded_on)).kind("date"),
    ]);
    Ok(FormPage::new(lang, ctx.t(title_key), action, "/teams", fields))
}

/// The team's fields as the edit form shows them: the categories by their Chinese names in
/// Chinese, by their numbers in the hint's list in English (both are read back).
pub fn input_of(t: &Team, lang: crate::i18n::Lang) -> TeamInput {
    let english = lang == crate::i18n::Lang::En;
    TeamInput {
        unit_id: t.unit_id,
        community_id: t.community_id,
        name: Some(t.name.clone()),
        leader_name: Some(t.leader_name.clone()),
        leader_phone: Some(t.leader_phone.clone()),
        contact_name: Some(t.contact_name.clone()),
        contact_phone: Some(t.contact_phone.clone()),
        // English forms name the categories by their numbers (the hint lists them), which the
        // form reads back; Chinese forms by their official names.
        categories: Some(if english {
            t.categories
                .0
                .iter()
                .map(|c| {
                    let n = crate::domain::campaign::Category::ALL
                        .iter()
                        .position(|x| x == c)
                        .unwrap_or(0);
                    (n + 1).to_string()
                })
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            t.categories.labels()
        }),
        founded_on: Some(t.founded_on.clone()),
    }
}

pub fn volunteer_fields(lang: crate::i18n::Lang, input: &VolunteerInput, with_manager: bool) -> Vec<Field> {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let sexes = vec![
        Choice {
            value: "男".into(),
            label: t(lang, "sex.M"),
        },
        Choice {
            value: "女".into(),
            label: t(lang, "sex.F"),
        },
    ];
    let politics = PoliticalStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.label().into(),
            label: crate::web::labels::political(lang, s.code()),
        })
        .collect();
    let id_types = crate::domain::volunteer::ID_TYPES
        .iter()
        .map(|(code, l)| Choice {
            value: l.to_string(),
            label: crate::web::labels::id_type(lang, code),
        })
        .collect();
    let mut fields = vec![
        Field::text(lang, "name", "field.person_name", v(&input.name)).required(),
        Field::text(lang, "phone", "field.phone", v(&input.phone))
            .required()
            .kind("tel")
            .hint(lang, "hint.phone"),
        Field::select(lang, "sex", "field.sex", v(&input.sex), sexes),
        Field::text(lang, "birth_date", "field.birth_date", v(&input.birth_date)).hint(lang, "hint.birth_date"),
        Field::select(lang, "id_type", "field.id_type", v(&input.id_type), id_types),
        Field::text(lang, "id_number", "field.id_number", v(&input.id_number)).hint(lang, "hint.id_number"),
        Field::select(
            lang,
            "political_status",
            "field.political_status",
            v(&input.political_status),
            politics,
        ),
        Field::text(lang, "residence", "field.residence", v(&input.residence)),
        Field::text(lang, "employer", "field.employer", v(&input.employer)),
        Field::text(lang, "post", "field.post", v(&input.post)),
        Field::text(lang, "skills", "field.skills", v(&input.skills)),
    ];
    if with_manager {
        fields.push(
            Field::text(
                lang,
                "is_manager",
                "field.is_manager",
                if checked(&input.is_manager) || input.is_manager.as_deref() == Some("是") {
                    "on"
                } else {
                    ""
                },
            )
            .kind("checkbox"),
        );
    }
    fields.extend([
        Field::text(lang, "guardian_name", "field.guardian_name", v(&input.guardian_name)).hint(lang, "hint.guardian"),
        Field::text(lang, "guardian_phone", "field.guardian_phone", v(&input.guardian_phone)).kind("tel"),
        Field::text(
            lang,
            "consent",
            "field.consent",
            if checked(&input.consent) { "on" } else { "" },
        )
        .kind("checkbox"),
        Field::text(
            lang,
            "id_consent",
            "field.id_consent",
            if checked(&input.id_consent) { "on" } else { "" },
        )
        .kind("checkbox"),
    ]);
    fields
}
