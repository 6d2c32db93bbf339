//! The activities' HTML pages: thin handlers over the service.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Form;

use super::service::*;
use crate::auth::policy::{self, Listing};
use crate::db::now;
use crate::db::signups::SignupOutcome;
use crate::db::{activities, attendance, settings, signups, volunteers};
use crate::domain::activity::{ActivityForm, Phase, SignupStatus};
use crate::domain::service::format_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::form::{Choice, Field, FormPage};
use crate::web::labels;
use crate::web::{redirect_with_flash, Ctx};

// ---------------------------------------------------------------- pages

async fn community_choices(state: &AppState) -> AppResult<Vec<Choice>> {
    let rows = activities::community_choices(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect())
}

fn choices_categories(lang: Lang) -> Vec<Choice> {
    labels::categories(lang)
        .into_iter()
        .map(|(code, label)| Choice {
            value: code.to_string(),
            label,
        })
        .collect()
}

fn choices_dimensions(lang: Lang) -> Vec<Choice> {
    labels::dimensions(lang)
        .into_iter()
        .map(|(code, label)| Choice {
            value: code.to_string(),
            label,
        })
        .collect()
}

async fn form_page(state: &AppState, ctx: &Ctx, input: &ActivityInput, id: Option<i64>) -> AppResult<FormPage> {
    let l = ctx.lang;
    let teams = own_teams(state, ctx).await?;
    let communities = community_choices(state).await?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let opt = |value: &str, key: &str| Choice {
        value: value.into(),
        label: ctx.t(key),
    };
    let mut fields = vec![
        Field::select(
            l,
            "team_id",
            "activity.team",
            n(input.team_id),
            teams
                .iter()
                .map(|t| Choice {
                    value: t.id.to_string(),
                    label: format!("{}（{}）", t.name, t.org_name),
                })
                .collect(),
        )
        .required(),
        Field::text(l, "title", "activity.title", s(&input.title)).required(),
        Field::text(l, "theme", "activity.theme", s(&input.theme)).hint(l, "activity.theme_hint"),
        Field::select(
            l,
            "category",
            "activity.category",
            s(&input.category),
            choices_categories(l),
        )
        .required(),
        Field::select(
            l,
            "dimension",
            "activity.dimension",
            s(&input.dimension),
            choices_dimensions(l),
        )
        .required(),
        Field::select(
            l,
            "form",
            "activity.form",
            s(&input.form),
            // A dispatched action's activity stays one.
            if input.form.as_deref().and_then(ActivityForm::parse) == Some(ActivityForm::Dispatched) {
                vec![opt("dispatched", "form.dispatched")]
            } else {
                vec![
                    opt("concentrated", "form.concentrated"),
                    opt("scattered", "form.scattered"),
                ]
            },
        )
        .required()
        .hint(l, "activity.form_hint"),
        Field::select(
            l,
            "community_id",
            "activity.community",
            n(input.community_id),
            communities,
        ),
        Field::text(l, "address", "activity.address", s(&input.address)).required(),
        Field::text(l, "lat", "activity.lat", s(&input.lat)).hint(l, "activity.point_hint"),
        Field::text(l, "lng", "activity.lng", s(&input.lng)),
        Field::text(l, "starts_at", "activity.starts_at", s(&input.starts_at))
            .kind("datetime-local")
            .required(),
        Field::text(l, "ends_at", "activity.ends_at", s(&input.ends_at))
            .kind("datetime-local")
            .required(),
        Field::text(l, "capacity", "activity.capacity", n(input.capacity))
            .kind("number")
            .required(),
        Field::select(
            l,
            "open_to",
            "activity.open_to",
            input.open_to.clone().unwrap_or("all".into()),
            vec![opt("all", "open_to.all"), opt("team", "open_to.team")],
        ),
        Field::text(
            l,
            "signup_opens_at",
            "activity.signup_opens_at",
            s(&input.signup_opens_at),
        )
        .kind("datetime-local"),
        Field::text(
            l,
            "signup_closes_at",
            "activity.signup_closes_at",
            s(&input.signup_closes_at),
        )
        .kind("datetime-local")
        .hint(l, "activity.window_hint"),
        Field::text(l, "min_age", "activity.min_age", n(input.min_age)).kind("number"),
        Field::text(l, "max_age", "activity.max_age", n(input.max_age)).kind("number"),
        Field::text(l, "skills", "activity.skills", s(&input.skills)),
        Field::text(l, "content", "activity.content", s(&input.content)).kind("textarea"),
        Field::text(l, "leader_name", "activity.leader_name", s(&input.leader_name)),
        Field::text(l, "leader_phone", "activity.leader_phone", s(&input.leader_phone)).kind("tel"),
        Field::text(
            l,
            "risky",
            "activity.risky",
            if input.risky.unwrap_or(false) { "on" } else { "" },
        )
        .kind("checkbox"),
        Field::text(l, "risk_statement", "activity.risk_statement", s(&input.risk_statement)).kind("textarea"),
        Field::text(l, "insurance", "activity.insurance", s(&input.insurance)).hint(l, "activity.insurance_hint"),
        Field::text(
            l,
            "code_rotates",
            "activity.code_rotates",
            if input.code_rotates.unwrap_or(false) { "on" } else { "" },
        )
        .kind("checkbox"),
        Field::text(l, "geofence_m", "activity.geofence_m", n(input.geofence_m))
            .kind("number")
            .hint(l, "activity.geofence_hint"),
    ];
    for f in fields.iter_mut() {
        if f.kind == "textarea" {
            f.maxlength = Some(2000);
        }
    }
    let (title, action, cancel) = match id {
        Some(id) => (
            ctx.t("activity.edit"),
            format!("/activities/{id}"),
            format!("/activities/{id}"),
        ),
        None => (
            ctx.t("activity.new"),
            "/activities".to_string(),
            "/activities".to_string(),
        ),
    };
    Ok(FormPage::new(l, title, action, cancel, fields))
}

