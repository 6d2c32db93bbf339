//! The inspections' HTML pages. The on-site page is one form that works on a phone: a refused
//! submit comes back with every value kept (and `app.js` keeps a draft on the phone).

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;

use super::api::{read_file_upload, FindingParams};
use super::findings::{self, AnswerInput, FindingInput, ReviewInput};
use super::overview;
use super::service::TransitionInput;
use super::service::{self, item_text, ChecklistInput, InspectionInput, InspectionParams, ItemInput, RecordInput};
use crate::auth::policy;
use crate::db::inspections::ChecklistItem;
use crate::domain::campaign::{date_of, today};
use crate::domain::inspection::{Severity, TargetKind, DEFAULT_ITEMS};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::web::{form_urlencoded_pairs, redirect_with_flash, Ctx};

type Pairs = Vec<(String, String)>;

fn get(pairs: &Pairs, k: &str) -> Option<String> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
}

fn messages(ctx: &Ctx, errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(|e| e.message(ctx.lang)).collect()
}

/// A page shown again: 422 when it carries errors (`web::unprocessable`), as it is otherwise.
fn unprocessable(r: Response, errors: &[FieldError]) -> Response {
    if errors.is_empty() {
        r
    } else {
        crate::web::unprocessable(r)
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<InspectionParams>,
) -> AppResult<Response> {
    let (campaign, rows) = service::list(&state.db, &ctx, &params).await?;
    let p = ctx.user()?;
    let query = format!(
        "status={}&target_kind={}&q={}&unit_id={}&community_id={}",
        params.status.clone().unwrap_or_default(),
        params.target_kind.clone().unwrap_or_default(),
        crate::web::urlencode(params.q.as_deref().unwrap_or("")),
        params.unit_id.map(|v| v.to_string()).unwrap_or_default(),
        params.community_id.map(|v| v.to_string()).unwrap_or_default(),
    );
    Ok(ctx.render(
        &state,
        "inspections/inspections.html",
        minijinja::context! {
            title => ctx.t("nav.inspections"), campaign => campaign, rows => rows, query => query,
            params => minijinja::context! { status => params.status, target_kind => params.target_kind, q => params.q },
            may_create => policy::may_inspect(p),
            may_configure => policy::allows(p, policy::Action::Update, &policy::Object::InspectionChecklist),
            statuses => ["planned", "recorded", "closed", "cancelled"],
            kinds => TargetKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        },
    ))
}

pub async fn new(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Pairs>) -> AppResult<Response> {
    let mut values = q;
    if get(&values, "planned_on").is_none() {
        values.push(("planned_on".into(), today()));
    }
    new_form(&state, &ctx, &[], &values).await
}

async fn new_form(state: &AppState, ctx: &Ctx, errors: &[FieldError], values: &Pairs) -> AppResult<Response> {
    let activity_q = get(values, "activity_q").unwrap_or_default();
    let targets: Vec<_> = service::targets(&state.db, ctx, Some(&activity_q))
        .await?
        .into_iter()
        .map(|(k, id, name)| {
            minijinja::context! { value => format!("{}:{id}", k.as_str()), kind => k.as_str(), label => name }
        })
        .collect();
    let v = |k: &str| get(values, k).unwrap_or_default();
    let target = match (get(values, "target_kind"), get(values, "target_id")) {
        (Some(k), Some(id)) => format!("{k}:{id}"),
        _ => v("target"),
    };
    let page = minijinja::context! {
        title => ctx.t("inspection.new"), targets => targets, errors => messages(ctx, errors),
        activity_q => activity_q, activity_max => service::ACTIVITY_CHOICES,
        v => minijinja::context! { target => target, planned_on => v("planned_on"), inspectors => v("inspectors"),
            announced => get(values, "announced").unwrap_or_else(|| "true".into()) },
        checklist => service::checklist(&state.db, ctx).await?,
    };
    Ok(unprocessable(ctx.render(state, "inspections/new.html", page), errors))
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let target = get(&pairs, "target").unwrap_or_default();
    let (kind, id) = target.split_once(':').unwrap_or(("", ""));
    let input = InspectionInput {
        target_kind: Some(kind.to_string()),
        target_id: id.parse().ok(),
        announced: Some(get(&pairs, "announced").as_deref() != Some("false")),
        planned_on: get(&pairs, "planned_on"),
        inspectors: get(&pairs, "inspectors"),
    };
    match service::create(&state.db, &ctx, &input).await {
        Ok(i) => Ok(redirect_with_flash(
            &format!("/inspections/{}", i.id),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs)) => new_form(&state, &ctx, &errs, &pairs).await,
        Err(e) => Err(e),
    }
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    detail_page(&state, &ctx, id, &[], &[], "").await
}

/// The inspection's page; after a refused form, with its errors (under `form`) and the values
/// as they were typed.
async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: &[FieldError],
    values: &[(String, String)],
    form: &str,
) -> AppResult<Response> {
    let v = service::view(&state.db, ctx, id).await?;
    let lang = ctx.lang;
    let today = today();
    let posted = !values.is_empty() && form == "record";
    let value = |k: &str| values.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let items: Vec<_> = v
        .items
        .iter()
        .map(|it| {
            let result = if posted {
                value(&format!("result_{}", it.id)).unwrap_or_default()
            } else {
                it.result.as_str().to_string()
            };
            let note = if posted {
                value(&format!("note_{}", it.id)).unwrap_or_default()
            } else {
                it.note.clone()
            };
            let photos: Vec<_> = v.files.iter().filter(|f| f.item_id == Some(it.id)).collect();
            let error = errors
                .iter()
                .find(|e| e.field == format!("item_{}", it.id))
                .map(|e| e.message(lang));
            minijinja::context! { id => it.id, position => it.position, text => item_text(lang, &it.code, &it.label),
            result => result, note => note, photos => photos, error => error }
        })
        .collect();
    let findings: Vec<_> = v
        .findings
        .iter()
        .map(|f| {
            let files: Vec<_> = v.files.iter().filter(|x| x.finding_id == Some(f.id)).collect();
            let item = f
                .item_id
                .and_then(|i| v.items.iter().find(|it| it.id == i))
                .map(|it| item_text(lang, &it.code, &it.label));
            minijinja::context! { f => f, files => files, item => item,
            standing => overview::standing(f, &today).as_str(),
            answered_on => f.answered_at.map(date_of), accepted_on => f.accepted_at.map(date_of) }
        })
        .collect();
    let general: Vec<_> = v
        .files
        .iter()
        .filter(|f| f.item_id.is_none() && f.finding_id.is_none())
        .collect();
    let i = &v.inspection;
    let record_v = minijinja::context! {
        inspected_on => if posted { value("inspected_on").unwrap_or_default() } else { i.inspected_on.clone().unwrap_or_else(|| i.planned_on.clone().min(today.clone())) },
        inspectors => if posted { value("inspectors").unwrap_or_default() } else { i.inspectors.clone() },
        summary => if posted { value("summary").unwrap_or_default() } else { i.summary.clone() },
    };
    let finding_v = minijinja::context! {
        item_id => if form == "finding" { value("item_id") } else { None },
        severity => if form == "finding" { value("severity") } else { None },
        description => if form == "finding" { value("description") } else { None },
        deadline => if form == "finding" { value("deadline") } else { None },
    };
    let page = minijinja::context! {
        title => format!("{} · {}", ctx.t("inspection.title"), i.target_name),
        i => i, items => items, findings => findings, general => general, today => today,
        may_inspect => v.may_inspect, may_answer => v.may_answer,
        may_record => v.may_inspect && matches!(i.status.as_str(), "planned" | "recorded"),
        may_raise => v.may_inspect && i.status.as_str() == "recorded",
        errors => messages(ctx, errors), form => form, record_v => record_v, finding_v => finding_v,
        answer_v => if form.starts_with("answer_") { value("answer") } else { None },
        severities => Severity::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        draft_key => format!("inspection-{}-{}", i.id, i.updated_at),
        draft_prefix => format!("inspection-{}-", i.id),
    };
    Ok(unprocessable(
        ctx.render(state, "inspections/inspection.html", page),
        errors,
    ))
}

