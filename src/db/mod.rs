//! The database handle: one code base over SQLite or PostgreSQL, chosen by the URL.
//!
//! Each SQL string is written once (`$1` placeholders and `returning` work on both backends);
//! [`on_db!`] and [`on_tx!`] run the same body on whichever pool is live. Per-backend SQL is
//! allowed only in the migration folders and in [`Db::backup`].

pub mod activities;
pub mod assessment;
pub mod attendance;
pub mod attendance_writer;
pub mod audit;
pub mod board;
pub mod calendar;
pub mod campaigns;
pub mod certificates;
pub mod checkins;
pub mod commendations;
pub mod communities;
pub mod compliance;
pub mod demo;
pub mod dispatches;
pub mod district;
pub mod group_commit;
pub mod held;
pub mod identity;
pub mod inspections;
pub mod limits;
pub mod list;
pub mod managers;
pub mod monthly;
pub mod needs;
pub mod notifications;
pub mod notify_facts;
pub mod pairings;
pub mod privacy;
pub mod public;
pub mod sessions;
pub mod settings;
pub mod signup_writer;
pub mod signups;
pub mod stats;
pub mod streets;
pub mod teams;
pub mod todo;
pub mod traffic;
pub mod units;
pub mod users;
pub mod volunteers;

use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous, SqliteTransactionManager,
};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction, TransactionManager};

/// A connection pool on one of the two supported databases.
#[derive(Clone)]
pub enum Db {
    /// SQLite in WAL mode: many readers, and one writer connection so that writes queue in
    /// process instead of failing with SQLITE_BUSY.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// What the last writes said about the disk (see [`WriterHealth`]).
        health: Arc<WriterHealth>,
    },
    Pg(PgPool),
}

/// Services that read one value take anything that holds the database (`&Db`, `&AppState`).
impl AsRef<Db> for Db {
    fn as_ref(&self) -> &Db {
        self
    }
}

/// A write transaction on whichever database is live.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>, Uncommitted),
    Pg(Transaction<'static, Postgres>),
}

/// How long a request waits for a database connection before it is told to come back later.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// What kind of trouble a database error is, when it is not a bug of ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The database refused a value of the request (a NUL character, a number out of range).
    BadValue,
    /// The database cannot be reached (stopped, network down, every connection busy).
    Unreachable,
    /// The database cannot be written (a read-only or failing disk, a full disk, a damaged file).
    NotWritable,
}

/// Classifies a database error; `None` for everything else (a bug, a constraint, no row).
pub fn fault_of(e: &sqlx::Error) -> Option<Fault> {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => Some(Fault::Unreachable),
        sqlx::Error::Database(d) => {
            let code = d.code()?;
            if d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
                match code.as_ref() {
                    // invalid byte sequence (NUL), untranslatable character, numeric out of
                    // range, invalid text representation, invalid row count in LIMIT/OFFSET,
                    // string too long.
                    "22021" | "22P05" | "22003" | "22P02" | "2201W" | "2201X" | "22001" => Some(Fault::BadValue),
                    // read-only transaction, disk full, out of memory.
                    "25006" | "53100" | "53200" => Some(Fault::NotWritable),
                    // admin shutdown, crash shutdown, cannot connect now, too many connections.
                    "57P01" | "57P02" | "57P03" | "53300" => Some(Fault::Unreachable),
                    c if c.starts_with("08") => Some(Fault::Unreachable),
                    _ => None,
                }
            } else {
                // SQLite: the primary result code is the low byte of the extended one.
                let primary = code.parse::<i32>().ok()? & 0xff;
                match primary {
                    // SQLITE_READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB
                    8 | 10 | 11 | 13 | 14 | 26 => Some(Fault::NotWritable),
                    _ => None,
                }
            }
        }
        _ => None,
    }
}

/// What `/readyz` reports.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Readiness {
    pub database: &'static str,
    /// A connection answered.
    pub reachable: bool,
    /// A write was committed.
    pub writable: bool,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.reachable && self.writable
    }
}