pub async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ActivityParams>,
) -> AppResult<Response> {
    let page = list(&state, &ctx, &params).await?;
    let t = now();
    let rows: Vec<_> = page
        .items
        .iter()
        .map(|a| {
            minijinja::context! {
                a => a, starts => format_local(a.starts_at), ends => crate::domain::dates::format_local_time(a.ends_at),
                category => labels::category(ctx.lang, a.category), dimension => labels::dimension(ctx.lang, a.dimension),
                phase => activities::phase(a.status, a.starts_at, a.ends_at, t),
                full => a.taken >= a.capacity,
            }
        })
        .collect();
    // The policy says who runs teams; listing them (a pairing lookup per team) is for the form.
    let may_create = ctx
        .principal
        .as_ref()
        .is_some_and(|p| policy::may_create(p, Listing::Teams));
    let pages = crate::features::pages(page.total, page.per_page);
    let query = |p: i64| {
        let mut q = vec![format!("page={p}")];
        for (k, v) in [
            ("q", params.q.clone()),
            ("when", params.when.clone()),
            ("category", params.category.clone()),
            ("form", params.form.clone()),
            ("community_id", params.community_id.map(|x| x.to_string())),
            ("mine", params.mine.filter(|m| *m).map(|_| "true".to_string())),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                q.push(format!("{k}={}", crate::web::urlencode(&v)));
            }
        }
        format!("/activities?{}", q.join("&"))
    };
    let communities = community_choices(&state).await?;
    Ok(ctx.render(
        &state,
        "activities/activities.html",
        minijinja::context! {
            title => ctx.t("nav.activities"), rows => rows, total => page.total, page => page.page, pages => pages,
            prev => (page.page > 1).then(|| query(page.page - 1)), next => (page.page < pages).then(|| query(page.page + 1)),
            params => minijinja::context! { q => params.q, when => params.when.clone().unwrap_or("upcoming".into()),
                category => params.category, form => params.form, community_id => params.community_id, mine => params.mine.unwrap_or(false) },
            categories => choices_categories(ctx.lang), communities => communities, may_create => may_create,
            signed_in => ctx.principal.is_some(),
        },
    ))
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let teams = own_teams(&state, &ctx).await?;
    if teams.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut input = ActivityInput {
        capacity: Some(20),
        ..Default::default()
    };
    if let [only] = teams.as_slice() {
        input.team_id = Some(only.id);
        input.leader_name = Some(only.leader_name.clone());
        input.leader_phone = Some(only.leader_phone.clone());
    }
    Ok(ctx.render_form(&state, &form_page(&state, &ctx, &input, None).await?))
}

