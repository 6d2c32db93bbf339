//! Traffic-persuasion volunteers (文明交通行为劝导志愿者, 附件3): chosen by each unit from its roster
//! among League members, youth and party activists; trained by the traffic police brigade.

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ensure, PageParams};
use crate::auth::policy::{Action, Object, Role};
use crate::db::audit::{self, Subject};
use crate::db::campaign::{self as store, Campaign, TrafficVolunteer, Training};
use crate::db::orgs::{self, Page};
use crate::domain::campaign::{parse_form_date, traffic_eligibility};
use crate::domain::politics::PoliticalStatus;
use crate::domain::volunteer::VolunteerFields;
use crate::error::{AppError, AppResult, FieldError};
use crate::excel::{self, CellError, Column, ImportReport};
use crate::i18n::{t, tf};
use crate::state::AppState;
use crate::web::form::lenient_i64;
use crate::web::{redirect_with_flash, Ctx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/traffic", get(page))
        .route("/traffic/pick", post(page_pick))
        .route("/traffic/remove", post(page_remove))
        .route("/traffic/submit", post(page_submit))
        .route("/traffic/export.xlsx", get(export))
        .route("/traffic/template.xlsx", get(template))
        .route("/traffic/import", post(page_import))
        .route("/trainings", post(page_training))
        .routes(routes!(api_list, api_pick))
        .routes(routes!(api_submit))
        .routes(routes!(api_remove))
        .routes(routes!(export))
        .routes(routes!(api_import))
        .routes(routes!(api_trainings, api_training))
        .layer(DefaultBodyLimit::max(excel::MAX_UPLOAD_BYTES + 64 * 1024))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct UnitParam {
    /// The unit (a unit's own staff need not give it).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The unit (a unit's own staff need not give it); leave out for everyone's.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    /// ID numbers and phones in full (the unit, the district, the police brigade); logged.
    pub reveal: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PickInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub volunteer_id: Option<i64>,
}

/// The unit a request is about: a unit's staff always their own.
fn unit_of(ctx: &Ctx, given: Option<i64>) -> AppResult<Option<i64>> {
    let p = ctx.user()?;
    Ok(if p.role == Role::UnitAdmin { p.unit_id } else { given })
}

/// The traffic volunteers the caller may see: a unit its own, the police and district everyone's.
pub async fn list(state: &AppState, ctx: &Ctx, unit_id: Option<i64>) -> AppResult<(Campaign, Vec<TrafficVolunteer>)> {
    let campaign = super::campaign::active(state).await?;
    let unit = unit_of(ctx, unit_id)?;
    ensure(ctx.user()?, Action::View, &list_object(unit))?;
    let list = store::traffic_volunteers(&state.db, campaign.id, unit).await?;
    Ok((campaign, list))
}

/// What the policy is asked about a list: one unit's, or everyone's (the brigade's view).
fn list_object(unit: Option<i64>) -> Object {
    match unit {
        Some(u) => Object::TrafficList { unit_id: u },
        None => Object::Training,
    }
}

/// The list, masked unless the caller asks (`reveal`) and may see it in full; answers whether
/// it is in full. The caller writes the audit entry of a full view or export.
async fn list_shown(
    state: &AppState,
    ctx: &Ctx,
    unit_id: Option<i64>,
    reveal: bool,
) -> AppResult<(Campaign, Vec<TrafficVolunteer>, bool)> {
    let (campaign, mut list) = list(state, ctx, unit_id).await?;
    let full = super::privacy::reveals(ctx, reveal, &list_object(unit_of(ctx, unit_id)?))?;
    if !full {
        for x in &mut list {
            super::privacy::mask_volunteer(&mut x.volunteer);
        }
    }
    Ok((campaign, list, full))
}

/// The people on the unit's rosters this campaign, each with whether and why they qualify.
async fn candidates(
    state: &AppState,
    campaign: &Campaign,
    unit_id: i64,
) -> AppResult<Vec<(store::Member, Result<&'static str, &'static str>)>> {
    let scope = store::TeamScope::of(crate::auth::policy::Scope::Unit(unit_id)).expect("a unit scope covers teams");
    let mut out: Vec<(store::Member, Result<&'static str, &'static str>)> = vec![];
    for team in store::list_teams(&state.db, campaign.id, scope, None).await? {
        for m in store::members(&state.db, team.id).await? {
            if out.iter().any(|(o, _)| o.volunteer.id == m.volunteer.id) {
                continue;
            }
            let v = &m.volunteer;
            let fields = VolunteerFields {
                birth_date: v.birth_date.clone(),
                ..Default::default()
            };
            let verdict = traffic_eligibility(
                PoliticalStatus::from_code(&v.political_status),
                fields.age_on(&campaign.reference_date),
            );
            out.push((m, verdict));
        }
    }
    Ok(out)
}

/// Chooses a person from the unit's roster; refuses with the reason when they do not qualify.
pub async fn pick(state: &AppState, ctx: &Ctx, input: &PickInput) -> AppResult<()> {
    let campaign = super::campaign::active(state).await?;
    let unit = unit_of(ctx, input.unit_id)?.ok_or(AppError::field("unit_id", "err.required"))?;
    ensure(ctx.user()?, Action::Update, &Object::TrafficList { unit_id: unit })?;
    let volunteer = input
        .volunteer_id
        .ok_or(AppError::field("volunteer_id", "err.required"))?;
    let all = candidates(state, &campaign, unit).await?;
    let Some((m, verdict)) = all.into_iter().find(|(m, _)| m.volunteer.id == volunteer) else {
        return Err(AppError::field("volunteer_id", "err.traffic_not_on_roster"));
    };
    let reason = verdict.map_err(|k| AppError::field("volunteer_id", k))?;
    let mut tx = state.db.begin().await?;
    if !store::add_traffic_volunteer(&mut tx, &ctx.actor(), campaign.id, unit, m.volunteer.id, reason).await? {
        return Err(AppError::Conflict(vec![FieldError::new(
            "volunteer_id",
            "err.traffic_already",
        )]));
    }
    tx.commit().await?;
    Ok(())
}

pub async fn remove(state: &AppState, ctx: &Ctx, input: &PickInput) -> AppResult<()> {
    let campaign = super::campaign::active(state).await?;
    let unit = unit_of(ctx, input.unit_id)?.ok_or(AppError::field("unit_id", "err.required"))?;
    ensure(ctx.user()?, Action::Update, &Object::TrafficList { unit_id: unit })?;
    let volunteer = input
        .volunteer_id
        .ok_or(AppError::field("volunteer_id", "err.required"))?;
    let mut tx = state.db.begin().await?;
    if !store::remove_traffic_volunteer(&mut tx, &ctx.actor(), campaign.id, unit, volunteer).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Sends the unit's list to the district office (for the board); it needs at least one person.
pub async fn submit(state: &AppState, ctx: &Ctx, unit_id: Option<i64>) -> AppResult<()> {
    let campaign = super::campaign::active(state).await?;
    let unit = unit_of(ctx, unit_id)?.ok_or(AppError::field("unit_id", "err.required"))?;
    ensure(ctx.user()?, Action::Update, &Object::TrafficList { unit_id: unit })?;
    if store::traffic_volunteers(&state.db, campaign.id, Some(unit))
        .await?
        .is_empty()
    {
        return Err(AppError::field("volunteer_id", "err.traffic_empty"));
    }
    let mut tx = state.db.begin().await?;
    store::submit_traffic_list(&mut tx, &ctx.actor(), campaign.id, unit).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct TrainingInput {
    /// `YYYY-MM-DD`.
    pub held_on: Option<String>,
    pub place: Option<String>,
    pub content: Option<String>,
    /// Hours, e.g. 2 or 1.5.
    pub hours: Option<String>,
    /// Traffic volunteers (volunteer ids) who attended.
    #[serde(default)]
    pub attended: Vec<i64>,
    /// Of those, who passed.
    #[serde(default)]
    pub passed: Vec<i64>,
}

/// Records a training session (police brigade); its hours count in each attendee's record.
pub async fn record_training(state: &AppState, ctx: &Ctx, input: &TrainingInput) -> AppResult<i64> {
    ensure(ctx.user()?, Action::Create, &Object::Training)?;
    let campaign = super::campaign::active(state).await?;
    let mut errors = vec![];
    let held_on = parse_form_date(input.held_on.as_deref().unwrap_or("")).unwrap_or_else(|k| {
        errors.push(FieldError::new("held_on", k));
        String::new()
    });
    let place = super::required_name("place", input.place.as_deref(), &mut errors);
    let content = super::required_name("content", input.content.as_deref(), &mut errors);
    let minutes = match input
        .hours
        .as_deref()
        .map(str::trim)
        .and_then(|h| h.parse::<f64>().ok())
    {
        Some(h) if h > 0.0 && h <= 24.0 => (h * 60.0).round() as i64,
        _ => {
            errors.push(FieldError::new("hours", "err.hours"));
            0
        }
    };
    let known: Vec<i64> = store::traffic_volunteers(&state.db, campaign.id, None)
        .await?
        .iter()
        .map(|x| x.volunteer.id)
        .collect();
    if input.attended.is_empty() {
        errors.push(FieldError::new("attended", "err.training_nobody"));
    }
    if input.attended.iter().chain(&input.passed).any(|v| !known.contains(v))
        || input.passed.iter().any(|p| !input.attended.contains(p))
    {
        errors.push(FieldError::new("attended", "err.training_unknown"));
    }
    super::validated(errors)?;
    let attendance: Vec<(i64, bool)> = input.attended.iter().map(|v| (*v, input.passed.contains(v))).collect();
    let mut tx = state.db.begin().await?;
    let training = store::NewTraining {
        held_on,
        place,
        content,
        minutes,
    };
    let id = store::record_training(&mut tx, &ctx.actor(), campaign.id, &training, &attendance).await?;
    tx.commit().await?;
    Ok(id)
}

// ------------------------------------------------------------ 附件3 in Excel

const TITLE: &str = "附件3 文明交通行为劝导志愿者登记表";
const HEADERS: [&str; 10] = [
    "序号",
    "姓名",
    "性别",
    "出生年月",
    "政治面貌",
    "证件号码",
    "联系电话",
    "工作单位",
    "入选依据",
    "培训情况",
];
const COLUMNS: &[Column] = &[
    Column {
        header: "姓名",
        aliases: &["名字"],
        required: true,
    },
    Column {
        header: "证件号码",
        aliases: &["身份证号", "身份证号码", "公民身份号码"],
        required: false,
    },
    Column {
        header: "联系电话",
        aliases: &["手机", "手机号", "手机号码", "电话", "联系方式"],
        required: true,
    },
];

const WIDTHS: [f64; 10] = [6.0, 10.0, 6.0, 15.0, 12.0, 21.0, 14.0, 20.0, 12.0, 16.0];
const KINDS: [excel::Kind; 4] = [
    excel::Kind::Int,
    excel::Kind::Text,
    excel::Kind::Text,
    excel::Kind::Date,
];

fn sheet_form() -> excel::Form<'static> {
    excel::Form::new("附件3", TITLE, &HEADERS, &WIDTHS).kinds(&KINDS)
}

fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    crate::web::download::download(bytes, "traffic.xlsx", filename)
}

pub async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    Ok(xlsx(excel::write_form(&sheet_form(), &[])?, "附件3-模板.xlsx"))
}