/// Runs `$body` with `$pool` bound to the live read pool (`&SqlitePool` or `&PgPool`), or inside a
/// request on PostgreSQL to its one connection (`&mut PgConnection`): use `$pool` once.
#[macro_export]
macro_rules! on_db {
    // A body with several statements: `on_db!(db, mut pool => …)`, each statement given `pool.ex()`.
    ($db:expr, mut $pool:ident => $body:expr) => {{
        use $crate::db::Lend as _;
        match $db {
            $crate::db::Db::Sqlite { read: $pool, .. } => {
                #[allow(unused_mut)]
                let mut $pool = $pool;
                $body
            }
            $crate::db::Db::Pg(pg) => match $crate::db::held::current() {
                Some(cell) => {
                    let mut slot = cell.lock().await;
                    match $crate::db::held::fill(&mut slot, pg).await {
                        Ok(mut $pool) => $body,
                        // No connection to hold: the statement asks the pool itself, and says why.
                        Err(_) => {
                            #[allow(unused_mut)]
                            let mut $pool = pg;
                            $body
                        }
                    }
                }
                None => {
                    #[allow(unused_mut)]
                    let mut $pool = pg;
                    $body
                }
            },
        }
    }};
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite { read: $pool, .. } => $body,
            // Inside a request, its one held connection (see `db::held`); else the pool.
            $crate::db::Db::Pg(pg) => match $crate::db::held::current() {
                Some(cell) => {
                    let mut slot = cell.lock().await;
                    match $crate::db::held::fill(&mut slot, pg).await {
                        Ok($pool) => $body,
                        // No connection to hold: the statement asks the pool itself, and says why.
                        Err(_) => {
                            let $pool = pg;
                            $body
                        }
                    }
                }
                None => {
                    let $pool = pg;
                    $body
                }
            },
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection (`&mut SqliteConnection`
/// or `&mut PgConnection`); write `&mut *$conn` where an executor is wanted.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t, _) => {
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

/// What a several-statement `on_db!` body holds: a pool, or the request's connection, lent to
/// one statement at a time by `ex()`.
pub trait Lend {
    type Ex<'a>
    where
        Self: 'a;
    fn ex(&mut self) -> Self::Ex<'_>;
}

impl<'p> Lend for &'p SqlitePool {
    type Ex<'a>
        = &'p SqlitePool
    where
        Self: 'a;
    fn ex(&mut self) -> &'p SqlitePool {
        self
    }
}

impl<'p> Lend for &'p PgPool {
    type Ex<'a>
        = &'p PgPool
    where
        Self: 'a;
    fn ex(&mut self) -> &'p PgPool {
        self
    }
}

impl Lend for &mut sqlx::PgConnection {
    type Ex<'a>
        = &'a mut sqlx::PgConnection
    where
        Self: 'a;
    fn ex(&mut self) -> &mut sqlx::PgConnection {
        self
    }
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
                .acquire_timeout(ACQUIRE_TIMEOUT)
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
            let health = Arc::new(WriterHealth::new());
            let h = health.clone();
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .after_release(move |conn, _| {
                    let h = h.clone();
                    Box::pin(async move { writer_still_sound(conn, &h).await })
                })
                .connect_with(opts.clone())
                .await
                .with_context(|| format!("cannot open SQLite database {url}"))?;
            // Before any reader loads the statistics; a database that refuses is only slower.
            if let Err(e) = drop_stat4_samples(&write).await {
                tracing::warn!(error = %e, "could not drop the sqlite_stat4 samples");
            }
            // Each connection is a thread of its own; on a small machine a few keep the cores
            // busy without crowding them.
            let h = health.clone();
            let read = SqlitePoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .before_acquire(move |_, meta| {
                    let fresh = h.opened_since_recovery(meta.age);
                    Box::pin(async move { Ok(fresh) })
                })
                .connect_with(opts.read_only(true))
                .await
                .with_context(|| format!("cannot open SQLite database {url}"))?;
            Ok(Db::Sqlite { read, write, health })
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

