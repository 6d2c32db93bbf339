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
}

impl AppState {
    pub fn new(db: Db, cfg: Config) -> AppState {
        AppState {
            scans: crate::db::attendance_writer::ScanWriter::start(db.clone()),
            limits: Limiter::start(db.clone(), cfg.user_rate_limit),
            db,
            templates: Arc::new(templates::environment()),
            cfg: Arc::new(cfg),
            uploads: Gate::default(),
        }
    }
}

impl AsRef<Db> for AppState {
    fn as_ref(&self) -> &Db {
        &self.db
    }
}
