//! The HTML pages of teams and their rosters: thin handlers over the service functions.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::forms::{input_of, team_form, volunteer_fields};
use super::members::{add_member, members, remove_member, VolunteerInput};
use super::roster::import;
use super::service::{
    active_campaign, add_manager, create, delete_manager, list, load, load_for_change, review, submit, update,
    ManagerInput, ReviewInput, TeamInput, TeamListParams,
};
use crate::auth::policy::{self, Action, Listing, Object, Role, Scope};
use crate::db::managers::{self, Manager};
use crate::db::teams::{self as store, Team};
use crate::domain::politics::PoliticalStatus;
use crate::domain::team::RosterStatus;
use crate::error::{AppError, AppResult};
use crate::excel::ImportReport;
use crate::features::volunteers::RevealParam;
use crate::features::{identity, volunteers};
use crate::state::AppState;
use crate::web::form::{lenient_i64, outcome, Choice, FormPage};
use crate::web::list::{Cell, Filter, Link, ListPage, Row};
use crate::web::upload::read_upload;
use crate::web::{redirect_with_flash, Ctx};

fn status_label(ctx: &Ctx, status: RosterStatus) -> String {
    ctx.t(&status.label_key())
}

pub async fn page_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<TeamListParams>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    if active_campaign(&state.db).await.is_err() {
        return Err(AppError::BadRequest("err.no_campaign"));
    }
    let teams = list(&state.db, &ctx, &params).await?;
    let mut view = ListPage::new(
        ctx.t("teams.title"),
        "/teams",
        params.q.as_deref(),
        teams.len() as i64,
        1,
        100_000,
    );
    for (name, v) in [("unit_id", params.unit_id), ("community_id", params.community_id)] {
        if let Some(v) = v {
            view.query
                .push_str(&format!("{}{name}={v}", if view.query.is_empty() { "" } else { "&" }));
        }
    }
    if policy::may_create(p, Listing::Teams) {
        view.new_url = Some("/teams/new".into());
    }
    view.actions.push(Link {
        label: ctx.t("roster.template"),
        href: "/roster/template.xlsx".into(),
    });
    if policy::list_scope(p, Listing::Board) != Scope::Nothing {
        view.actions.push(Link {
            label: ctx.t("board.title"),
            href: "/board".into(),
        });
    }
    if p.role == Role::DistrictAdmin {
        view = view.filter(Filter {
            name: "status",
            label: ctx.t("roster.status"),
            options: RosterStatus::FILTERS
                .iter()
                .map(|s| Choice {
                    value: s.as_str().to_string(),
                    label: status_label(&ctx, *s),
                })
                .collect(),
            selected: params.status.clone().unwrap_or_default(),
        });
    }
    view.columns = vec![
        ctx.t("field.org"),
        ctx.t("field.team_name"),
        ctx.t("field.leader"),
        ctx.t("field.contact"),
        ctx.t("teams.members"),
        ctx.t("roster.status"),
    ];
    view.rows = teams
        .iter()
        .map(|tm| Row {
            cells: vec![
                Cell::text(&tm.org_name),
                Cell::link(&tm.name, format!("/teams/{}", tm.id)),
                Cell::text(&tm.leader_name),
                Cell::text(&tm.contact_name),
                Cell::text(tm.members.to_string()),
                Cell::text(status_label(&ctx, tm.roster_status)),
            ],
            edit_url: None,
            delete_url: None,
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

pub async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if !policy::may_create(ctx.user()?, Listing::Teams) {
        return Err(AppError::Forbidden);
    }
    active_campaign(&state.db).await?;
    let f = team_form(
        &state.db,
        &ctx,
        "teams.new",
        "/teams".into(),
        &TeamInput::default(),
        true,
    )
    .await?;
    Ok(ctx.render_form(&state, &f))
}

pub async fn page_create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<TeamInput>) -> AppResult<Response> {
    let result = create(&state.db, &ctx, &input).await;
    if let Ok(team) = &result {
        return Ok(redirect_with_flash(
            &format!("/teams/{}", team.id),
            "flash.saved",
            ctx.secure,
        ));
    }
    outcome(&state, &ctx, result, "/teams", || {
        team_form(&state.db, &ctx, "teams.new", "/teams".into(), &input, true)
    })
    .await
}

