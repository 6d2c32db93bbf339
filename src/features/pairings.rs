//! 结对: which civilized unit serves which community, and the pairing table (附件1) in Excel.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{ensure, validated, ListParams};
use crate::auth::policy::{self, Action, Listing, Object, Principal};
use crate::db::audit::{self, Subject};
use crate::db::orgs::{self, ListQuery, Page, Pairing};
use crate::domain::text::clean_name;
use crate::error::{AppError, AppResult, FieldError};
use crate::excel::{self, CellError, Column, ImportReport};
use crate::i18n::t;
use crate::state::AppState;
use crate::web::form::{lenient_i64, outcome, Choice, Field, FormPage};
use crate::web::list::{Cell, Filter, Link, ListPage, Row};
use crate::web::Ctx;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct PairingInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` checks the file and writes nothing.
    pub dry_run: Option<bool>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/pairings", get(page_list).post(page_create))
        .route("/pairings/new", get(page_new))
        .route("/pairings/{id}/delete", get(page_delete_confirm).post(page_delete))
        .route("/pairings/import", get(page_import).post(page_import_upload))
        .route("/pairings/template.xlsx", get(template))
        .route("/pairings/export.xlsx", get(export))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_delete))
        .routes(routes!(template))
        .routes(routes!(export))
        .routes(routes!(api_import))
        .layer(DefaultBodyLimit::max(excel::MAX_UPLOAD_BYTES + 64 * 1024))
}

// ------------------------------------------------------------ service

fn object(p: &Pairing) -> Object {
    Object::Pairing {
        unit_id: p.unit_id,
        community_id: p.community_id,
        street_id: p.street_id,
    }
}

pub async fn list(state: &AppState, ctx: &Ctx, params: &ListParams) -> AppResult<Page<Pairing>> {
    let lq = params.query(ctx.user()?, Listing::Pairings)?;
    Ok(orgs::list_pairings(&state.db, &lq).await?)
}

pub async fn get_one(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Pairing> {
    let p = orgs::get_pairing(&state.db, id).await?.ok_or(AppError::NotFound)?;
    ensure(ctx.user()?, Action::View, &object(&p))?;
    Ok(p)
}

pub async fn create(state: &AppState, ctx: &Ctx, input: &PairingInput) -> AppResult<Pairing> {
    let p = ctx.user()?;
    if !policy::may_create(p, Listing::Pairings) {
        return Err(AppError::Forbidden);
    }
    let mut errors = vec![];
    let unit = match input.unit_id {
        None => {
            errors.push(FieldError::new("unit_id", "err.required"));
            None
        }
        Some(id) => orgs::get_unit(&state.db, id).await?.or_else(|| {
            errors.push(FieldError::new("unit_id", "err.no_such_unit"));
            None
        }),
    };
    let community = match input.community_id {
        None => {
            errors.push(FieldError::new("community_id", "err.required"));
            None
        }
        Some(id) => orgs::get_community(&state.db, id).await?.or_else(|| {
            errors.push(FieldError::new("community_id", "err.no_such_community"));
            None
        }),
    };
    validated(errors)?;
    let (unit, community) = (unit.expect("validated"), community.expect("validated"));
    ensure(
        p,
        Action::Create,
        &Object::Pairing {
            unit_id: unit.id,
            community_id: community.id,
            street_id: community.street_id,
        },
    )?;
    let mut tx = state.db.begin().await?;
    if orgs::pairing_exists(&mut tx, unit.id, community.id).await? {
        return Err(AppError::Conflict(vec![FieldError::new(
            "community_id",
            "err.already_paired",
        )]));
    }
    let created = orgs::create_pairing(&mut tx, &ctx.actor(), unit.id, community.id)
        .await
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                AppError::Conflict(vec![FieldError::new("community_id", "err.already_paired")])
            } else {
                e.into()
            }
        })?;
    tx.commit().await?;
    Ok(created)
}

pub async fn delete(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let pairing = get_one(state, ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &object(&pairing))?;
    let mut tx = state.db.begin().await?;
    orgs::delete_pairing(&mut tx, &ctx.actor(), id).await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------ Excel (附件1)

const COLUMNS: &[Column] = &[
    Column {
        header: "文明单位",
        aliases: &["单位名称", "单位", "文明单位名称"],
        required: true,
    },
    Column {
        header: "单位级别",
        aliases: &["级别", "文明单位级别"],
        required: false,
    },
    Column {
        header: "街道",
        aliases: &["所在街道", "街道名称", "结对街道"],
        required: true,
    },
    Column {
        header: "社区",
        aliases: &["结对社区", "社区名称"],
        required: true,
    },
];
const TITLE: &str = "附件1 文明单位与社区结对表";
const HEADERS: [&str; 5] = ["序号", "文明单位", "单位级别", "街道", "社区"];
const WIDTHS: [f64; 5] = [6.0, 32.0, 10.0, 16.0, 20.0];
const KINDS: [excel::Kind; 1] = [excel::Kind::Int];

fn sheet_form() -> excel::Form<'static> {
    excel::Form::new("附件1", TITLE, &HEADERS, &WIDTHS).kinds(&KINDS)
}

fn level_cn(level: &str) -> &'static str {
    match level {
        "national" => "全国级",
        "province" => "省级",
        _ => "市级",
    }
}

fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    crate::web::download::download(bytes, "pairings.xlsx", filename)
}

/// A blank pairing table to fill in.
#[utoipa::path(get, path = "/api/v1/pairings/template.xlsx", tag = "pairings",
    responses((status = 200, description = "the blank form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let bytes = excel::write_form(&sheet_form(), &[])?;
    Ok(xlsx_response(bytes, "附件1-结对表-模板.xlsx"))
}

/// The pairings the caller may see, in the layout of 附件1. The export is written to the audit trail.
#[utoipa::path(get, path = "/api/v1/pairings/export.xlsx", tag = "pairings", params(ListParams),
    responses((status = 200, description = "the pairing table (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(State(state): State<AppState>, ctx: Ctx, Query(params): Query<ListParams>) -> AppResult<Response> {
    let p = ctx.user()?;
    let mut lq = params.query(p, Listing::Pairings)?;
    lq.page = 1;
    lq.per_page = 1_000_000;
    let page = orgs::list_pairings(&state.db, &lq).await?;
    let units = unit_levels(&state, p).await?;
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let level = units
                .iter()
                .find(|(id, _)| *id == r.unit_id)
                .map(|(_, l)| level_cn(l))
                .unwrap_or("");
            vec![
                (i + 1).to_string(),
                r.unit_name.clone(),
                level.to_string(),
                r.street_name.clone(),
                r.community_name.clone(),
            ]
        })
        .collect();
    let bytes = excel::write_form(&sheet_form(), &rows)?;
    let mut tx = state.db.begin().await?;
    let summary = serde_json::json!({"rows": rows.len()});
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Export,
        Subject::new("pairing", None, TITLE),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(xlsx_response(bytes, "附件1-结对表.xlsx"))
}

async fn unit_levels(state: &AppState, p: &Principal) -> AppResult<Vec<(i64, String)>> {
    let lq = ListQuery {
        q: None,
        page: 1,
        per_page: 1_000_000,
        scope: policy::list_scope(p, Listing::Units),
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    Ok(orgs::list_units(&state.db, &lq)
        .await?
        .items
        .into_iter()
        .map(|u| (u.id, u.level))
        .collect())
}

/// Checks every row of an uploaded pairing table and, unless `dry_run`, records the new pairings
/// all together or not at all. Pairings already recorded are left as they are.
pub async fn import(state: &AppState, ctx: &Ctx, bytes: &[u8], dry_run: bool) -> AppResult<ImportReport> {
    let p = ctx.user()?;
    if !policy::may_create(p, Listing::Pairings) {
        return Err(AppError::Forbidden);
    }
    let lang = ctx.lang;
    if bytes.len() > excel::MAX_UPLOAD_BYTES {
        return Err(AppError::Validation(vec![FieldError::new(
            "file",
            "err.file_too_large",
        )
        .with("mb", excel::MAX_UPLOAD_BYTES / 1024 / 1024)]));
    }
    let rows = crate::web::upload::read(&state.uploads, bytes, COLUMNS).await?;
    let mut errors: Vec<CellError> = vec![];
    let mut accepted = vec![];
    let mut seen = std::collections::HashSet::new();
    let mut tx = state.db.begin().await?;
    let header = |i: usize| COLUMNS[i].header.to_string();
    for r in &rows {
        let before = errors.len();
        let unit_name = clean_name(&r.cells[0]);
        let street_name = clean_name(&r.cells[2]);
        let community_name = clean_name(&r.cells[3]);
        let err = |errors: &mut Vec<CellError>, col: usize, value: &str, key: &str| {
            errors.push(CellError {
                row: r.row,
                column: header(col),
                value: value.to_string(),
                message: t(lang, key),
            })
        };
        if unit_name.is_empty() {
            err(&mut errors, 0, "", "err.required");
        }
        if street_name.is_empty() {
            err(&mut errors, 2, "", "err.required");
        }
        if community_name.is_empty() {
            err(&mut errors, 3, "", "err.required");
        }
        if errors.len() > before {
            continue;
        }
        let unit_id = orgs::unit_id_by_name(&mut tx, &unit_name).await?;
        if unit_id.is_none() {
            err(&mut errors, 0, &unit_name, "err.import_no_unit");
        }
        let community_id = orgs::community_id_by_names(&mut tx, &street_name, &community_name).await?;
        if community_id.is_none() {
            err(
                &mut errors,
                3,
                &format!("{street_name} / {community_name}"),
                "err.import_no_community",
            );
        }
        let (Some(u), Some(c)) = (unit_id, community_id) else {
            continue;
        };
        if !seen.insert((u, c)) {
            errors.push(CellError {
                row: r.row,
                column: header(3),
                value: community_name.clone(),
                message: t(lang, "err.import_duplicate_row"),
            });
            continue;
        }
        accepted.push((u, c));
    }
    let mut report = ImportReport {
        rows: rows.len(),
        accepted: accepted.len(),
        created: 0,
        unchanged: 0,
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
    for (u, c) in &accepted {
        if orgs::pairing_exists(&mut tx, *u, *c).await? {
            report.unchanged += 1;
        } else if !dry_run && report.errors.is_empty() {
            orgs::create_pairing(&mut tx, &ctx.actor(), *u, *c).await?;
            report.created += 1;
        }
    }
    if !dry_run && report.errors.is_empty() {
        let summary =
            serde_json::json!({"rows": report.rows, "created": report.created, "unchanged": report.unchanged});
        audit::record_raw(
            &mut tx,
            &ctx.actor(),
            audit::Op::Import,
            Subject::new("pairing", None, TITLE),
            &summary,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(report)
}

async fn read_upload(mut multipart: Multipart) -> AppResult<(Vec<u8>, Option<String>)> {
    let mut file = None;
    let mut dry_run = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("err.bad_upload"))?
    {
        match field.name() {
            Some("file") => {
                let bytes: Bytes = field.bytes().await.map_err(|_| {
                    AppError::Validation(vec![
                        FieldError::new("file", "err.file_too_large").with("mb", excel::MAX_UPLOAD_BYTES / 1024 / 1024)
                    ])
                })?;
                file = Some(bytes.to_vec());
            }
            Some("dry_run") => dry_run = field.text().await.ok(),
            _ => {}
        }
    }
    match file {
        Some(f) if !f.is_empty() => Ok((f, dry_run)),
        _ => Err(AppError::field("file", "err.no_file")),
    }
}

// ------------------------------------------------------------ JSON API

/// List the pairings the caller may see.
#[utoipa::path(get, path = "/api/v1/pairings", tag = "pairings", params(ListParams),
    responses((status = 200, body = Page<Pairing>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Pairing>>> {
    Ok(Json(list(&state, &ctx, &params).await?))
}

/// One pairing.
#[utoipa::path(get, path = "/api/v1/pairings/{id}", tag = "pairings", responses((status = 200, body = Pairing)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Pairing>> {
    Ok(Json(get_one(&state, &ctx, id).await?))
}

/// Pair a unit with a community (district admin).
#[utoipa::path(post, path = "/api/v1/pairings", tag = "pairings", request_body = PairingInput,
    responses((status = 201, body = Pairing), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<PairingInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(create(&state, &ctx, &input).await?)).into_response())
}

/// End a pairing.
#[utoipa::path(delete, path = "/api/v1/pairings/{id}", tag = "pairings", responses((status = 204)))]
pub async fn api_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    delete(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Import the pairing table (附件1, multipart field `file`). With `dry_run=true` nothing is written;
/// otherwise all rows are written or, if any row has a problem, none.
#[utoipa::path(post, path = "/api/v1/pairings/import", tag = "pairings", params(ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = ImportReport), (status = 422, body = excel::ImportRefused, description = "The report of the rows with problems, or why the upload was refused")))]
pub async fn api_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<ImportParams>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (bytes, _) = read_upload(multipart).await?;
    let report = import(&state, &ctx, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}

// ------------------------------------------------------------ pages

async fn page_list(State(state): State<AppState>, ctx: Ctx, Query(params): Query<ListParams>) -> AppResult<Response> {
    let page = list(&state, &ctx, &params).await?;
    let p = ctx.user()?;
    let mut view = ListPage::new(
        ctx.t("pairings.title"),
        "/pairings",
        params.q.as_deref(),
        page.total,
        page.page,
        page.per_page,
    );
    if policy::may_list(p, Listing::Streets) {
        view = view.filter(Filter {
            name: "street_id",
            label: ctx.t("field.street"),
            options: super::communities::street_choices(&state, p).await?,
            selected: params.street_id.map(|s| s.to_string()).unwrap_or_default(),
        });
    }
    for (name, value) in [("community_id", params.community_id), ("unit_id", params.unit_id)] {
        if let Some(v) = value {
            view.query
                .push_str(&format!("{}{name}={v}", if view.query.is_empty() { "" } else { "&" }));
        }
    }
    view.columns = vec![
        ctx.t("field.unit"),
        ctx.t("field.street"),
        ctx.t("field.community"),
        ctx.t("field.paired_at"),
    ];
    if policy::may_create(p, Listing::Pairings) {
        view.new_url = Some("/pairings/new".into());
        view.actions.push(Link {
            label: ctx.t("pairings.import"),
            href: "/pairings/import".into(),
        });
    }
    view.actions.push(Link {
        label: ctx.t("pairings.export"),
        href: format!("/pairings/export.xlsx?{}", view.query),
    });
    let tz = crate::domain::dates::china();
    view.rows = page
        .items
        .iter()
        .map(|r| Row {
            cells: vec![
                Cell::text(&r.unit_name),
                Cell::text(&r.street_name),
                Cell::text(&r.community_name),
                Cell::text(
                    chrono::DateTime::from_timestamp(r.created_at, 0)
                        .map(|d| d.with_timezone(&tz).format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                ),
            ],
            edit_url: None,
            delete_url: policy::allows(p, Action::Delete, &object(r)).then(|| format!("/pairings/{}/delete", r.id)),
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

async fn form(state: &AppState, ctx: &Ctx, input: &PairingInput) -> AppResult<FormPage> {
    let p = ctx.user()?;
    let all = |scope| ListQuery {
        q: None,
        page: 1,
        per_page: 100_000,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let units = orgs::list_units(&state.db, &all(policy::list_scope(p, Listing::Units))).await?;
    let communities = orgs::list_communities(&state.db, &all(policy::list_scope(p, Listing::Communities))).await?;
    let lang = ctx.lang;
    let fields = vec![
        Field::select(
            lang,
            "unit_id",
            "field.unit",
            input.unit_id.map(|v| v.to_string()).unwrap_or_default(),
            units
                .items
                .into_iter()
                .map(|u| Choice {
                    value: u.id.to_string(),
                    label: u.name,
                })
                .collect(),
        )
        .required(),
        Field::select(
            lang,
            "community_id",
            "field.community",
            input.community_id.map(|v| v.to_string()).unwrap_or_default(),
            communities
                .items
                .into_iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: format!("{} / {}", c.street_name, c.name),
                })
                .collect(),
        )
        .required(),
    ];
    Ok(FormPage::new(
        lang,
        ctx.t("pairings.new"),
        "/pairings",
        "/pairings",
        fields,
    ))
}

async fn page_new(State(state): State<AppState>, ctx: Ctx, Query(input): Query<PairingInput>) -> AppResult<Response> {
    if !policy::may_create(ctx.user()?, Listing::Pairings) {
        return Err(AppError::Forbidden);
    }
    let f = form(&state, &ctx, &input).await?;
    Ok(ctx.render(&state, "form.html", minijinja::Value::from_serialize(&f)))
}

async fn page_create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<PairingInput>) -> AppResult<Response> {
    let result = create(&state, &ctx, &input).await;
    outcome(&state, &ctx, result, "/pairings", || form(&state, &ctx, &input)).await
}

async fn page_delete_confirm(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = get_one(&state, &ctx, id).await?;
    ensure(ctx.user()?, Action::Delete, &object(&r))?;
    Ok(super::home::delete_page(
        &state,
        &ctx,
        &orgs::pairing_label(&r),
        format!("/pairings/{id}/delete"),
        "/pairings",
        None,
    ))
}

async fn page_delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = get_one(&state, &ctx, id).await?;
    let result = delete(&state, &ctx, id).await;
    let label = orgs::pairing_label(&r);
    super::home::delete_outcome(
        &state,
        &ctx,
        result,
        &label,
        format!("/pairings/{id}/delete"),
        "/pairings",
    )
}

async fn page_import(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if !policy::may_create(ctx.user()?, Listing::Pairings) {
        return Err(AppError::Forbidden);
    }
    Ok(import_page(&state, &ctx, None, None))
}

fn import_page(state: &AppState, ctx: &Ctx, report: Option<&ImportReport>, file_error: Option<String>) -> Response {
    let view = super::ImportView {
        title_key: "pairings.import",
        action: "/pairings/import".into(),
        template_url: "/pairings/template.xlsx",
        fill_key: "import.fill",
        back: "/pairings".into(),
        checked_key: "import.dry_run_ok",
        done_key: "import.done",
        note: None,
    };
    super::import_page(state, ctx, &view, report, file_error)
}

async fn page_import_upload(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    let (bytes, dry_run) = match read_upload(multipart).await {
        Ok(x) => x,
        Err(AppError::Validation(errs)) => {
            return Ok(import_page(
                &state,
                &ctx,
                None,
                errs.first().map(|e| e.message(ctx.lang)),
            ))
        }
        Err(e) => return Err(e),
    };
    let dry_run = dry_run.is_some_and(|v| v == "true" || v == "on" || v == "1");
    match import(&state, &ctx, &bytes, dry_run).await {
        Ok(report) => Ok(import_page(&state, &ctx, Some(&report), None)),
        Err(AppError::Validation(errs)) => Ok(import_page(
            &state,
            &ctx,
            None,
            errs.first().map(|e| e.message(ctx.lang)),
        )),
        Err(e) => Err(e),
    }
}