    /// Applies the migrations numbered up to `last` only (tests of a migration over data of the
    /// schema before it).
    pub async fn migrate_up_to(&self, last: i64) -> anyhow::Result<()> {
        let upto = |files: &'static [MigrationFile]| -> &'static [MigrationFile] {
            &files[..files.iter().take_while(|(v, _, _)| *v <= last).count()]
        };
        match self {
            Db::Sqlite { write, .. } => migrator(upto(SQLITE_MIGRATIONS)).run(write).await?,
            Db::Pg(pool) => migrator(upto(PG_MIGRATIONS)).run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite, a writer connection that saw a disk fault is
    /// closed first, so that the write starts on a connection opened afresh.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite { write, health, .. } => {
                if health.fault.swap(false, Ordering::AcqRel) {
                    tracing::warn!("reopening the SQLite writer connection after a disk fault");
                    let stale = write.acquire().await?;
                    if let Err(e) = stale.close().await {
                        tracing::warn!(error = %e, "closing the faulted SQLite writer");
                    }
                }
                match write.begin().await {
                    Ok(t) => Tx::Sqlite(t, Uncommitted(Some(health.clone()))),
                    Err(e) => {
                        health.note(&e);
                        return Err(e);
                    }
                }
            }
            // A transaction inside a request begins on the request's connection, so that the
            // request never holds one connection while it waits for a second.
            Db::Pg(pool) => Tx::Pg(match held::take().await {
                Some(conn) => Transaction::begin(conn, None).await?,
                None => pool.begin().await?,
            }),
        })
    }

    /// Whether the database answers and takes a write (for `/readyz`): a one-row heartbeat is
    /// written and committed through the same path as every other write, within a few seconds.
    pub async fn readiness(&self) -> Readiness {
        let database = match self.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let probe = async {
            let mut tx = self.begin().await?;
            on_tx!(&mut tx, c => sqlx::query(
                "insert into heartbeat (id, at) values (1, $1) on conflict (id) do update set at = excluded.at",
            )
            .bind(now())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
            tx.commit().await
        };
        let (reachable, writable) = match tokio::time::timeout(ACQUIRE_TIMEOUT, probe).await {
            Ok(Ok(())) => (true, true),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness probe failed");
                if let Db::Sqlite { health, .. } = self {
                    health.note(&e);
                }
                (fault_of(&e) != Some(Fault::Unreachable), false)
            }
            Err(_) => (false, false),
        };
        Readiness {
            database,
            reachable,
            writable,
        }
    }
    /// Brings the planner's statistics up to date after a bulk load. PostgreSQL: `vacuum analyze`
    /// (a bulk load leaves the visibility map unset, so index-only scans would wait for
    /// autovacuum). SQLite: `analyze`, keeping its row counts but not its samples (see
    /// [`drop_stat4_samples`]).
    pub async fn refresh_statistics(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Pg(pool) => {
                sqlx::raw_sql("vacuum analyze").execute(pool).await?;
            }
            Db::Sqlite { write, .. } => {
                sqlx::raw_sql("analyze").execute(write).await?;
                drop_stat4_samples(write).await?;
            }
        }
        Ok(())
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
    /// Whether this transaction is on SQLite.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Tx::Sqlite(..))
    }

    /// Commits; only an `Ok` means the write is in the database.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t, mut pending) => {
                let result = t.commit().await;
                if let Some(health) = pending.0.take() {
                    match &result {
                        Ok(()) => health.committed(),
                        Err(e) => {
                            health.note(e);
                            health.fault.store(true, Ordering::Release);
                        }
                    }
                }
                result
            }
            Tx::Pg(t) => t.commit().await,
        }
    }
}

/// Travels with a SQLite write transaction. A transaction dropped without a commit means one of
/// its statements failed, and the failure may have left the writer unusable (e.g. after the file
/// system turned read-only, SQLite keeps such a connection read-only): the writer is then
/// reopened before the next write. That costs a millisecond after a refused write, and it makes
/// sure no later write runs on a connection in an unknown state.
pub struct Uncommitted(Option<Arc<WriterHealth>>);

impl Drop for Uncommitted {
    fn drop(&mut self) {
        if let Some(health) = self.0.take() {
            health.fault.store(true, Ordering::Release);
        }
    }
}

/// What the SQLite writes said about the disk. After a write fails at the disk the writer
/// connection is closed and opened afresh; once a write succeeds again, every reader connection
/// opened before that moment is closed too (it may still hold the files of a file system that
/// was since unmounted and mounted again, and would read stale data from them).
pub struct WriterHealth {
    /// A write failed at the disk: reopen the writer before the next write.
    fault: AtomicBool,
    /// A write failed at the disk and none has succeeded since.
    failing: AtomicBool,
    base: Instant,
    /// When writes recovered, in milliseconds since `base` (0: never failed).
    recovered_ms: AtomicU64,
}