pub async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (team, _, _) = load_for_change(&state.db, &ctx, id).await?;
    let f = team_form(
        &state.db,
        &ctx,
        "teams.edit",
        format!("/teams/{id}"),
        &input_of(&team, ctx.lang),
        false,
    )
    .await?;
    Ok(ctx.render_form(&state, &f))
}

pub async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<TeamInput>,
) -> AppResult<Response> {
    let result = update(&state.db, &ctx, id, &input).await;
    let back = format!("/teams/{id}");
    outcome(&state, &ctx, result, &back, || {
        team_form(&state.db, &ctx, "teams.edit", format!("/teams/{id}"), &input, false)
    })
    .await
}

/// The team page: its details, the roster and what can be done with it now.
pub async fn page_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let (team, place) = load(&state.db, &ctx, id).await?;
    let campaign = active_campaign(&state.db).await.ok();
    let editable = policy::allows(p, Action::Update, &Object::Team(place.clone()))
        && campaign.as_ref().is_some_and(|c| c.id == team.campaign_id);
    let (_, members, full) = members(&state.db, &ctx, id, q.reveal.unwrap_or(false), true).await?;
    let may_reveal = !full && policy::may_reveal(p, &Object::Team(place.clone()));
    let erasures = crate::db::privacy::notices(&state.db, id).await?;
    let members: Vec<_> = members
        .iter()
        .map(|m| {
            minijinja::context! {
                m => m,
                sex => match m.person.sex.as_str() { "M" => ctx.t("sex.M"), "F" => ctx.t("sex.F"), _ => String::new() },
                politics => PoliticalStatus::from_code(&m.person.political_status).map(|s| s.label()).unwrap_or(""),
            }
        })
        .collect();
    let managers = match (team.unit_id, &campaign) {
        (Some(u), Some(c)) => managers::managers(&state.db, c.id, u).await?,
        _ => vec![],
    };
    let missing_managers: Vec<&Manager> = managers.iter().filter(|m| !m.on_roster).collect();
    let (pending, corrections) = if editable {
        (
            volunteers::pending(&state.db, &ctx, id).await?,
            identity::corrections(&state.db, &ctx, id).await?,
        )
    } else {
        (vec![], vec![])
    };
    let categories: Vec<String> = team
        .categories
        .0
        .iter()
        .map(|c| crate::web::labels::category(ctx.lang, *c))
        .collect();
    let page = minijinja::context! {
        title => format!("{} · {}", team.org_name, team.name),
        team => team, members => members, editable => editable,
        status_label => if team.roster_status == RosterStatus::Draft && team.roster_accepted_submitted_at.is_some() {
            ctx.t("roster.status.changed")
        } else {
            status_label(&ctx, team.roster_status)
        },
        may_submit => editable && team.roster_status.may_submit(),
        may_review => team.roster_status.under_review() && policy::allows(p, Action::Update, &Object::RosterReview),
        managers => managers, missing_managers => missing_managers, categories => categories, pending => pending,
        corrections => corrections,
        late => campaign.as_ref().zip(team.roster_accepted_submitted_at.or(team.roster_submitted_at)).is_some_and(|(c, at)| crate::domain::campaign::date_of(at) > c.roster_due),
        campaign => campaign, unmasked => full, may_reveal => may_reveal, erasures => erasures,
    };
    Ok(ctx.render(&state, "teams/team.html", page))
}

pub async fn page_submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    match submit(&state.db, &ctx, id).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/teams/{id}"),
            "flash.roster_submitted",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(&state, "roster.cannot_submit", &errs, &format!("/teams/{id}")))
        }
        Err(e) => Err(e),
    }
}

pub async fn page_review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ReviewInput>,
) -> AppResult<Response> {
    match review(&state.db, &ctx, id, &input).await {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/teams/{id}"),
            if t.roster_status == RosterStatus::Accepted {
                "flash.roster_accepted"
            } else {
                "flash.roster_returned"
            },
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(&state, "roster.review", &errs, &format!("/teams/{id}")))
        }
        Err(e) => Err(e),
    }
}

