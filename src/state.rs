//! The state every request and job shares: the database, the templates, the configuration and
//! the few process-wide helpers (the scan writer, the rate limiter, the upload gate). Nothing
//! here imports a feature, so features, the CLI and the demo can all depend on it.

use std::path::PathBuf;
use std::sync::Arc;

use minijinja::Environment;

use crate::db::Db;
use crate::web::limits::Limiter;
use crate::web::templates;
use crate::web::upload::Gate;

/// How this instance runs; nothing here is state that other instances need to share.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// Take the client address from `X-Forwarded-For` (behind a load balancer).
    pub trust_proxy: bool,
    /// Mark cookies Secure even when no proxy says the request came over HTTPS.
    pub cookie_secure: bool,
    /// Requests one signed-in account may make per minute (0: no limit).
    pub user_rate_limit: i64,
    /// Where notifications go (e-mail, SMS) and how fast.
    pub notify: NotifyConfig,
}

/// The notification channels of this instance. A channel without a URL is not configured:
/// its messages are recorded as skipped (and written to the log when `log_fallback`).
#[derive(Clone, Debug)]
pub struct NotifyConfig {
    /// `smtp://user:pass@host:port` (or `smtps://` for TLS from the first byte).
    pub smtp_url: Option<String>,
    /// The From address of e-mail.
    pub smtp_from: String,
    /// `none`, `starttls` or `tls`; default: `tls` for smtps://, `starttls` otherwise.
    pub smtp_tls: Option<String>,
    /// The SMS provider's HTTP endpoint.
    pub sms_url: Option<String>,
    /// GET or POST.
    pub sms_method: String,
    /// The request body with `{phone}` and `{text}` (JSON-escaped when it starts with `{`,
    /// form-encoded otherwise); for GET, the same placeholders in the URL.
    pub sms_body: String,
    /// An `Authorization` header value, or `Name: value` for another header.
    pub sms_auth: Option<String>,
    /// Write messages of unconfigured channels to the server's log (development).
    pub log_fallback: bool,
    /// Messages per minute per channel, shared by all instances (0: no limit).
    pub email_per_minute: i64,
    pub sms_per_minute: i64,
    /// Run the delivery and reminder jobs in this instance.
    pub jobs: bool,
    /// How often the delivery job looks for due messages when the queue is empty.
    pub poll_ms: u64,
}

impl Default for NotifyConfig {
    fn default() -> NotifyConfig {
        NotifyConfig {
            smtp_url: None,
            smtp_from: "Leifeng <noreply@localhost>".into(),
            smtp_tls: None,
            sms_url: None,
            sms_method: "POST".into(),
            sms_body: r#"{"phone":"{phone}","text":"{text}"}"#.into(),
            sms_auth: None,
            log_fallback: true,
            email_per_minute: 60_000,
            sms_per_minute: 600,
            jobs: true,
            poll_ms: 2000,
        }
    }
}

impl Config {
    /// The explicit database URL, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => format!("sqlite://{}", self.data_dir.join("leifeng.db").display()),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub templates: Arc<Environment<'static>>,
    pub cfg: Arc<Config>,
    /// Scans are written in shared transactions (group commit).
    pub scans: crate::db::attendance_writer::ScanWriter,
    /// Request rate limits, counted in the database.
    pub limits: Limiter,
    /// The few slots in which uploads are read, off the async runtime.
    pub uploads: Gate,
    /// Sign-ups are written in shared transactions on SQLite (group commit).
    pub signups: crate::db::signup_writer::SignupWriter,
    /// PostgreSQL connections kept from one request to the next (`db::held`).
    pub spares: crate::db::held::Spares,
}

impl AppState {
    pub fn new(db: Db, cfg: Config) -> AppState {
        AppState {
            scans: crate::db::attendance_writer::ScanWriter::start(db.clone()),
            signups: crate::db::signup_writer::SignupWriter::start(db.clone()),
            limits: Limiter::start(db.clone(), cfg.user_rate_limit),
            db,
            templates: Arc::new(templates::environment()),
            cfg: Arc::new(cfg),
            uploads: Gate::default(),
            spares: Default::default(),
        }
    }
}

impl AsRef<Db> for AppState {
    fn as_ref(&self) -> &Db {
        &self.db
    }
}
