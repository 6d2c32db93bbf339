//! The database handle: one code base over SQLite or PostgreSQL, chosen by the URL.
//!
//! Each SQL string is written once (`$1` placeholders and `returning` work on both backends);
//! [`on_db!`] and [`on_tx!`] run the same body on whichever pool is live. Per-backend SQL is
//! allowed only in the migration folders and in [`Db::backup`].

pub mod audit;
pub mod batch;
pub mod campaign;
pub mod identity;
pub mod limits;
pub mod orgs;
pub mod privacy;
pub mod service;
pub mod users;

use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// A connection pool on one of the two supported databases.
#[derive(Clone)]
pub enum Db {
    /// SQLite in WAL mode: many readers, and one writer connection so that writes queue in
    /// process instead of failing with SQLITE_BUSY.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Pg(PgPool),
}

/// A write transaction on whichever database is live.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the live read pool (`&SqlitePool` or `&PgPool`).
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { read: $pool, .. } => $body,
            $crate::db::Db::Pg($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection (`&mut SqliteConnection`
/// or `&mut PgConnection`); write `&mut *$conn` where an executor is wanted.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Pg(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and applies pending migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let db = Self::connect_without_migrating(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub async fn connect_without_migrating(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).context("invalid PostgreSQL URL")?;
            // Connections are checked when used, not pinged before every query: a ping is a
            // round trip of its own.
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .with_context(|| format!("cannot connect to PostgreSQL at {}", redact(url)))?;
            Ok(Db::Pg(pool))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .context("invalid SQLite URL")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(opts.clone())
                .await
                .with_context(|| format!("cannot open SQLite database {url}"))?;
            // Each connection is a thread of its own; on a small machine a few keep the cores
            // busy without crowding them.
            let read = SqlitePoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .connect_with(opts.read_only(true))
                .await
                .with_context(|| format!("cannot open SQLite database {url}"))?;
            Ok(Db::Sqlite { read, write })
        } else {
            anyhow::bail!(
                "unsupported database URL {}: use sqlite://PATH or postgres://USER@HOST/DB",
                redact(url)
            )
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// Applies every migration not yet applied. On PostgreSQL sqlx takes an advisory lock, so
    /// several instances starting together migrate once.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite { write, .. } => migrator(SQLITE_MIGRATIONS).run(write).await?,
            Db::Pg(pool) => migrator(PG_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Pg(pool) => Tx::Pg(pool.begin().await?),
        })
    }

    /// Answers whether the database can run a query (for `/readyz`).
    pub async fn ping(&self) -> bool {
        on_db!(self, pool => sqlx::query("select 1").execute(pool).await.is_ok())
    }

    /// Writes a consistent copy of a live SQLite database to `to` (`VACUUM INTO`).
    pub async fn backup(&self, to: &Path) -> anyhow::Result<()> {
        match self {
            Db::Sqlite { write, .. } => {
                anyhow::ensure!(!to.exists(), "{} exists already: choose a new file name", to.display());
                sqlx::query("vacuum into $1")
                    .bind(to.to_string_lossy().into_owned())
                    .execute(write)
                    .await
                    .with_context(|| format!("backup to {} failed", to.display()))?;
                Ok(())
            }
            Db::Pg(_) => anyhow::bail!(
                "this deployment runs on PostgreSQL: back it up with pg_dump, e.g. \
                 `pg_dump --format=custom --file=leifeng.dump DATABASE_URL`"
            ),
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Pg(t) => t.commit().await,
        }
    }
}

type MigrationFile = (i64, &'static str, &'static str);

#[rustfmt::skip]
const SQLITE_MIGRATIONS: &[MigrationFile] = &[
    (1, "foundation", include_str!("migrations/sqlite/0001_foundation.sql")),
    (2, "campaign", include_str!("migrations/sqlite/0002_campaign.sql")),
    (3, "calendar", include_str!("migrations/sqlite/0003_calendar.sql")),
    (4, "volunteer_phone", include_str!("migrations/sqlite/0004_volunteer_phone.sql")),
    (5, "pending_links", include_str!("migrations/sqlite/0005_pending_links.sql")),
    (6, "service", include_str!("migrations/sqlite/0006_service.sql")),
    (7, "trust", include_str!("migrations/sqlite/0007_trust.sql")),
    (8, "privacy", include_str!("migrations/sqlite/0008_privacy.sql")),
];
#[rustfmt::skip]
const PG_MIGRATIONS: &[MigrationFile] = &[
    (1, "foundation", include_str!("migrations/postgres/0001_foundation.sql")),
    (2, "campaign", include_str!("migrations/postgres/0002_campaign.sql")),
    (3, "calendar", include_str!("migrations/postgres/0003_calendar.sql")),
    (4, "volunteer_phone", include_str!("migrations/postgres/0004_volunteer_phone.sql")),
    (5, "pending_links", include_str!("migrations/postgres/0005_pending_links.sql")),
    (6, "service", include_str!("migrations/postgres/0006_service.sql")),
    (7, "trust", include_str!("migrations/postgres/0007_trust.sql")),
    (8, "privacy", include_str!("migrations/postgres/0008_privacy.sql")),
];

fn migrator(files: &'static [MigrationFile]) -> Migrator {
    let migrations = files
        .iter()
        .map(|(version, name, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(name),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Hides a password in a database URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Seconds since the Unix epoch: every timestamp is stored this way on both backends.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The SQL `like` pattern for a user's search text, with wildcards escaped.
pub fn like_pattern(q: &str) -> String {
    let escaped = q
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Whether a database error is a unique-constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_password_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://data/leifeng.db"), "sqlite://data/leifeng.db");
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern(" A_b%"), "%a\\_b\\%%");
    }
}
