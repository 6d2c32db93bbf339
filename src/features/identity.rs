//! Proving that a person is the one on record before an account is linked to it: a one-time code
//! sent to the phone on record, or the confirmation of the team that keeps the record. Until then
//! the account sees only what its holder typed, and what they typed never changes the record:
//! differences go to the team as proposed corrections.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use hmac::{Mac, SimpleHmac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::teams::{check_volunteer, VolunteerInput};
use crate::auth::policy::{Action, Object};
use crate::db::audit::{self, Actor, Subject};
use crate::db::campaign::{self as store, Volunteer};
use crate::db::identity::{self as idstore, PendingLink, ProposedCorrection};
use crate::db::{now, Tx};
use crate::domain::phone::Phone;
use crate::domain::volunteer::VolunteerFields;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{tf, Lang};
use crate::state::AppState;
use crate::web::{self, limits, Ctx};

/// What a code proves: that its holder has the phone on the record.
const LINK: &str = "link";
/// How long a code lives, and how many tries it allows.
pub const CODE_SECS: i64 = 10 * 60;
pub const CODE_TRIES: i64 = 5;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/me/link", get(link_page).post(link_submit))
        .route("/me/link/code", post(resend_submit))
        .route("/teams/{id}/corrections/{correction_id}", post(correction_submit))
        .routes(routes!(api_status, api_prove))
        .routes(routes!(api_resend))
        .routes(routes!(api_corrections))
        .routes(routes!(api_decide_correction))
}

fn code_hash(salt: &str, code: &str) -> SimpleHmac<Sha256> {
    let mut mac = <SimpleHmac<Sha256> as Mac>::new_from_slice(salt.as_bytes()).expect("any key length");
    mac.update(code.as_bytes());
    mac
}

fn new_code() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    format!("{:06}", OsRng.next_u32() % 1_000_000)
}

