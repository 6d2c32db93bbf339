//! The one error type of the application and how it reaches people.
//!
//! A handler returns [`AppError`]; its response carries an [`ErrorInfo`] and no body. The
//! `render_errors` middleware (in `web`) then writes the body in the caller's language: JSON
//! `{"error": {"code", "message", "details"}}` under `/api`, an HTML page elsewhere. Server
//! faults are logged with their cause and shown without it.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::{tf, Lang};

/// Marks a parameter value that is an i18n key (a NUL never comes from user input).
const TEXT_KEY: &str = "\u{0}t:";

/// A problem with one input field: which field, and the i18n key saying what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

/// A field rule of the domain, as the error the pages and the API show.
impl From<crate::domain::activity::Problem> for FieldError {
    fn from(p: crate::domain::activity::Problem) -> Self {
        FieldError {
            field: p.field.to_string(),
            key: p.key,
            params: p.params,
        }
    }
}

impl FieldError {
    pub fn new(field: impl Into<String>, key: &'static str) -> Self {
        FieldError {
            field: field.into(),
            key,
            params: vec![],
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.push((name, value.to_string()));
        self
    }

    /// A parameter shown as the text of i18n `key` in the reader's language (a state's label,
    /// not its code).
    pub fn with_text(mut self, name: &'static str, key: &str) -> Self {
        self.params.push((name, format!("{TEXT_KEY}{key}")));
        self
    }

    pub fn message(&self, lang: Lang) -> String {
        let params: Vec<(&str, String)> = self
            .params
            .iter()
            .map(|(k, v)| match v.strip_prefix(TEXT_KEY) {
                Some(key) => (*k, crate::i18n::t(lang, key)),
                None => (*k, v.clone()),
            })
            .collect();
        tf(lang, self.key, &params)
    }
}

#[derive(Debug)]
pub enum AppError {
    /// 422: the input breaks a rule; each field says what is wrong.
    Validation(Vec<FieldError>),
    /// 409: the input clashes with what is stored (a duplicate, a dependent record).
    Conflict(Vec<FieldError>),
    /// 400: the request itself is malformed; the key says how.
    BadRequest(&'static str),
    Unauthorized,
    /// 401 with the generic "wrong username or password".
    BadCredentials,
    Forbidden,
    NotFound,
    /// 429: too many failed sign-ins; try again after the given minutes.
    Locked {
        minutes: i64,
    },
    /// 429: too many requests; try again after the given seconds.
    RateLimited {
        retry_after: i64,
    },
    /// 403: the form's CSRF token is missing or stale.
    Csrf,
    /// 503: the database cannot be reached or written just now; the key says which. Answered
    /// with `Retry-After`.
    Unavailable(&'static str),
    /// 503: every slot for reading uploads stayed taken; try again shortly.
    Busy,
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: &str, key: &'static str) -> Self {
        AppError::Validation(vec![FieldError::new(field, key)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Locked { .. } | AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The description that survives into the response (never the cause of a 500).
    pub fn info(&self) -> ErrorInfo {
        let (code, key, params, details): (&'static str, &'static str, Vec<(&'static str, String)>, Vec<FieldError>) =
            match self {
                AppError::Validation(d) => ("validation_failed", "err.validation", vec![], d.clone()),
                AppError::Conflict(d) => ("conflict", "err.conflict", vec![], d.clone()),
                AppError::BadRequest(k) => ("bad_request", *k, vec![], vec![]),
                AppError::Unauthorized => ("unauthorized", "err.unauthorized", vec![], vec![]),
                AppError::BadCredentials => ("unauthorized", "err.bad_credentials", vec![], vec![]),
                AppError::Forbidden => ("forbidden", "err.forbidden", vec![], vec![]),
                AppError::Csrf => ("csrf", "err.csrf", vec![], vec![]),
                AppError::NotFound => ("not_found", "err.not_found", vec![], vec![]),
                AppError::Locked { minutes } => (
                    "too_many_requests",
                    "err.locked",
                    vec![("minutes", minutes.to_string())],
                    vec![],
                ),
                AppError::RateLimited { retry_after } => (
                    "too_many_requests",
                    "err.rate_limited",
                    vec![("seconds", retry_after.to_string())],
                    vec![],
                ),
                AppError::Unavailable(k) => ("unavailable", *k, vec![], vec![]),
                AppError::Busy => ("busy", "err.busy", vec![], vec![]),
                AppError::Internal(_) => ("internal", "err.internal", vec![], vec![]),
            };
        ErrorInfo {
            status: self.status(),
            code,
            key,
            params,
            details,
        }
    }
}

/// What an error response says, before it is written in a language.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub details: Vec<FieldError>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorContent,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorContent {
    /// A stable machine-readable code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// What went wrong and what to do, in the caller's language.
    pub message: String,
    /// One entry per offending field.
    pub details: Vec<ErrorDetail>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl ErrorInfo {
    pub fn body(&self, lang: Lang) -> ErrorBody {
        ErrorBody {
            error: ErrorContent {
                code: self.code.to_string(),
                message: tf(lang, self.key, &self.params),
                details: self
                    .details
                    .iter()
                    .map(|d| ErrorDetail {
                        field: d.field.clone(),
                        code: d.key.to_string(),
                        message: d.message(lang),
                    })
                    .collect(),
            },
        }
    }

    /// Describes a response that some layer other than our handlers refused (a body too large,
    /// a malformed JSON body, an unknown route).
    pub fn from_status(status: StatusCode) -> ErrorInfo {
        let (code, key) = match status {
            StatusCode::NOT_FOUND => ("not_found", "err.not_found"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "err.method_not_allowed"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "err.too_large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "err.media_type"),
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => ("bad_request", "err.bad_body"),
            StatusCode::SERVICE_UNAVAILABLE => ("unavailable", "err.db_unreachable"),
            s if s.is_server_error() => ("internal", "err.internal"),
            _ => ("bad_request", "err.bad_request"),
        };
        ErrorInfo {
            status,
            code,
            key,
            params: vec![],
            details: vec![],
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(e) => tracing::error!(error = ?e, "request failed"),
            AppError::Unavailable(k) => tracing::warn!(reason = k, "database unavailable"),
            _ => {}
        }
        let info = self.info();
        let mut res = info.status.into_response();
        let retry_after = match &self {
            AppError::Locked { minutes } => Some(minutes * 60),
            AppError::RateLimited { retry_after } => Some(*retry_after),
            AppError::Busy => Some(2),
            _ => None,
        };
        if let Some(secs) = retry_after {
            res.headers_mut().insert(RETRY_AFTER, secs.max(1).into());
        } else if info.status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        res.extensions_mut().insert(info);
        res
    }
}

/// How long a client should wait before retrying after a 503, in seconds.
pub const RETRY_AFTER_SECS: &str = "5";

/// A database error is never a bare 500 when the database says why: a value it refuses is the
/// request's fault (400), an unreachable or unwritable database is a 503 to retry later.
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        use crate::db::Fault;
        match crate::db::fault_of(&e) {
            Some(Fault::BadValue) => {
                tracing::info!(error = %e, "the database refused a value");
                return AppError::BadRequest("err.bad_value");
            }
            Some(Fault::Unreachable) => {
                tracing::warn!(error = %e, "database unreachable");
                return AppError::Unavailable("err.db_unreachable");
            }
            Some(Fault::NotWritable) => {
                tracing::error!(error = %e, "the database cannot be written");
                return AppError::Unavailable("err.db_not_writable");
            }
            None => {}
        }
        match e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            // A delete that other records still point to (a unit's team, a team's activities):
            // the caller is told what to do, not that the server failed.
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                AppError::Conflict(vec![FieldError::new("id", "err.still_in_use")])
            }
            // The same thing submitted twice at once (a double click, two instances): the second
            // meets the row the first wrote, and is told so, not that the server failed.
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                tracing::info!(error = %d, "a second submit of what was just written");
                AppError::Conflict(vec![FieldError::new("id", "err.just_done")])
            }
            e => AppError::Internal(e.into()),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        // A database error passed along as `anyhow` keeps its meaning (e.g. a 503).
        match e.downcast::<sqlx::Error>() {
            Ok(db) => db.into(),
            Err(e) => AppError::Internal(e),
        }
    }
}