impl WriterHealth {
    fn new() -> WriterHealth {
        WriterHealth {
            fault: AtomicBool::new(false),
            failing: AtomicBool::new(false),
            base: Instant::now(),
            recovered_ms: AtomicU64::new(0),
        }
    }

    /// Marks the writer for reopening after an error that says the disk failed it.
    fn note(&self, e: &sqlx::Error) {
        if fault_of(e) == Some(Fault::NotWritable) {
            self.fault.store(true, Ordering::Release);
            self.failing.store(true, Ordering::Release);
        }
    }

    fn committed(&self) {
        if self.failing.swap(false, Ordering::AcqRel) {
            let ms = self.base.elapsed().as_millis().max(1) as u64;
            self.recovered_ms.store(ms, Ordering::Release);
            tracing::warn!("SQLite writes work again; reopening the reader connections");
        }
    }

    /// Whether a connection of this age was opened after writes last recovered.
    fn opened_since_recovery(&self, age: Duration) -> bool {
        match self.recovered_ms.load(Ordering::Acquire) {
            0 => true,
            ms => age <= self.base.elapsed().saturating_sub(Duration::from_millis(ms)),
        }
    }
}

/// Decides, as the SQLite writer connection goes back to its pool, whether it may be used again.
///
/// When a COMMIT fails at the disk, SQLite has already rolled the transaction back, so the
/// ROLLBACK sqlx then sends fails too ("no transaction is active") and sqlx still counts the
/// connection as inside a transaction. The next `begin` on it would then issue a SAVEPOINT
/// instead of BEGIN, and its "commit" a RELEASE: once one of those fails, every later write is
/// nested inside a transaction that is never committed, yet each reports success. So a writer
/// that thinks it is still in a transaction, or that saw a disk fault, is closed (the pool opens
/// a new one on the next write).
///
/// No round trip to the connection's thread is needed (it would hold the one writer a hand-off
/// longer on every write): the depth is counted by that thread after each BEGIN, COMMIT and
/// ROLLBACK, so after a commit that answered it is already 0, and a transaction dropped without
/// a commit shows 1 until its queued rollback has run; such a transaction also marks the writer
/// faulted (see [`Uncommitted`]). Either way the connection is closed, never reused unsure.
async fn writer_still_sound(conn: &mut sqlx::SqliteConnection, health: &WriterHealth) -> Result<bool, sqlx::Error> {
    let depth = SqliteTransactionManager::get_transaction_depth(conn);
    let faulted = health.fault.swap(false, Ordering::AcqRel);
    if depth != 0 || faulted {
        tracing::warn!(depth, faulted, "closing the SQLite writer connection");
        return Ok(false);
    }
    Ok(true)
}