pub async fn record(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let items = pairs
        .iter()
        .filter_map(|(k, v)| {
            let iid: i64 = k.strip_prefix("result_")?.parse().ok()?;
            Some(ItemInput {
                id: iid,
                result: v.clone(),
                note: get(&pairs, &format!("note_{iid}")).unwrap_or_default(),
            })
        })
        .collect();
    // Items left unanswered send no radio value: they are still named by their note field.
    let mut items: Vec<ItemInput> = items;
    for (k, v) in &pairs {
        if let Some(iid) = k.strip_prefix("note_").and_then(|s| s.parse::<i64>().ok()) {
            if !items.iter().any(|it| it.id == iid) {
                items.push(ItemInput {
                    id: iid,
                    result: String::new(),
                    note: v.clone(),
                });
            }
        }
    }
    let input = RecordInput {
        inspected_on: get(&pairs, "inspected_on"),
        inspectors: get(&pairs, "inspectors"),
        summary: get(&pairs, "summary"),
        items,
    };
    match service::record(&state.db, &ctx, id, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/inspections/{id}"),
            "flash.inspection_recorded",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            detail_page(&state, &ctx, id, &errs, &pairs, "record").await
        }
        Err(e) => Err(e),
    }
}

pub async fn transition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let input = TransitionInput {
        action: get(&pairs, "action").unwrap_or_default(),
    };
    match service::transition(&state.db, &ctx, id, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/inspections/{id}"),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            detail_page(&state, &ctx, id, &errs, &pairs, "transition").await
        }
        Err(e) => Err(e),
    }
}