pub async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ActivityInput>,
) -> AppResult<Response> {
    match create(&state, &ctx, &input).await {
        Ok(a) => Ok(redirect_with_flash(
            &format!("/activities/{}", a.id),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            let page = form_page(&state, &ctx, &input, None)
                .await?
                .with_errors(&errs, ctx.lang);
            Ok(crate::web::unprocessable(ctx.render_form(&state, &page)))
        }
        Err(e) => Err(e),
    }
}

pub async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = load_managed(&state, &ctx, id).await?;
    Ok(ctx.render_form(
        &state,
        &form_page(&state, &ctx, &ActivityInput::of(&a), Some(id)).await?,
    ))
}

pub async fn update_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ActivityInput>,
) -> AppResult<Response> {
    let result = update(&state, &ctx, id, &input).await;
    crate::web::form::outcome(&state, &ctx, result, &format!("/activities/{id}"), || async {
        form_page(&state, &ctx, &input, Some(id)).await
    })
    .await
}

/// Everything the activity page shows.
pub async fn detail_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = load(&state, &ctx, id).await?;
    let manage = may_manage(&state, &ctx, &a).await?;
    let t = now();
    let own = match &ctx.principal {
        Some(p) => volunteers::volunteer_by_user(&state.db, p.user_id).await?,
        None => None,
    };
    let participants = signups::participants(&state.db, a.id).await?;
    let mine = own
        .as_ref()
        .and_then(|v| participants.iter().find(|x| x.volunteer_id == v.id).cloned());
    let rules = settings::rules(&state.db).await?;
    let due = crate::features::attendance::confirm_due_day(&a, &rules);
    let (people, corrections, members, dispatch) = if manage {
        let rows: Vec<_> = participants
            .iter()
            .map(|x| {
                minijinja::context! {
                    p => x, phone => crate::domain::phone::Phone::mask(&x.phone),
                    in_at => x.signed_in_at.map(format_local), out_at => x.signed_out_at.map(format_local),
                    hours => x.minutes.map(crate::domain::service::hours),
                }
            })
            .collect();
        let mut members = vec![];
        for tid in activities::activity_team_ids(&state.db, a.id).await? {
            for m in volunteers::members(&state.db, tid).await? {
                if !participants.iter().any(|x| x.volunteer_id == m.volunteer.id) {
                    members.push(minijinja::context! { id => m.volunteer.id, name => m.volunteer.name, no => m.volunteer.volunteer_no });
                }
            }
        }
        let corr: Vec<_> = attendance::corrections(&state.db, a.id)
            .await?
            .into_iter()
            .map(|c| minijinja::context! { c => c, at => format_local(c.at) })
            .collect();
        (rows, corr, members, a.dispatch_id)
    } else {
        (vec![], vec![], vec![], None)
    };
    let waiting = participants
        .iter()
        .filter(|x| x.signup == Some(SignupStatus::Waiting))
        .count();
    let photos = activities::photos(&state.db, a.id).await?;
    let phase = a.phase(t);
    Ok(ctx.render(
        &state,
        "activities/activity.html",
        minijinja::context! {
            title => a.title, a => a, phase => phase, manage => manage,
            starts => format_local(a.starts_at), ends => format_local(a.ends_at),
            signup_opens => a.signup_opens_at.map(format_local), signup_closes => a.signup_closes_at.map(format_local),
            category => labels::category(ctx.lang, a.category), dimension => labels::dimension(ctx.lang, a.dimension),
            mine => mine, has_record => own.is_some(), waiting => waiting,
            people => people, members => members, corrections => corrections, photos => photos, dispatch_id => dispatch,
            confirm_due => due, signed_in => ctx.principal.is_some(),
            // Staff accounts hold no volunteer record: no sign-up box for them.
            volunteer_account => ctx.principal.as_ref().is_some_and(|p| p.role == crate::auth::policy::Role::Volunteer),
            may_sign_up => phase == Phase::Published,
            may_sign_in => matches!(phase, Phase::Published | Phase::Ongoing | Phase::Ended) && t >= a.starts_at - rules.signin_early_minutes * 60,
        },
    ))
}