/// Drops the samples of an `ANALYZE` (sqlite_stat4) and keeps its row counts (sqlite_stat1).
/// With samples, SQLite (built with STAT4, as sqlx bundles it) prepares a statement anew each
/// time a parameter compared with an indexed column changes, i.e. on nearly every request; the
/// counts alone choose the same indexes for this schema's queries.
async fn drop_stat4_samples(write: &SqlitePool) -> Result<(), sqlx::Error> {
    let samples: bool = sqlx::query_scalar("select exists (select 1 from sqlite_schema where name = 'sqlite_stat4')")
        .fetch_one(write)
        .await?;
    if samples {
        let n = sqlx::query("delete from sqlite_stat4")
            .execute(write)
            .await?
            .rows_affected();
        if n > 0 {
            tracing::info!(samples = n, "dropped the sqlite_stat4 samples of an ANALYZE");
            sqlx::raw_sql("analyze sqlite_schema").execute(write).await?;
        }
    }
    Ok(())
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
    (8, "faults", include_str!("migrations/sqlite/0008_faults.sql")),
    (9, "forms", include_str!("migrations/sqlite/0009_forms.sql")),
    (10, "privacy", include_str!("migrations/sqlite/0010_privacy.sql")),
    (12, "notifications", include_str!("migrations/sqlite/0012_notifications.sql")),
    (14, "accounts", include_str!("migrations/sqlite/0014_accounts.sql")),
    (15, "inspections", include_str!("migrations/sqlite/0015_inspections.sql")),
    (16, "assessment", include_str!("migrations/sqlite/0016_assessment.sql")),
    (17, "commendations", include_str!("migrations/sqlite/0017_commendations.sql")),
    (18, "contact", include_str!("migrations/sqlite/0018_contact.sql")),
    (19, "needs", include_str!("migrations/sqlite/0019_needs.sql")),
    (20, "public", include_str!("migrations/sqlite/0020_public.sql")),
    (21, "stats", include_str!("migrations/sqlite/0021_stats.sql")),
    (22, "needs_figures", include_str!("migrations/sqlite/0022_needs_figures.sql")),
    (23, "stats_triggers", include_str!("migrations/sqlite/0023_stats_triggers.sql")),
    (24, "upcoming", include_str!("migrations/sqlite/0024_upcoming.sql")),
    (26, "assessment_snapshot_facts", include_str!("migrations/sqlite/0026_assessment_snapshot_facts.sql")),
    (27, "honour_erasure_one_live_nomination", include_str!("migrations/sqlite/0027_honour_erasure_one_live_nomination.sql")),
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
    (8, "faults", include_str!("migrations/postgres/0008_faults.sql")),
    (9, "forms", include_str!("migrations/postgres/0009_forms.sql")),
    (10, "privacy", include_str!("migrations/postgres/0010_privacy.sql")),
    (12, "notifications", include_str!("migrations/postgres/0012_notifications.sql")),
    (14, "accounts", include_str!("migrations/postgres/0014_accounts.sql")),
    (15, "inspections", include_str!("migrations/postgres/0015_inspections.sql")),
    (16, "assessment", include_str!("migrations/postgres/0016_assessment.sql")),
    (17, "commendations", include_str!("migrations/postgres/0017_commendations.sql")),
    (18, "contact", include_str!("migrations/postgres/0018_contact.sql")),
    (19, "needs", include_str!("migrations/postgres/0019_needs.sql")),
    (20, "public", include_str!("migrations/postgres/0020_public.sql")),
    (21, "stats", include_str!("migrations/postgres/0021_stats.sql")),
    (22, "needs_figures", include_str!("migrations/postgres/0022_needs_figures.sql")),
    (24, "upcoming", include_str!("migrations/postgres/0024_upcoming.sql")),
    (25, "stats_activity_row_trigger", include_str!("migrations/postgres/0025_stats_activity_row_trigger.sql")),
    (26, "assessment_snapshot_facts", include_str!("migrations/postgres/0026_assessment_snapshot_facts.sql")),
    (27, "honour_erasure_one_live_nomination", include_str!("migrations/postgres/0027_honour_erasure_one_live_nomination.sql")),
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
/// `n` groups of `width` bind marks for a multi-row insert: `($1, $2), ($3, $4)` on PostgreSQL,
/// `(?, ?), (?, ?)` on SQLite — SQLite looks a numbered mark's name up in a list as long as the
/// statement's marks, once per mark, which made a 16,000-mark insert spend most of its time
/// finding names.
pub fn value_groups(tx: &Tx, n: usize, width: usize) -> String {
    let sqlite = tx.is_sqlite();
    let groups: Vec<String> = (0..n)
        .map(|i| {
            let marks: Vec<String> = (1..=width)
                .map(|j| {
                    if sqlite {
                        "?".to_string()
                    } else {
                        format!("${}", i * width + j)
                    }
                })
                .collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    groups.join(", ")
}

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
    fn pool_and_connection_errors_mean_unreachable() {
        assert_eq!(fault_of(&sqlx::Error::PoolTimedOut), Some(Fault::Unreachable));
        assert_eq!(fault_of(&sqlx::Error::PoolClosed), Some(Fault::Unreachable));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(fault_of(&sqlx::Error::Io(io)), Some(Fault::Unreachable));
        assert_eq!(fault_of(&sqlx::Error::RowNotFound), None);
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern(" A_b%"), "%a\\_b\\%%");
    }
}
