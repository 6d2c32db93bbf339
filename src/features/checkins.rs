//! Check-in (联系报到, 附件4 志愿者服务登记表): a unit's team files it for a paired community, the
//! street forwards it, the community confirms or returns it; then the team files its long-term
//! activity plan (长效活动方案).

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{ensure, PageParams};
use crate::auth::policy::{self, Action, Listing, Object, Scope};
use crate::db::audit::{self, Subject};
use crate::db::campaign::{self as store, CheckIn, TeamScope};
use crate::db::orgs::{self, Page};
use crate::domain::campaign::category_label;
use crate::domain::text::match_key;
use crate::error::{AppError, AppResult, FieldError};
use crate::excel;
use crate::state::AppState;
use crate::web::form::lenient_i64;
use crate::web::{redirect_with_flash, urlencode, Ctx};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The largest plan attachment, and the kinds accepted (by extension and content).
pub const MAX_PLAN_BYTES: usize = 5 * 1024 * 1024;
const PLAN_TYPES: [(&str, &str, &[u8]); 7] = [
    ("pdf", "application/pdf", b"%PDF"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK",
    ),
    ("doc", "application/msword", &[0xD0, 0xCF, 0x11, 0xE0]),
    ("jpg", "image/jpeg", &[0xFF, 0xD8, 0xFF]),
    ("png", "image/png", &[0x89, b'P', b'N', b'G']),
    ("txt", "text/plain; charset=utf-8", b""),
];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/checkins", get(page).post(page_file))
        .route("/checkins/{id}/move", post(page_move))
        .route("/checkins/{id}/plan", post(page_plan))
        .route("/checkins/{id}/plan-file", get(plan_file))
        .route("/checkins/{id}/form.xlsx", get(form_xlsx))
        .route("/checkins/template.xlsx", get(template))
        .route("/teams/{id}/registration", post(page_registration))
        .routes(routes!(api_list, api_file))
        .routes(routes!(api_move))
        .routes(routes!(api_plan))
        .routes(routes!(plan_file))
        .routes(routes!(form_xlsx))
        .routes(routes!(template))
        .routes(routes!(api_registration))
        .layer(DefaultBodyLimit::max(MAX_PLAN_BYTES + 64 * 1024))
}

fn scope_of(ctx: &Ctx) -> AppResult<TeamScope> {
    TeamScope::of(policy::list_scope(ctx.user()?, Listing::Teams)).ok_or(AppError::Forbidden)
}

pub async fn list(state: &AppState, ctx: &Ctx) -> AppResult<Vec<CheckIn>> {
    let campaign = super::campaign::active(state).await?;
    Ok(store::checkins(&state.db, campaign.id, scope_of(ctx)?).await?)
}