/// The traffic volunteers in the layout of 附件3 (a unit's own, or everyone's for the police and
/// the district), masked; with `reveal=true` ID numbers and phones in full for those who may see
/// them. Every export is written to the audit trail (and whether it was full).
#[utoipa::path(get, path = "/api/v1/traffic/export.xlsx", tag = "traffic", params(ExportParams),
    responses((status = 200, description = "附件3 (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ExportParams>) -> AppResult<Response> {
    let (campaign, list, full) = list_shown(&state, &ctx, q.unit_id, q.reveal.unwrap_or(false)).await?;
    let rows: Vec<Vec<String>> = list
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let v = &x.volunteer;
            vec![
                (i + 1).to_string(),
                v.name.clone(),
                match v.sex.as_str() {
                    "M" => "男".into(),
                    "F" => "女".into(),
                    _ => String::new(),
                },
                v.birth_date.clone(),
                PoliticalStatus::from_code(&v.political_status)
                    .map(|s| s.label().to_string())
                    .unwrap_or_default(),
                v.id_number.clone().unwrap_or_default(),
                v.phone.clone(),
                x.unit_name.clone(),
                t(crate::i18n::Lang::Zh, &x.reason),
                if x.training_minutes > 0 {
                    format!(
                        "{:.1} 小时{}",
                        x.training_minutes as f64 / 60.0,
                        if x.passed { "，合格" } else { "" }
                    )
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let bytes = excel::write_form(&sheet_form(), &rows)?;
    let mut tx = state.db.begin().await?;
    let summary = serde_json::json!({"rows": rows.len(), "unit_id": q.unit_id, "unmasked": full});
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Export,
        Subject::new("traffic_list", Some(campaign.id), TITLE),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(xlsx(bytes, "附件3-文明交通行为劝导志愿者登记表.xlsx"))
}

/// Picks the people listed in an uploaded 附件3 from the unit's rosters, all or nothing.
pub async fn import(state: &AppState, ctx: &Ctx, unit_id: i64, bytes: &[u8], dry_run: bool) -> AppResult<ImportReport> {
    let campaign = super::campaign::active(state).await?;
    let unit = unit_of(ctx, Some(unit_id))?.ok_or(AppError::NotFound)?;
    ensure(ctx.user()?, Action::Update, &Object::TrafficList { unit_id: unit })?;
    let rows = crate::web::upload::read(&state.uploads, bytes, COLUMNS).await?;
    let lang = ctx.lang;
    let all = candidates(state, &campaign, unit).await?;
    let existing: Vec<i64> = store::traffic_volunteers(&state.db, campaign.id, Some(unit))
        .await?
        .iter()
        .map(|x| x.volunteer.id)
        .collect();
    let mut errors = vec![];
    let mut picks: Vec<(i64, &'static str)> = vec![];
    let mut seen = HashMap::new();
    for r in &rows {
        let name = crate::domain::text::clean_name(&r.cells[0]);
        let id_number = crate::domain::text::fold_width(&r.cells[1]).to_uppercase();
        let phone = crate::domain::phone::Phone::parse(&r.cells[2])
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let found = all.iter().find(|(m, _)| {
            let v = &m.volunteer;
            (!id_number.is_empty() && v.id_number.as_deref() == Some(id_number.as_str()))
                || (crate::domain::text::match_key(&v.name) == crate::domain::text::match_key(&name)
                    && v.phone == phone)
        });
        let err = |column: &str, value: &str, key: &str| CellError {
            row: r.row,
            column: column.into(),
            value: value.into(),
            message: t(lang, key),
        };
        match found {
            None => errors.push(err("姓名", &name, "err.traffic_not_on_roster")),
            Some((_, Err(k))) => errors.push(err("姓名", &name, k)),
            Some((m, Ok(reason))) => {
                if let Some(first) = seen.insert(m.volunteer.id, r.row) {
                    errors.push(CellError {
                        row: r.row,
                        column: "姓名".into(),
                        value: name,
                        message: tf(lang, "err.roster_duplicate", &[("row", first.to_string())]),
                    });
                } else {
                    picks.push((m.volunteer.id, reason));
                }
            }
        }
    }
    let unchanged = picks.iter().filter(|(v, _)| existing.contains(v)).count();
    let mut report = ImportReport {
        rows: rows.len(),
        accepted: picks.len(),
        created: 0,
        unchanged,
        linked: 0,
        dry_run,
        errors,
        warnings: vec![],
        resubmission_needed: false,
    };
    if rows.is_empty() {
        report.errors.push(CellError {
            row: 0,
            column: String::new(),
            value: String::new(),
            message: t(lang, "err.no_rows"),
        });
    }
    if dry_run || !report.errors.is_empty() {
        return Ok(report);
    }
    let mut tx = state.db.begin().await?;
    for (v, reason) in &picks {
        if store::add_traffic_volunteer(&mut tx, &ctx.actor(), campaign.id, unit, *v, reason).await? {
            report.created += 1;
        }
    }
    tx.commit().await?;
    Ok(report)
}

// ------------------------------------------------------------ JSON API

/// Traffic volunteers: a unit's own (`unit_id`), or everyone's for the police and the district;
/// ID numbers and phones masked unless `reveal=true` (logged; 403 for those who may not).
#[utoipa::path(get, path = "/api/v1/traffic", tag = "traffic", params(ExportParams, PageParams),
    responses((status = 200, body = Page<TrafficVolunteer>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExportParams>,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<TrafficVolunteer>>> {
    let (campaign, volunteers, full) = list_shown(&state, &ctx, q.unit_id, q.reveal.unwrap_or(false)).await?;
    if full {
        let details = serde_json::json!({"rows": volunteers.len(), "unit_id": q.unit_id});
        let subject = Subject::new("traffic_list", Some(campaign.id), TITLE);
        super::privacy::log_unmasked(&state, &ctx, subject, details).await?;
    }
    Ok(Json(paging.page_of(volunteers)))
}

/// Choose a person from the unit's roster (refused with the reason if they do not qualify).
#[utoipa::path(post, path = "/api/v1/traffic", tag = "traffic", request_body = PickInput,
    responses((status = 204), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_pick(State(state): State<AppState>, ctx: Ctx, Json(input): Json<PickInput>) -> AppResult<StatusCode> {
    pick(&state, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a person off the unit's list.
#[utoipa::path(delete, path = "/api/v1/traffic/{unit_id}/{volunteer_id}", tag = "traffic", responses((status = 204)))]
pub async fn api_remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((unit_id, volunteer_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    remove(
        &state,
        &ctx,
        &PickInput {
            unit_id: Some(unit_id),
            volunteer_id: Some(volunteer_id),
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send the unit's list to the district office.
#[utoipa::path(post, path = "/api/v1/traffic/submit", tag = "traffic", request_body = UnitParam, responses((status = 204)))]
pub async fn api_submit(State(state): State<AppState>, ctx: Ctx, Json(q): Json<UnitParam>) -> AppResult<StatusCode> {
    submit(&state, &ctx, q.unit_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Upload 附件3 (multipart field `file`): the people listed are picked from the unit's rosters.
#[utoipa::path(post, path = "/api/v1/units/{id}/traffic/import", tag = "traffic", params(super::teams::ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = ImportReport), (status = 422, body = excel::ImportRefused, description = "The report of the rows with problems, or why the upload was refused")))]
pub async fn api_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(params): Query<super::teams::ImportParams>,
    multipart: Multipart,
) -> AppResult<Response> {
    let bytes = super::teams::read_file(multipart).await?;
    let report = import(&state, &ctx, id, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}

/// Training sessions of this campaign (police brigade and district).
#[utoipa::path(get, path = "/api/v1/trainings", tag = "traffic", params(PageParams), responses((status = 200, body = Page<Training>)))]
pub async fn api_trainings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<Training>>> {
    ensure(ctx.user()?, Action::View, &Object::Training)?;
    let campaign = super::campaign::active(&state).await?;
    Ok(Json(paging.page_of(store::trainings(&state.db, campaign.id).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Record a training session with who attended and who passed.
#[utoipa::path(post, path = "/api/v1/trainings", tag = "traffic", request_body = TrainingInput,
    responses((status = 201, body = Created), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_training(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<TrainingInput>,
) -> AppResult<Response> {
    let id = record_training(&state, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

// ------------------------------------------------------------ pages

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<UnitParam>) -> AppResult<Response> {
    let p = ctx.user()?;
    let (campaign, list) = list(&state, &ctx, q.unit_id).await?;
    let unit = unit_of(&ctx, q.unit_id)?;
    let may_edit =
        unit.is_some_and(|u| crate::auth::policy::allows(p, Action::Update, &Object::TrafficList { unit_id: u }));
    let picked: Vec<i64> = list.iter().map(|x| x.volunteer.id).collect();
    let candidates: Vec<_> = match unit {
        Some(u) if may_edit => candidates(&state, &campaign, u)
            .await?
            .into_iter()
            .filter(|(m, _)| !picked.contains(&m.volunteer.id))
            .map(|(m, verdict)| {
                minijinja::context! {
                    id => m.volunteer.id, name => m.volunteer.name, no => m.volunteer.volunteer_no,
                    politics => PoliticalStatus::from_code(&m.volunteer.political_status).map(|s| s.label()).unwrap_or(""),
                    birth => m.volunteer.birth_date,
                    ok => verdict.is_ok(), why => match verdict { Ok(k) | Err(k) => ctx.t(k) },
                }
            })
            .collect(),
        _ => vec![],
    };
    let unit_name = match unit {
        Some(u) => orgs::get_unit(&state.db, u).await?.map(|u| u.name),
        None => None,
    };
    let submitted_at = match unit {
        Some(u) => store::traffic_list_submitted_at(&state.db, campaign.id, u).await?,
        None => None,
    };
    let trainings = if crate::auth::policy::allows(p, Action::View, &Object::Training) {
        store::trainings(&state.db, campaign.id).await?
    } else {
        vec![]
    };
    let rows: Vec<_> = list
        .iter()
        .map(|x| {
            minijinja::context! {
                x => x, reason => ctx.t(&x.reason), phone => crate::domain::phone::Phone::mask(&x.volunteer.phone),
                hours => format!("{:.1}", x.training_minutes as f64 / 60.0),
            }
        })
        .collect();
    let page = minijinja::context! {
        title => ctx.t("traffic.title"), campaign => campaign, unit_id => unit, unit_name => unit_name,
        rows => rows, candidates => candidates, may_edit => may_edit, submitted_at => submitted_at,
        may_train => crate::auth::policy::allows(p, Action::Create, &Object::Training),
        trainings => trainings, export_query => unit.map(|u| format!("unit_id={u}")).unwrap_or_default(),
        may_reveal => crate::auth::policy::may_reveal(p, &list_object(unit)),
    };
    Ok(ctx.render(&state, "traffic/traffic.html", page))
}

fn back_to(unit: Option<i64>) -> String {
    match unit {
        Some(u) => format!("/traffic?unit_id={u}"),
        None => "/traffic".into(),
    }
}

fn notice(state: &AppState, ctx: &Ctx, errs: &[FieldError], back: String) -> Response {
    ctx.refusal_for(state, "traffic.title", errs, &back)
}

async fn page_pick(State(state): State<AppState>, ctx: Ctx, Form(input): Form<PickInput>) -> AppResult<Response> {
    let back = back_to(unit_of(&ctx, input.unit_id)?);
    match pick(&state, &ctx, &input).await {
        Ok(()) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => Ok(notice(&state, &ctx, &errs, back)),
        Err(e) => Err(e),
    }
}

async fn page_remove(State(state): State<AppState>, ctx: Ctx, Form(input): Form<PickInput>) -> AppResult<Response> {
    let back = back_to(unit_of(&ctx, input.unit_id)?);
    remove(&state, &ctx, &input).await?;
    Ok(redirect_with_flash(&back, "flash.deleted", ctx.secure))
}

async fn page_submit(State(state): State<AppState>, ctx: Ctx, Form(input): Form<PickInput>) -> AppResult<Response> {
    let back = back_to(unit_of(&ctx, input.unit_id)?);
    match submit(&state, &ctx, input.unit_id).await {
        Ok(()) => Ok(redirect_with_flash(&back, "flash.traffic_submitted", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(notice(&state, &ctx, &errs, back)),
        Err(e) => Err(e),
    }
}

/// The training form posts `attended` and `passed` once per ticked box.
async fn page_training(State(state): State<AppState>, ctx: Ctx, body: axum::body::Bytes) -> AppResult<Response> {
    let pairs = crate::web::form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let ids = |k: &str| {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    };
    let input = TrainingInput {
        held_on: get("held_on"),
        place: get("place"),
        content: get("content"),
        hours: get("hours"),
        attended: ids("attended"),
        passed: ids("passed"),
    };
    match record_training(&state, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash("/traffic", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => Ok(notice(&state, &ctx, &errs, "/traffic".into())),
        Err(e) => Err(e),
    }
}

async fn page_import(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    let (bytes, dry_run, fields) = super::teams::read_upload(multipart).await?;
    let unit = unit_of(&ctx, fields.get("unit_id").and_then(|u| u.parse().ok()))?;
    let back = back_to(unit);
    let Some(unit) = unit else {
        return Err(AppError::field("unit_id", "err.required"));
    };
    if bytes.is_empty() {
        return Ok(notice(&state, &ctx, &[FieldError::new("file", "err.no_file")], back));
    }
    let dry_run = dry_run.is_some_and(|v| v == "true");
    let report = match import(&state, &ctx, unit, &bytes, dry_run).await {
        Ok(r) => r,
        Err(AppError::Validation(errs)) => return Ok(notice(&state, &ctx, &errs, back)),
        Err(e) => return Err(e),
    };
    if report.errors.is_empty() {
        return Ok(redirect_with_flash(
            &back,
            if dry_run { "flash.form_checked" } else { "flash.saved" },
            ctx.secure,
        ));
    }
    Ok(ctx.refusal(&state, "traffic.title", report.messages(ctx.lang), &back))
}