pub async fn raise(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let input = FindingInput {
        item_id: get(&pairs, "item_id").and_then(|v| v.trim().parse().ok()),
        severity: get(&pairs, "severity"),
        description: get(&pairs, "description"),
        deadline: get(&pairs, "deadline"),
    };
    match findings::raise(&state.db, &ctx, id, &input).await {
        Ok(f) => Ok(redirect_with_flash(
            &format!("/inspections/{id}#finding-{}", f.id),
            "flash.finding_raised",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            detail_page(&state, &ctx, id, &errs, &pairs, "finding").await
        }
        Err(e) => Err(e),
    }
}

pub async fn answer(State(state): State<AppState>, ctx: Ctx, Path(fid): Path<i64>, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let f = crate::db::inspections::get_finding(&state.db, fid)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = AnswerInput {
        answer: get(&pairs, "answer"),
    };
    match findings::answer(&state.db, &ctx, fid, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/inspections/{}#finding-{fid}", f.inspection_id),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            detail_page(&state, &ctx, f.inspection_id, &errs, &pairs, &format!("answer_{fid}")).await
        }
        Err(e) => Err(e),
    }
}

pub async fn review(State(state): State<AppState>, ctx: Ctx, Path(fid): Path<i64>, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let f = crate::db::inspections::get_finding(&state.db, fid)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = ReviewInput {
        decision: get(&pairs, "decision").unwrap_or_default(),
        reason: get(&pairs, "reason"),
    };
    match findings::review(&state.db, &ctx, fid, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/inspections/{}#finding-{fid}", f.inspection_id),
            "flash.saved",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            detail_page(&state, &ctx, f.inspection_id, &errs, &pairs, &format!("review_{fid}")).await
        }
        Err(e) => Err(e),
    }
}

pub async fn add_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let back = format!("/inspections/{id}");
    let r = match read_file_upload(multipart).await {
        Ok((to, name, bytes)) => findings::add_file(&state, &ctx, id, to, &name, &bytes)
            .await
            .map(|_| to),
        Err(e) => Err(e),
    };
    match r {
        Ok(to) => {
            let anchor = match (to.finding_id, to.item_id) {
                (Some(f), _) => format!("#finding-{f}"),
                (None, Some(i)) => format!("#item-{i}"),
                _ => "#photos".into(),
            };
            Ok(redirect_with_flash(
                &format!("{back}{anchor}"),
                "flash.photo_added",
                ctx.secure,
            ))
        }
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(&state, "inspection.file_refused", &errs, &back))
        }
        Err(e) => Err(e),
    }
}

pub async fn findings_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<FindingParams>,
) -> AppResult<Response> {
    let rows: Vec<_> = overview::findings(&state.db, &ctx, params.status.as_deref(), params.standing.as_deref())
        .await?
        .into_iter()
        .map(|(f, s)| minijinja::context! { f => f, standing => s.as_str(), answered_on => f.answered_at.map(date_of) })
        .collect();
    Ok(ctx.render(
        &state,
        "inspections/findings.html",
        minijinja::context! {
            title => ctx.t("inspection.findings_title"), rows => rows,
            params => minijinja::context! { status => params.status, standing => params.standing },
            statuses => ["open", "answered", "returned", "accepted"],
            standings => ["open_overdue", "open_not_due", "closed_on_time", "closed_late"],
        },
    ))
}

pub async fn checklist(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    checklist_page(&state, &ctx, &[], None).await
}

async fn checklist_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &[FieldError],
    own: Option<String>,
) -> AppResult<Response> {
    let lines = service::checklist(&state.db, ctx).await?;
    let defaults: Vec<_> = DEFAULT_ITEMS
        .iter()
        .map(|c| {
            minijinja::context! { code => c, text => ctx.t(&format!("inspection.item.{c}")),
            on => lines.iter().any(|l| l.code == *c) }
        })
        .collect();
    let own = own.unwrap_or_else(|| {
        lines
            .iter()
            .filter(|l| l.code.is_empty())
            .map(|l| l.label.clone())
            .collect::<Vec<_>>()
            .join("\n")
    });
    let p = ctx.user()?;
    let page = minijinja::context! {
        title => ctx.t("inspection.checklist"), lines => lines, defaults => defaults, own => own,
        errors => messages(ctx, errors),
        may_edit => policy::allows(p, policy::Action::Update, &policy::Object::InspectionChecklist),
    };
    Ok(unprocessable(
        ctx.render(state, "inspections/checklist.html", page),
        errors,
    ))
}

pub async fn set_checklist(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let pairs = form_urlencoded_pairs(&String::from_utf8_lossy(&body));
    let mut items: Vec<ChecklistItem> = pairs
        .iter()
        .filter(|(k, _)| k == "code")
        .map(|(_, v)| ChecklistItem {
            code: v.clone(),
            label: String::new(),
        })
        .collect();
    let own = get(&pairs, "own").unwrap_or_default();
    items.extend(
        own.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| ChecklistItem {
                code: String::new(),
                label: l.to_string(),
            }),
    );
    match service::set_checklist(&state.db, &ctx, &ChecklistInput { items }).await {
        Ok(_) => Ok(redirect_with_flash("/inspections/checklist", "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs)) => checklist_page(&state, &ctx, &errs, Some(own)).await,
        Err(e) => Err(e),
    }
}