pub async fn status_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<StatusInput>,
) -> AppResult<Response> {
    match change_status(&state, &ctx, id, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/activities/{id}"),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => {
            Ok(ctx.refusal_for(&state, "activity.refused", &errs, &format!("/activities/{id}")))
        }
        Err(e) => Err(e),
    }
}

pub async fn signup_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    if ctx.principal.is_none() {
        return Ok(axum::response::Redirect::to(&format!(
            "/login?next={}",
            crate::web::urlencode(&format!("/activities/{id}"))
        ))
        .into_response());
    }
    signup_outcome(&state, &ctx, id, sign_up(&state, &ctx, id, None).await)
}

fn signup_outcome(state: &AppState, ctx: &Ctx, id: i64, r: AppResult<SignupResult>) -> AppResult<Response> {
    let back = format!("/activities/{id}");
    match r {
        Ok(r) => {
            let key = match r.outcome {
                SignupOutcome::Confirmed => "flash.signed_up",
                SignupOutcome::Waiting => "flash.waiting",
                SignupOutcome::AlreadyConfirmed => "flash.already_signed_up",
                SignupOutcome::AlreadyWaiting => "flash.already_waiting",
            };
            Ok(redirect_with_flash(&back, key, ctx.secure))
        }
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(state, "activity.signup_refused", &errs, &back)),
        Err(AppError::BadRequest(k)) => Ok(ctx.refusal(state, "activity.signup_refused", vec![ctx.t(k)], &back)),
        Err(e) => Err(e),
    }
}

pub async fn cancel_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<AddInput>,
) -> AppResult<Response> {
    let back = format!("/activities/{id}");
    match cancel(&state, &ctx, id, input.volunteer_id).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.signup_cancelled", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

pub async fn add_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<AddInput>,
) -> AppResult<Response> {
    let Some(vid) = input.volunteer_id else {
        return Ok(ctx.refusal(
            &state,
            "activity.signup_refused",
            vec![ctx.t("err.choose_volunteer")],
            &format!("/activities/{id}"),
        ));
    };
    signup_outcome(&state, &ctx, id, sign_up(&state, &ctx, id, Some(vid)).await)
}

pub async fn summary_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<SummaryInput>,
) -> AppResult<Response> {
    let back = format!("/activities/{id}");
    match summarise(&state, &ctx, id, &input).await {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

pub async fn photo_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let back = format!("/activities/{id}");
    let r = match read_photo(multipart).await {
        Ok(up) => add_photo(&state, &ctx, id, &up.bytes, up.alt.as_deref()).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(redirect_with_flash(&back, "flash.photo_added", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(ctx.refusal_for(&state, "activity.photo_refused", &errs, &back)),
        Err(e) => Err(e),
    }
}

pub async fn photo_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, photo)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let a = load(&state, &ctx, id).await?;
    let (kind, data) = activities::photo(&state.db, id, photo)
        .await?
        .ok_or(AppError::NotFound)?;
    // A completed, published activity's report is public (the public site shows it): any cache
    // may keep its photos. All others stay behind the activity's access check.
    let cache = if is_public_report(&a) {
        "public, max-age=86400"
    } else {
        "private, max-age=86400"
    };
    Ok((
        [
            (CONTENT_TYPE, kind),
            (axum::http::header::CACHE_CONTROL, cache.to_string()),
        ],
        data,
    )
        .into_response())
}

/// A photo upload: the image (field `file`) and what it shows (field `alt`), in either order.
pub struct PhotoUpload {
    pub bytes: Vec<u8>,
    pub alt: Option<String>,
}

pub async fn read_photo(mut multipart: Multipart) -> AppResult<PhotoUpload> {
    let too_large = || AppError::Validation(vec![FieldError::new("file", "err.file_too_large").with("mb", 5)]);
    let mut bytes = None;
    let mut alt = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        match field.name() {
            Some("file") if bytes.is_none() => bytes = Some(field.bytes().await.map_err(|_| too_large())?.to_vec()),
            // Text, not a file: a short read is enough (a longer one is refused by the service).
            Some("alt") if alt.is_none() => alt = Some(field.text().await.map_err(|_| too_large())?),
            _ => {}
        }
    }
    match bytes {
        Some(bytes) => Ok(PhotoUpload { bytes, alt }),
        None => Err(AppError::field("file", "err.no_file")),
    }
}
