//! The HTML pages of a volunteer's record, signing up and invitations: thin handlers.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use super::service::{
    decide, invite, join, own_volunteer, record_of, update_me, JoinInput, LinkDecision, Record, RevealParam, SelfInput,
};
use crate::domain::politics::PoliticalStatus;
use crate::error::AppResult;
use crate::features::{privacy, teams};
use crate::state::AppState;
use crate::web::form::{outcome, Field, FormPage};
use crate::web::Ctx;

pub async fn page_decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, user_id)): Path<(i64, i64)>,
    Form(input): Form<LinkDecision>,
) -> AppResult<Response> {
    decide(&state.db, &ctx, id, user_id, &input).await?;
    Ok(crate::web::redirect_with_flash(
        &format!("/teams/{id}"),
        "flash.saved",
        ctx.secure,
    ))
}

fn record_page(state: &AppState, ctx: &Ctx, r: &Record, may_reveal: bool, own: bool) -> Response {
    let politics = PoliticalStatus::from_code(&r.political_status)
        .map(|s| s.label())
        .unwrap_or("");
    let sex = match r.sex.as_str() {
        "M" => ctx.t("sex.M"),
        "F" => ctx.t("sex.F"),
        _ => String::new(),
    };
    let hours: i64 = r.trainings.iter().map(|t| t.minutes).sum();
    let page = minijinja::context! {
        title => format!("{} · {}", r.name, r.volunteer_no), r => r, politics => politics, sex => sex,
        id_type => crate::domain::volunteer::id_type_label(&r.id_type), may_reveal => may_reveal && !r.unmasked, own => own,
        training_hours => format!("{:.1}", hours as f64 / 60.0),
        may_erase => !own && privacy::staff_may_erase(ctx),
    };
    ctx.render(state, "volunteers/volunteer.html", page)
}

pub async fn page_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Response> {
    let r = record_of(&state.db, &ctx, id, q.reveal.unwrap_or(false)).await?;
    Ok(record_page(&state, &ctx, &r, r.may_reveal, false))
}

fn self_form(ctx: &Ctx, input: &SelfInput) -> FormPage {
    let lang = ctx.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let politics = PoliticalStatus::ALL
        .iter()
        .map(|s| crate::web::form::Choice {
            value: s.label().into(),
            label: crate::web::labels::political(lang, s.code()),
        })
        .collect();
    let fields = vec![
        Field::text(lang, "phone", "field.phone", v(&input.phone))
            .required()
            .kind("tel"),
        Field::text(lang, "residence", "field.residence", v(&input.residence)),
        Field::select(
            lang,
            "political_status",
            "field.political_status",
            v(&input.political_status),
            politics,
        ),
        Field::text(lang, "employer", "field.employer", v(&input.employer)),
        Field::text(lang, "post", "field.post", v(&input.post)),
        Field::text(lang, "skills", "field.skills", v(&input.skills)),
    ];
    FormPage::new(lang, ctx.t("me.correct"), "/me/record", "/me/record", fields)
}

pub async fn page_me(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if crate::db::identity::pending_of(&state.db, ctx.user()?.user_id)
        .await?
        .is_some()
    {
        return Ok(axum::response::Redirect::to("/me/link").into_response());
    }
    let v = own_volunteer(&state.db, &ctx).await?;
    let r = record_of(&state.db, &ctx, v.id, false).await?;
    Ok(record_page(&state, &ctx, &r, false, true))
}

pub async fn page_update_me(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<SelfInput>,
) -> AppResult<Response> {
    let result = update_me(&state.db, &ctx, &input).await;
    outcome(&state, &ctx, result, "/me/record", || async {
        Ok(self_form(&ctx, &input))
    })
    .await
}

#[derive(Deserialize)]
pub struct InviteParam {
    pub invite: Option<String>,
}

fn join_form(ctx: &Ctx, input: &JoinInput) -> FormPage {
    let lang = ctx.lang;
    let mut fields = teams::forms::volunteer_fields(lang, &input.person, false);
    // The mobile number is the login: a username is optional (for those without a mobile).
    fields.insert(
        0,
        Field::text(lang, "password", "field.password", "")
            .kind("password")
            .required()
            .hint(lang, "hint.password"),
    );
    fields.push(
        Field::text(lang, "email", "field.email", input.email.clone().unwrap_or_default())
            .kind("email")
            .hint(lang, "hint.join_email"),
    );
    fields.push(
        Field::text(
            lang,
            "username",
            "field.username",
            input.username.clone().unwrap_or_default(),
        )
        .hint(lang, "hint.join_username"),
    );
    let mut invite =
        Field::text(lang, "invite", "field.invite", input.invite.clone().unwrap_or_default()).kind("hidden");
    invite.maxlength = None;
    fields.push(invite);
    let mut f = FormPage::new(lang, ctx.t("join.title"), "/join", "/login", fields);
    f.submit = ctx.t("join.submit");
    f
}

pub async fn page_join(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InviteParam>) -> AppResult<Response> {
    let input = JoinInput {
        invite: q.invite,
        ..Default::default()
    };
    Ok(ctx.render_form(&state, &join_form(&ctx, &input)))
}

pub async fn page_join_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<JoinInput>,
) -> AppResult<Response> {
    match join(&state.db, &ctx, &input).await {
        Ok(j) => {
            let flash = if j.pending {
                "flash.join_pending"
            } else {
                "flash.joined"
            };
            let to = if j.pending {
                "/login?next=%2Fme%2Flink"
            } else {
                "/login"
            };
            Ok(crate::web::redirect_with_flash(to, flash, ctx.secure))
        }
        result => outcome(&state, &ctx, result, "/login", || async { Ok(join_form(&ctx, &input)) }).await,
    }
}

pub async fn page_invite(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let inv = invite(&state.db, &ctx, id).await?;
    let page = minijinja::context! {
        title => ctx.t("invite.title"), messages => vec![ctx.t("invite.help"), inv.url.clone()], back => format!("/teams/{id}"),
        ok => true,
    };
    Ok(ctx.render(&state, "notice.html", page))
}