async fn load(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<CheckIn> {
    let k = store::get_checkin(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let visible = list(state, ctx).await?.iter().any(|x| x.id == id);
    if !visible {
        return Err(AppError::Forbidden);
    }
    Ok(k)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct FileInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub team_id: Option<i64>,
    /// A community the team's unit is paired with.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
}

/// A unit's team files its registration form with a paired community (again after a return).
pub async fn file(state: &AppState, ctx: &Ctx, input: &FileInput) -> AppResult<CheckIn> {
    let team_id = input.team_id.ok_or(AppError::field("team_id", "err.required"))?;
    let community_id = input
        .community_id
        .ok_or(AppError::field("community_id", "err.required"))?;
    let (team, place) = super::teams::load(state, ctx, team_id).await?;
    ensure(ctx.user()?, Action::Update, &Object::Team(place.clone()))?;
    if team.unit_id.is_none() {
        return Err(AppError::field("team_id", "err.checkin_unit_only"));
    }
    if !place.paired_community_ids.contains(&community_id) {
        return Err(AppError::field("community_id", "err.checkin_not_paired"));
    }
    if team.leader_name.is_empty() || team.contact_name.is_empty() {
        return Err(AppError::field("team_id", "err.checkin_needs_people"));
    }
    let existing = list(state, ctx)
        .await?
        .into_iter()
        .find(|k| k.team_id == team_id && k.community_id == community_id);
    if existing.as_ref().is_some_and(|k| k.status != "returned") {
        return Err(AppError::Conflict(vec![FieldError::new(
            "community_id",
            "err.checkin_exists",
        )]));
    }
    let mut tx = state.db.begin().await?;
    let k = store::file_checkin(&mut tx, &ctx.actor(), team_id, community_id).await?;
    tx.commit().await?;
    Ok(k)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct MoveInput {
    /// `forward` (the street), `confirm` or `return` (the community).
    pub step: Option<String>,
    /// Required with `return`.
    pub reason: Option<String>,
}

/// Moves a check-in on; each step belongs to one level and follows the one before it.
pub async fn move_on(state: &AppState, ctx: &Ctx, id: i64, input: &MoveInput) -> AppResult<CheckIn> {
    let k = load(state, ctx, id).await?;
    let p = ctx.user()?;
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("").to_string();
    let (status, allowed, from) = match input.step.as_deref() {
        Some("forward") => (
            "forwarded",
            policy::allows(p, Action::Update, &Object::CheckInForward { street_id: k.street_id }),
            "filed",
        ),
        Some("confirm") => (
            "confirmed",
            policy::allows(
                p,
                Action::Update,
                &Object::CheckInConfirm {
                    community_id: k.community_id,
                },
            ),
            "forwarded",
        ),
        Some("return") => (
            "returned",
            policy::allows(
                p,
                Action::Update,
                &Object::CheckInConfirm {
                    community_id: k.community_id,
                },
            ),
            "forwarded",
        ),
        _ => return Err(AppError::field("step", "err.decision")),
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if k.status != from {
        return Err(AppError::Conflict(vec![FieldError::new(
            "step",
            "err.checkin_wrong_step",
        )]));
    }
    if status == "returned" && reason.is_empty() {
        return Err(AppError::field("reason", "err.reason_required"));
    }
    let mut tx = state.db.begin().await?;
    let k = store::move_checkin(&mut tx, &ctx.actor(), id, status, &reason).await?;
    tx.commit().await?;
    Ok(k)
}

/// What an uploaded plan file is, judged by its name and its first bytes.
fn plan_type(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let ext = if ext == "jpeg" { "jpg".to_string() } else { ext };
    PLAN_TYPES
        .iter()
        .find(|(e, _, magic)| *e == ext && bytes.starts_with(magic))
        .map(|(_, mime, _)| *mime)
        .filter(|mime| {
            // A text file must really be text.
            !mime.starts_with("text/") || std::str::from_utf8(bytes).is_ok()
        })
}

/// Files the long-term plan once the community has confirmed the check-in.
pub async fn file_plan(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    text: &str,
    file: Option<(String, Vec<u8>)>,
) -> AppResult<CheckIn> {
    let k = load(state, ctx, id).await?;
    let (_, place) = super::teams::load(state, ctx, k.team_id).await?;
    ensure(ctx.user()?, Action::Update, &Object::Team(place))?;
    if k.status != "confirmed" {
        return Err(AppError::Conflict(vec![FieldError::new(
            "plan_text",
            "err.plan_before_confirm",
        )]));
    }
    let text = text.trim();
    let mut errors = vec![];
    if text.is_empty() && file.is_none() {
        errors.push(FieldError::new("plan_text", "err.plan_empty"));
    }
    if text.chars().count() > 20_000 {
        errors.push(FieldError::new("plan_text", "err.text_too_long"));
    }
    let typed = match &file {
        Some((name, bytes)) => {
            if bytes.len() > MAX_PLAN_BYTES {
                errors.push(FieldError::new("file", "err.file_too_large").with("mb", MAX_PLAN_BYTES / 1024 / 1024));
                None
            } else if let Some(mime) = plan_type(name, bytes) {
                Some(mime)
            } else {
                errors.push(FieldError::new("file", "err.plan_type"));
                None
            }
        }
        None => None,
    };
    super::validated(errors)?;
    // Word and Excel files are zips: one that would unpack beyond the upload limits is not kept.
    if let (Some((_, bytes)), Some(mime)) = (&file, typed) {
        if mime.starts_with("application/vnd.openxmlformats") {
            crate::web::upload::check_package(&state.uploads, bytes).await?;
        }
    }
    let mut tx = state.db.begin().await?;
    let attachment = file
        .as_ref()
        .zip(typed)
        .map(|((name, bytes), mime)| (name.as_str(), mime, bytes.as_slice()));
    let k = store::file_plan(&mut tx, &ctx.actor(), id, text, attachment).await?;
    tx.commit().await?;
    Ok(k)
}

/// A check-in's plan file, as uploaded.
#[utoipa::path(get, path = "/api/v1/checkins/{id}/plan-file", tag = "checkins",
    responses((status = 200, description = "the plan file (PDF, Word, Excel, image or text)", content(
        (String = "application/pdf"),
        (String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "application/msword"),
        (String = "image/jpeg"),
        (String = "image/png"),
        (String = "text/plain"),
    ))))]
pub async fn plan_file(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    load(&state, &ctx, id).await?;
    let (name, mime, bytes) = store::plan_file(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let disposition = format!("attachment; filename=\"plan\"; filename*=UTF-8''{}", urlencode(&name));
    Ok(([(CONTENT_TYPE, mime), (CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// The registration form (附件4) of a check-in, filled in, as .xlsx.
#[utoipa::path(get, path = "/api/v1/checkins/{id}/form.xlsx", tag = "checkins",
    responses((status = 200, description = "the filled-in form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn form_xlsx(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let k = load(&state, &ctx, id).await?;
    let (team, _) = super::teams::load(&state, &ctx, k.team_id).await?;
    let members = store::members(&state.db, team.id).await?;
    let managers = members.iter().filter(|m| m.is_manager).count();
    let categories: Vec<&str> = team
        .categories
        .split(',')
        .filter(|c| !c.is_empty())
        .map(category_label)
        .collect();
    let rows = vec![
        vec!["文明单位".into(), team.org_name.clone()],
        vec!["志愿服务队名称".into(), team.name.clone()],
        vec!["负责人".into(), format!("{} {}", team.leader_name, team.leader_phone)],
        vec!["联系人".into(), format!("{} {}", team.contact_name, team.contact_phone)],
        vec!["报到社区".into(), format!("{} {}", k.street_name, k.community_name)],
        vec![
            "志愿者人数".into(),
            format!("{}（其中管理人员 {} 人）", members.len(), managers),
        ],
        vec!["服务类别".into(), categories.join("、")],
        vec!["报到时间".into(), crate::domain::campaign::date_of(k.filed_at)],
        vec![
            "街道转交".into(),
            k.forwarded_at.map(crate::domain::campaign::date_of).unwrap_or_default(),
        ],
        vec![
            "社区确认".into(),
            k.confirmed_at.map(crate::domain::campaign::date_of).unwrap_or_default(),
        ],
        vec!["长效活动方案".into(), k.plan_text.clone()],
    ];
    let bytes = excel::write_form(&sheet_form(), &rows)?;
    let mut tx = state.db.begin().await?;
    let summary = serde_json::json!({"checkin": id});
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Export,
        Subject::new("checkin", Some(id), &team.name),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(crate::web::download::download(
        bytes,
        "checkin.xlsx",
        &format!("附件4-{}-{}.xlsx", team.name, k.community_name),
    ))
}

/// The items of the registration form (附件4), in its order: label, and whether an upload must fill it.
const FORM_ITEMS: [(&str, bool); 7] = [
    ("文明单位", false),
    ("志愿服务队名称", true),
    ("负责人", true),
    ("联系人", true),
    ("报到社区", true),
    ("志愿者人数", false),
    ("服务类别", false),
];

/// The registration form's layout: label and value rows; the plan's long text wraps.
fn sheet_form() -> excel::Form<'static> {
    excel::Form::new("附件4", "附件4 志愿者服务登记表", &["项目", "内容"], &[18.0, 70.0])
        .kinds(&[excel::Kind::Text, excel::Kind::TextOrDate])
}

/// The blank registration form.
#[utoipa::path(get, path = "/api/v1/checkins/template.xlsx", tag = "checkins",
    responses((status = 200, description = "the blank form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let rows: Vec<Vec<String>> = FORM_ITEMS
        .iter()
        .map(|(l, _)| vec![l.to_string(), String::new()])
        .collect();
    let bytes = excel::write_form(&sheet_form(), &rows)?;
    Ok(crate::web::download::download(
        bytes,
        "form.xlsx",
        "附件4-志愿者服务登记表-模板.xlsx",
    ))
}

/// "张三 13812345678" → the name (as typed) and the phone (full-width digits read as digits).
fn person_and_phone(s: &str) -> (String, String) {
    let digits_at = s
        .find(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c))
        .unwrap_or(s.len());
    (
        crate::domain::text::clean_name(&s[..digits_at]),
        crate::domain::text::fold_width(&s[digits_at..]),
    )
}

/// Reads an uploaded registration form for a team: updates the team's 负责人, 联系人 and categories
/// from it and files the check-in with the community it names, all or nothing.
pub async fn import_registration(
    state: &AppState,
    ctx: &Ctx,
    team_id: i64,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<excel::ImportReport> {
    let (team, place) = super::teams::load(state, ctx, team_id).await?;
    ensure(ctx.user()?, Action::Update, &Object::Team(place.clone()))?;
    const COLUMNS: &[excel::Column] = &[
        excel::Column {
            header: "项目",
            aliases: &["名称", "事项"],
            required: true,
        },
        excel::Column {
            header: "内容",
            aliases: &["填写内容", "情况"],
            required: true,
        },
    ];
    let rows = crate::web::upload::read(&state.uploads, bytes, COLUMNS).await?;
    let lang = ctx.lang;
    let value = |label: &str| {
        rows.iter()
            .find(|r| match_key(&r.cells[0]) == label)
            .map(|r| (r.row, r.cells[1].trim().to_string()))
    };
    let mut errors = vec![];
    let mut err = |row: usize, label: &str, v: &str, key: &str| {
        errors.push(excel::CellError {
            row,
            column: label.into(),
            value: v.into(),
            message: crate::i18n::t(lang, key),
        })
    };
    for (label, required) in FORM_ITEMS {
        if required && value(label).is_none_or(|(_, v)| v.is_empty()) {
            err(value(label).map(|(r, _)| r).unwrap_or(0), label, "", "err.required");
        }
    }
    let (leader, contact) = (value("负责人").unwrap_or_default(), value("联系人").unwrap_or_default());
    let (leader_name, leader_phone) = person_and_phone(&leader.1);
    let (contact_name, contact_phone) = person_and_phone(&contact.1);
    for ((row, raw), phone, label) in [(&leader, &leader_phone, "负责人"), (&contact, &contact_phone, "联系人")] {
        if !raw.is_empty() && crate::domain::phone::Phone::parse(phone).is_none() {
            err(*row, label, raw, "err.form_person_phone");
        }
    }
    if let Some((row, name)) = value("志愿服务队名称").filter(|(_, v)| !v.is_empty()) {
        if match_key(&name) != match_key(&team.name) {
            err(row, "志愿服务队名称", &name, "err.form_team_mismatch");
        }
    }
    // The community as "街道 社区", "社区" alone, or "街道/社区".
    let mut community = None;
    if let Some((row, text)) = value("报到社区").filter(|(_, v)| !v.is_empty()) {
        let lq = orgs::ListQuery {
            q: None,
            page: 1,
            per_page: 1000,
            scope: Scope::All,
            street_id: None,
            community_id: None,
            unit_id: None,
        };
        let paired: Vec<_> = orgs::list_communities(&state.db, &lq)
            .await?
            .items
            .into_iter()
            .filter(|c| place.paired_community_ids.contains(&c.id))
            .collect();
        let compact = match_key(&text).replace('/', "");
        community = paired
            .iter()
            .find(|c| compact == match_key(&c.name) || compact == match_key(&format!("{}{}", c.street_name, c.name)))
            .map(|c| c.id);
        if community.is_none() {
            err(row, "报到社区", &text, "err.checkin_not_paired");
        }
    }
    let categories = value("服务类别").map(|(_, v)| v).unwrap_or_default();
    if let Err(part) = crate::domain::campaign::parse_categories(&categories) {
        err(
            value("服务类别").map(|(r, _)| r).unwrap_or(0),
            "服务类别",
            &part,
            "err.category",
        );
    }
    let mut report = excel::ImportReport {
        rows: rows.len(),
        accepted: 0,
        created: 0,
        unchanged: 0,
        linked: 0,
        dry_run,
        errors,
        warnings: vec![],
        resubmission_needed: false,
    };
    if !report.errors.is_empty() {
        return Ok(report);
    }
    report.accepted = rows.len();
    if dry_run {
        return Ok(report);
    }
    let input = super::teams::TeamInput {
        name: Some(team.name.clone()),
        leader_name: Some(leader_name),
        leader_phone: Some(leader_phone),
        contact_name: Some(contact_name),
        contact_phone: Some(contact_phone),
        categories: Some(if categories.is_empty() {
            team.categories.clone()
        } else {
            categories
        }),
        founded_on: Some(team.founded_on.clone()),
        ..Default::default()
    };
    super::teams::update(state, ctx, team_id, &input).await?;
    let filed = file(
        state,
        ctx,
        &FileInput {
            team_id: Some(team_id),
            community_id: community,
        },
    )
    .await;
    match filed {
        Ok(_) => report.created = 1,
        Err(AppError::Conflict(_)) => report.unchanged = 1,
        Err(e) => return Err(e),
    }
    Ok(report)
}

/// Upload a filled registration form (附件4) for a team: its 负责人, 联系人 and categories are
/// updated and the check-in is filed with the community it names.
#[utoipa::path(post, path = "/api/v1/teams/{id}/registration/import", tag = "checkins", params(super::teams::ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = excel::ImportReport), (status = 422, body = excel::ImportRefused, description = "The report of the rows with problems, or why the upload was refused")))]
pub async fn api_registration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(params): axum::extract::Query<super::teams::ImportParams>,
    multipart: Multipart,
) -> AppResult<Response> {
    let bytes = super::teams::read_file(multipart).await?;
    let report = import_registration(&state, &ctx, id, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}

async fn page_registration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (bytes, dry_run, _) = super::teams::read_upload(multipart).await?;
    if bytes.is_empty() {
        return Ok(notice(&state, &ctx, &[FieldError::new("file", "err.no_file")]));
    }
    let dry_run = dry_run.is_some_and(|v| v == "true");
    let report = match import_registration(&state, &ctx, id, &bytes, dry_run).await {
        Ok(r) => r,
        Err(AppError::Validation(errs)) => return Ok(notice(&state, &ctx, &errs)),
        Err(e) => return Err(e),
    };
    if report.errors.is_empty() {
        let flash = if dry_run {
            "flash.form_checked"
        } else {
            "flash.checkin_filed"
        };
        return Ok(redirect_with_flash(&format!("/teams/{id}"), flash, ctx.secure));
    }
    Ok(ctx.refusal(
        &state,
        "checkin.title",
        report.messages(ctx.lang),
        &format!("/teams/{id}"),
    ))
}

// ------------------------------------------------------------ JSON API

/// Check-ins of the active campaign in the caller's scope.
#[utoipa::path(get, path = "/api/v1/checkins", tag = "checkins", params(PageParams), responses((status = 200, body = Page<CheckIn>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(paging): Query<PageParams>,
) -> AppResult<Json<Page<CheckIn>>> {
    Ok(Json(paging.page_of(list(&state, &ctx).await?)))
}

/// File a team's check-in with a paired community.
#[utoipa::path(post, path = "/api/v1/checkins", tag = "checkins", request_body = FileInput,
    responses((status = 201, body = CheckIn), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_file(State(state): State<AppState>, ctx: Ctx, Json(input): Json<FileInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(file(&state, &ctx, &input).await?)).into_response())
}

/// Forward (street), confirm or return with a reason (community).
#[utoipa::path(post, path = "/api/v1/checkins/{id}/move", tag = "checkins", request_body = MoveInput,
    responses((status = 200, body = CheckIn), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_move(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<MoveInput>,
) -> AppResult<Json<CheckIn>> {
    Ok(Json(move_on(&state, &ctx, id, &input).await?))
}

/// File the long-term plan (multipart: `plan_text`, optional `file` — PDF, Word, Excel, JPEG, PNG or
/// text, at most 5 MB) after the community has confirmed the check-in.
#[utoipa::path(post, path = "/api/v1/checkins/{id}/plan", tag = "checkins",
    request_body(content_type = "multipart/form-data", description = "`plan_text` and an optional `file`"),
    responses((status = 200, body = CheckIn), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Json<CheckIn>> {
    let (text, file) = read_plan(multipart).await?;
    Ok(Json(file_plan(&state, &ctx, id, &text, file).await?))
}

async fn read_plan(multipart: Multipart) -> AppResult<(String, Option<(String, Vec<u8>)>)> {
    let (bytes, _, fields) = super::teams::read_upload(multipart).await.map_err(|_| {
        AppError::Validation(vec![
            FieldError::new("file", "err.file_too_large").with("mb", MAX_PLAN_BYTES / 1024 / 1024)
        ])
    })?;
    let text = fields.get("plan_text").cloned().unwrap_or_default();
    let file = (!bytes.is_empty()).then(|| (fields.get("file_name").cloned().unwrap_or_default(), bytes));
    Ok((text, file))
}

// ------------------------------------------------------------ pages

async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let campaign = super::campaign::active(&state).await?;
    let checkins = list(&state, &ctx).await?;
    // What a unit can still file: each of its teams with each paired community not yet filed.
    let mut to_file = vec![];
    if let Some(unit) = p.unit_id.filter(|_| p.role == policy::Role::UnitAdmin) {
        let scope = TeamScope::of(Scope::Unit(unit)).expect("a unit scope covers teams");
        let lq = orgs::ListQuery {
            q: None,
            page: 1,
            per_page: 1000,
            scope: Scope::Unit(unit),
            street_id: None,
            community_id: None,
            unit_id: Some(unit),
        };
        let paired = orgs::list_pairings(&state.db, &lq).await?.items;
        for team in store::list_teams(&state.db, campaign.id, scope, None).await? {
            for pr in &paired {
                let done = checkins
                    .iter()
                    .any(|k| k.team_id == team.id && k.community_id == pr.community_id && k.status != "returned");
                if !done {
                    to_file.push(minijinja::context! { team_id => team.id, team => team.name, community_id => pr.community_id, community => format!("{} / {}", pr.street_name, pr.community_name) });
                }
            }
        }
    }
    let rows: Vec<_> = checkins
        .iter()
        .map(|k| {
            let owner = p.role == policy::Role::DistrictAdmin || (p.role == policy::Role::UnitAdmin && k.unit_id == p.unit_id);
            minijinja::context! {
                k => k, status => ctx.t(&format!("checkin.status.{}", k.status)),
                may_forward => k.status == "filed" && policy::allows(p, Action::Update, &Object::CheckInForward { street_id: k.street_id }),
                may_confirm => k.status == "forwarded" && policy::allows(p, Action::Update, &Object::CheckInConfirm { community_id: k.community_id }),
                may_plan => k.status == "confirmed" && owner,
                late => k.confirmed_at.map(crate::domain::campaign::date_of).is_some_and(|d| d > campaign.checkin_due),
            }
        })
        .collect();
    let page =
        minijinja::context! { title => ctx.t("checkin.title"), rows => rows, to_file => to_file, campaign => campaign };
    Ok(ctx.render(&state, "checkins/checkins.html", page))
}

fn notice(state: &AppState, ctx: &Ctx, errs: &[FieldError]) -> Response {
    ctx.refusal_for(state, "checkin.title", errs, "/checkins")
}

async fn page_file(State(state): State<AppState>, ctx: Ctx, Form(input): Form<FileInput>) -> AppResult<Response> {
    match file(&state, &ctx, &input).await {
        Ok(_) => Ok(redirect_with_flash("/checkins", "flash.checkin_filed", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => Ok(notice(&state, &ctx, &errs)),
        Err(e) => Err(e),
    }
}

async fn page_move(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<MoveInput>,
) -> AppResult<Response> {
    match move_on(&state, &ctx, id, &input).await {
        Ok(k) => Ok(redirect_with_flash(
            "/checkins",
            &format!("flash.checkin_{}", k.status),
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => Ok(notice(&state, &ctx, &errs)),
        Err(e) => Err(e),
    }
}

async fn page_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let result = match read_plan(multipart).await {
        Ok((text, f)) => file_plan(&state, &ctx, id, &text, f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect_with_flash("/checkins", "flash.plan_filed", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => Ok(notice(&state, &ctx, &errs)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::plan_type;

    #[test]
    fn plan_files_are_checked_by_name_and_content() {
        assert_eq!(plan_type("方案.pdf", b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(plan_type("plan.PNG", &[0x89, b'P', b'N', b'G', 0]), Some("image/png"));
        assert_eq!(plan_type("plan.pdf", b"MZ\x90\x00"), None, "an executable named .pdf");
        assert_eq!(plan_type("plan.exe", b"MZ"), None);
        assert_eq!(
            plan_type("plan.txt", "长效方案".as_bytes()),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(plan_type("plan.txt", &[0xFF, 0xFE, 0x00]), None);
    }
}