/// Makes a code for `user_id` to prove they hold `v`'s phone and sends it there (in `tx`).
/// Answers false when the record has no phone to send it to: then only the team can confirm.
pub async fn issue_code(tx: &mut Tx, user_id: i64, v: &Volunteer, lang: Lang) -> AppResult<bool> {
    if Phone::parse(&v.phone).is_none() {
        return Ok(false);
    }
    let code = new_code();
    let salt = crate::auth::new_token();
    let hash = hex(&code_hash(&salt, &code).finalize().into_bytes());
    idstore::store_code(tx, LINK, user_id, Some(v.id), &salt, &hash, now() + CODE_SECS).await?;
    let body = tf(
        lang,
        "sms.link_code",
        &[("code", code), ("minutes", (CODE_SECS / 60).to_string())],
    );
    idstore::enqueue(tx, "sms", &v.phone, "link_code", &body).await?;
    Ok(true)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a sign-up waiting for proof stands, and what its holder typed.
#[derive(Serialize, ToSchema)]
pub struct LinkStatus {
    /// True while the account waits to be linked to a record.
    pub pending: bool,
    /// True when a code can be sent to the phone on the record (else the team confirms).
    pub by_code: bool,
    /// What the account's holder typed when signing up (their own words, nothing from the record).
    #[schema(value_type = Object)]
    pub typed: serde_json::Value,
}

async fn status(state: &AppState, ctx: &Ctx) -> AppResult<(LinkStatus, Option<PendingLink>)> {
    let p = ctx.user()?;
    let Some(pending) = idstore::pending_of(&state.db, p.user_id).await? else {
        return Ok((
            LinkStatus {
                pending: false,
                by_code: false,
                typed: serde_json::json!({}),
            },
            None,
        ));
    };
    let v = store::get_volunteer(&state.db, pending.volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut typed: serde_json::Value = serde_json::from_str(&pending.data).unwrap_or_default();
    if let Some(o) = typed.as_object_mut() {
        o.retain(|_, v| !v.is_null() && v.as_str() != Some(""));
    }
    Ok((
        LinkStatus {
            pending: true,
            by_code: Phone::parse(&v.phone).is_some(),
            typed,
        },
        Some(pending),
    ))
}

/// Sends a new code (at most a few an hour per account).
pub async fn resend(state: &AppState, ctx: &Ctx) -> AppResult<bool> {
    let p = ctx.user()?;
    let pending = idstore::pending_of(&state.db, p.user_id)
        .await?
        .ok_or(AppError::BadRequest("err.link_nothing_pending"))?;
    state
        .limits
        .hit(limits::CODE_SENDS_PER_ACCOUNT, &p.user_id.to_string())
        .await?;
    let v = store::get_volunteer(&state.db, pending.volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let sent = issue_code(&mut tx, p.user_id, &v, ctx.lang).await?;
    tx.commit().await?;
    Ok(sent)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CodeInput {
    /// The six digits sent to the phone on record.
    pub code: Option<String>,
}

/// Checks a code; when right, links the account to the record.
pub async fn prove(state: &AppState, ctx: &Ctx, input: &CodeInput) -> AppResult<Volunteer> {
    let p = ctx.user()?;
    let typed: String = input
        .code
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if typed.is_empty() {
        return Err(AppError::field("code", "err.required"));
    }
    let pending = idstore::pending_of(&state.db, p.user_id)
        .await?
        .ok_or(AppError::BadRequest("err.link_nothing_pending"))?;
    let mut tx = state.db.begin().await?;
    let Some(stored) = idstore::attempt_code(&mut tx, LINK, p.user_id).await? else {
        return Err(AppError::field("code", "err.code_none"));
    };
    let problem = if stored.attempts > CODE_TRIES {
        Some("err.code_tries")
    } else if stored.expires_at < now() {
        Some("err.code_expired")
    } else if stored.volunteer_id != Some(pending.volunteer_id)
        || hex_decode(&stored.code_hash).is_none_or(|h| code_hash(&stored.salt, &typed).verify_slice(&h).is_err())
    {
        Some("err.code_wrong")
    } else {
        None
    };
    if let Some(key) = problem {
        // The attempt stays counted.
        tx.commit().await?;
        let mut e = FieldError::new("code", key);
        if key == "err.code_wrong" {
            e = e.with("left", (CODE_TRIES - stored.attempts).max(0));
        }
        return Err(AppError::Validation(vec![e]));
    }
    if !idstore::use_code(&mut tx, stored.id).await? {
        return Err(AppError::field("code", "err.code_none"));
    }
    let actor = ctx.actor();
    let v = link(&mut tx, &actor, &pending, "code").await?;
    tx.commit().await?;
    Ok(v)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// Links the waiting account to its record once proven (by code or by the team): the record is
/// not changed; what the person typed differently is proposed to the team.
pub async fn link(tx: &mut Tx, actor: &Actor, pending: &PendingLink, how: &str) -> AppResult<Volunteer> {
    let v = store::volunteer_in_tx(tx, pending.volunteer_id).await?;
    if v.user_id.is_some() {
        return Err(AppError::Conflict(vec![FieldError::new(
            "code",
            "err.already_registered",
        )]));
    }
    store::link_user(tx, actor, v.id, pending.user_id).await?;
    if let Some(team) = pending.team_id {
        store::add_member(tx, actor, team, v.id, false).await?;
    }
    let person: VolunteerInput = serde_json::from_str(&pending.data).map_err(|e| AppError::Internal(e.into()))?;
    if let Ok(f) = check_volunteer(&person) {
        let changes = differences(&f, &v);
        if !changes.is_empty() {
            idstore::propose_correction(
                tx,
                actor,
                v.id,
                Some(pending.user_id),
                &serde_json::Value::Object(changes),
            )
            .await?;
        }
    }
    idstore::delete_pending(tx, pending.user_id).await?;
    audit::record_raw(
        tx,
        actor,
        audit::Op::Update,
        Subject::new("pending_link", Some(v.id), &v.volunteer_no),
        &serde_json::json!({"linked": pending.user_id, "proof": how}),
    )
    .await?;
    Ok(v)
}

/// The fields someone typed that say something other than the record (blanks say nothing).
pub fn differences(typed: &VolunteerFields, v: &Volunteer) -> serde_json::Map<String, serde_json::Value> {
    let pairs: [(&str, &str, &str); 11] = [
        ("name", &typed.name, &v.name),
        ("sex", &typed.sex, &v.sex),
        ("birth_date", &typed.birth_date, &v.birth_date),
        ("phone", &typed.phone, &v.phone),
        ("residence", &typed.residence, &v.residence),
        ("political_status", &typed.political_status, &v.political_status),
        ("employer", &typed.employer, &v.employer),
        ("post", &typed.post, &v.post),
        ("skills", &typed.skills, &v.skills),
        ("guardian_name", &typed.guardian_name, &v.guardian_name),
        ("guardian_phone", &typed.guardian_phone, &v.guardian_phone),
    ];
    pairs
        .into_iter()
        .filter(|(_, new, old)| !new.is_empty() && new != old)
        .map(|(k, new, _)| (k.to_string(), serde_json::Value::String(new.to_string())))
        .collect()
}

/// The fields of a proposal as an update: only what it names (blanks keep what is stored).
fn as_fields(data: &serde_json::Value) -> VolunteerFields {
    let get = |k: &str| data.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    VolunteerFields {
        name: get("name"),
        sex: get("sex"),
        birth_date: get("birth_date"),
        phone: get("phone"),
        residence: get("residence"),
        political_status: get("political_status"),
        employer: get("employer"),
        post: get("post"),
        skills: get("skills"),
        guardian_name: get("guardian_name"),
        guardian_phone: get("guardian_phone"),
        ..Default::default()
    }
}

/// The open proposals for people on a team's roster (those who maintain it).
pub async fn corrections(state: &AppState, ctx: &Ctx, team_id: i64) -> AppResult<Vec<ProposedCorrection>> {
    let (_, place) = super::teams::load(state, ctx, team_id).await?;
    crate::features::ensure(ctx.user()?, Action::Update, &Object::Team(place))?;
    Ok(idstore::open_corrections(&state.db, team_id).await?)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct CorrectionDecision {
    /// `apply` (write the proposed values to the record) or `dismiss`.
    pub decision: Option<String>,
}

/// A team that maintains the record applies or dismisses a proposed correction.
pub async fn decide_correction(
    state: &AppState,
    ctx: &Ctx,
    team_id: i64,
    id: i64,
    input: &CorrectionDecision,
) -> AppResult<()> {
    let c = corrections(state, ctx, team_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    let actor = ctx.actor();
    let mut tx = state.db.begin().await?;
    let status = match input.decision.as_deref() {
        Some("apply") => {
            store::update_volunteer(&mut tx, &actor, c.volunteer_id, &as_fields(&c.data)).await?;
            "applied"
        }
        Some("dismiss") => "dismissed",
        _ => return Err(AppError::field("decision", "err.decision")),
    };
    if !idstore::close_correction(&mut tx, &actor, id, status).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------ JSON API

/// Where the caller's sign-up stands: waiting to be linked to a record, and what they typed.
#[utoipa::path(get, path = "/api/v1/me/link", tag = "volunteers", responses((status = 200, body = LinkStatus)))]
pub async fn api_status(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<LinkStatus>> {
    Ok(Json(status(&state, &ctx).await?.0))
}

#[derive(Serialize, ToSchema)]
pub struct Linked {
    pub volunteer_no: String,
}

/// Prove with the code sent to the phone on record; the account is then linked to the record.
#[utoipa::path(post, path = "/api/v1/me/link", tag = "volunteers", request_body = CodeInput,
    responses((status = 200, body = Linked), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_prove(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CodeInput>,
) -> AppResult<Json<Linked>> {
    let v = prove(&state, &ctx, &input).await?;
    Ok(Json(Linked {
        volunteer_no: v.volunteer_no,
    }))
}

/// Send a new code to the phone on record (a few an hour).
#[utoipa::path(post, path = "/api/v1/me/link/code", tag = "volunteers",
    responses((status = 202), (status = 400, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn api_resend(State(state): State<AppState>, ctx: Ctx) -> AppResult<StatusCode> {
    if resend(&state, &ctx).await? {
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(AppError::BadRequest("err.link_no_phone"))
    }
}

/// Corrections proposed by people who signed up as someone on the team's roster.
#[utoipa::path(get, path = "/api/v1/teams/{id}/corrections", tag = "volunteers",
    responses((status = 200, body = Vec<ProposedCorrection>)))]
pub async fn api_corrections(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<ProposedCorrection>>> {
    Ok(Json(corrections(&state, &ctx, id).await?))
}

/// Apply or dismiss a proposed correction.
#[utoipa::path(post, path = "/api/v1/teams/{id}/corrections/{correction_id}", tag = "volunteers", request_body = CorrectionDecision,
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_decide_correction(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    Json(input): Json<CorrectionDecision>,
) -> AppResult<StatusCode> {
    decide_correction(&state, &ctx, id, cid, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ pages

fn render_link(state: &AppState, ctx: &Ctx, s: &LinkStatus, error: Option<String>) -> Response {
    let typed: Vec<(String, String)> = s
        .typed
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "consent" | "id_consent" | "guardian_consent"))
                .map(|(k, v)| {
                    (
                        ctx.t(&format!("field.{k}")),
                        v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page = minijinja::context! {
        title => ctx.t("link.title"), by_code => s.by_code, typed => typed, error => error,
    };
    ctx.render(state, "link.html", page)
}

async fn link_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (s, _) = status(&state, &ctx).await?;
    if !s.pending {
        return Ok(web::redirect_with_flash("/me/record", "flash.link_done", ctx.secure));
    }
    Ok(render_link(&state, &ctx, &s, None))
}

async fn link_submit(State(state): State<AppState>, ctx: Ctx, Form(input): Form<CodeInput>) -> AppResult<Response> {
    match prove(&state, &ctx, &input).await {
        Ok(_) => Ok(web::redirect_with_flash("/me/record", "flash.link_done", ctx.secure)),
        Err(AppError::Validation(errs)) => {
            let (s, _) = status(&state, &ctx).await?;
            let msg = errs.first().map(|e| e.message(ctx.lang));
            Ok(web::unprocessable(render_link(&state, &ctx, &s, msg)))
        }
        Err(e) => Err(e),
    }
}

async fn resend_submit(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let sent = resend(&state, &ctx).await?;
    let flash = if sent { "flash.code_sent" } else { "err.link_no_phone" };
    Ok(web::redirect_with_flash("/me/link", flash, ctx.secure))
}

async fn correction_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    Form(input): Form<CorrectionDecision>,
) -> AppResult<Response> {
    decide_correction(&state, &ctx, id, cid, &input).await?;
    Ok(web::redirect_with_flash(&format!("/teams/{id}"), "flash.saved", ctx.secure).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_hashes_verify_only_the_right_code() {
        let c = new_code();
        assert_eq!(c.len(), 6);
        assert!(c.chars().all(|ch| ch.is_ascii_digit()));
        let h = code_hash("salt", "123456").finalize().into_bytes();
        let stored = hex(&h);
        let raw = hex_decode(&stored).unwrap();
        assert!(code_hash("salt", "123456").verify_slice(&raw).is_ok());
        assert!(code_hash("salt", "123457").verify_slice(&raw).is_err());
        assert!(code_hash("pepper", "123456").verify_slice(&raw).is_err());
        assert_eq!(hex_decode("zz"), None);
    }

    #[test]
    fn only_what_was_typed_differently_is_proposed() {
        let typed = VolunteerFields {
            name: "王小明".into(),
            phone: "13900000000".into(),
            employer: String::new(),
            ..Default::default()
        };
        let v = Volunteer {
            id: 1,
            volunteer_no: "LF1".into(),
            name: "王小明".into(),
            sex: "M".into(),
            birth_date: String::new(),
            id_type: String::new(),
            id_number: None,
            phone: "13800000000".into(),
            residence: String::new(),
            political_status: String::new(),
            employer: "税务局".into(),
            post: String::new(),
            skills: String::new(),
            consent_at: None,
            id_consent_at: None,
            guardian_name: String::new(),
            guardian_phone: String::new(),
            guardian_consent_at: None,
            user_id: None,
            created_at: 0,
            updated_at: 0,
        };
        let d = differences(&typed, &v);
        assert_eq!(d.len(), 1);
        assert_eq!(d["phone"], "13900000000");
        let f = as_fields(&serde_json::Value::Object(d));
        assert_eq!(f.phone, "13900000000");
        assert_eq!(f.name, "");
    }
}