pub async fn page_new_member(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (team, _, _) = load_for_change(&state.db, &ctx, id).await?;
    let fields = volunteer_fields(ctx.lang, &VolunteerInput::default(), team.unit_id.is_some());
    let f = FormPage::new(
        ctx.lang,
        ctx.t("roster.add"),
        format!("/teams/{id}/members"),
        format!("/teams/{id}"),
        fields,
    );
    Ok(ctx.render_form(&state, &f))
}

pub async fn page_add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<VolunteerInput>,
) -> AppResult<Response> {
    let result = add_member(&state.db, &ctx, id, &input).await;
    let back = format!("/teams/{id}");
    let unit_team = store::get_team(&state.db, id)
        .await?
        .is_some_and(|t| t.unit_id.is_some());
    outcome(&state, &ctx, result, &back, || async {
        let fields = volunteer_fields(ctx.lang, &input, unit_team);
        Ok(FormPage::new(
            ctx.lang,
            ctx.t("roster.add"),
            format!("/teams/{id}/members"),
            format!("/teams/{id}"),
            fields,
        ))
    })
    .await
}

pub async fn page_remove_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    remove_member(&state.db, &ctx, id, volunteer_id).await?;
    Ok(redirect_with_flash(
        &format!("/teams/{id}"),
        "flash.deleted",
        ctx.secure,
    ))
}

fn import_page(
    state: &AppState,
    ctx: &Ctx,
    team: &Team,
    report: Option<&ImportReport>,
    file_error: Option<String>,
) -> Response {
    let id = team.id;
    // Said before the upload: a roster under review or accepted goes back for resubmission.
    let note = team.roster_status.with_office().then(|| ctx.t("import.resubmission"));
    let view = crate::features::ImportView {
        title_key: "roster.import",
        action: format!("/teams/{id}/roster/import"),
        template_url: "/roster/template.xlsx",
        fill_key: "roster.fill",
        back: format!("/teams/{id}"),
        checked_key: "roster.dry_run_ok",
        done_key: "roster.import_done",
        note,
    };
    crate::features::import_page(state, ctx, &view, report, file_error)
}

pub async fn page_import(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (team, _, _) = load_for_change(&state.db, &ctx, id).await?;
    Ok(import_page(&state, &ctx, &team, None, None))
}

pub async fn page_import_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (team, _, _) = load_for_change(&state.db, &ctx, id).await?;
    let (bytes, dry_run, _) = match read_upload(multipart).await {
        Ok(x) => x,
        Err(AppError::Validation(errs)) => {
            return Ok(import_page(
                &state,
                &ctx,
                &team,
                None,
                errs.first().map(|e| e.message(ctx.lang)),
            ))
        }
        Err(e) => return Err(e),
    };
    if bytes.is_empty() {
        return Ok(import_page(&state, &ctx, &team, None, Some(ctx.t("err.no_file"))));
    }
    let dry_run = dry_run.is_some_and(|v| v == "true" || v == "on" || v == "1");
    match import(&state, &ctx, id, &bytes, dry_run).await {
        Ok(report) => Ok(import_page(&state, &ctx, &team, Some(&report), None)),
        Err(AppError::Validation(errs)) => Ok(import_page(
            &state,
            &ctx,
            &team,
            None,
            errs.first().map(|e| e.message(ctx.lang)),
        )),
        Err(e) => Err(e),
    }
}

pub async fn page_add_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ManagerInput>,
) -> AppResult<Response> {
    let unit_id = input.unit_id.ok_or(AppError::field("unit_id", "err.required"))?;
    let back = crate::web::safe_next(input.back.as_deref());
    match add_manager(&state.db, &ctx, unit_id, &input).await {
        Ok(()) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(&state, "managers.title", &errs, &back))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct DeleteManagerForm {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    pub back: Option<String>,
}

pub async fn page_delete_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<DeleteManagerForm>,
) -> AppResult<Response> {
    let unit_id = input.unit_id.ok_or(AppError::field("unit_id", "err.required"))?;
    delete_manager(&state.db, &ctx, unit_id, id).await?;
    Ok(redirect_with_flash(
        &crate::web::safe_next(input.back.as_deref()),
        "flash.deleted",
        ctx.secure,
    ))
}
