//! One PostgreSQL connection per request. Every statement outside a transaction used to take a
//! connection from the pool and give it back, and sqlx pings each connection it is given back
//! (a round trip, and a task of its own): a page of eight reads paid eight pings. Inside
//! [`keep_one`] the first read takes a connection, the request's later reads use the same one, and
//! at the end it is kept for the next request (see [`Spares`]) or goes back to the pool.
//!
//! Deadlocks are the danger of holding a connection while waiting for another: a transaction
//! begun inside the scope takes the held connection with it ([`take`]), and a request that waits
//! on a writer task gives the connection back first ([`release`]). SQLite is untouched: its pools
//! are in process and pay no ping.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The request's connection, taken at its first read.
pub type Held = Arc<Mutex<Option<PoolConnection<Postgres>>>>;

/// Connections that requests finished with, kept for the next requests instead of going back to
/// the pool: sqlx pings every connection it is given back (a round trip and a task per request).
/// Only a request that ended without a server error leaves its connection here (a broken one
/// answers 5xx and goes back to the pool, which pings it and drops it if dead); at most half the
/// pool waits here, so jobs that ask the pool itself always find the other half; and a
/// connection goes back to the pool at least once every [`SPARE_FOR`] (its ping, the pool's
/// lifetime and idle checks). One per application (its pool).
#[derive(Clone, Default)]
pub struct Spares(Arc<std::sync::Mutex<Vec<Spare>>>);

struct Spare {
    conn: PoolConnection<Postgres>,
    /// When the connection last came from the pool.
    since: Instant,
}

/// How long a connection passes from request to request before it goes back to the pool.
const SPARE_FOR: Duration = Duration::from_secs(30);

impl Spares {
    fn pop(&self) -> Option<Spare> {
        let mut list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(s) = list.pop() {
            if s.since.elapsed() < SPARE_FOR {
                return Some(s);
            }
            // Waited too long: back to the pool (dropping hands it to a task of the pool's).
            drop(s);
        }
        None
    }

    fn push(&self, s: Spare, pool: &PgPool) {
        if s.since.elapsed() >= SPARE_FOR {
            return;
        }
        let cap = (pool.options().get_max_connections() / 2) as usize;
        let mut list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if list.len() < cap {
            list.push(s);
        }
    }
}

/// What a request keeps: its connection, when that came from the pool, and where it goes after.
struct Scope {
    cell: Held,
    since: std::sync::Mutex<Instant>,
    spares: Spares,
}

tokio::task_local! {
    static HELD: Arc<Scope>;
}

/// Runs `fut` with one connection kept for its reads (PostgreSQL; taken lazily, so a request
/// that reads nothing takes none). Afterwards the connection waits in `spares` for the next
/// request when `reusable` says the answer went well (not a server error), else goes back to
/// the pool. A request dropped half-way (its client gone) gives its connection back to the pool.
pub async fn keep_one<F: Future>(
    pool: &PgPool,
    spares: &Spares,
    fut: F,
    reusable: impl FnOnce(&F::Output) -> bool,
) -> F::Output {
    let scope = Arc::new(Scope {
        cell: Held::default(),
        since: std::sync::Mutex::new(Instant::now()),
        spares: spares.clone(),
    });
    let out = HELD.scope(scope.clone(), fut).await;
    if reusable(&out) {
        // A guard still out (a body that outlived the handler) keeps its connection to itself.
        if let Ok(mut slot) = scope.cell.try_lock() {
            if let Some(conn) = slot.take() {
                let since = *scope.since.lock().unwrap_or_else(|e| e.into_inner());
                spares.push(Spare { conn, since }, pool);
            }
        }
    }
    out
}

/// The current request's cell, if the caller runs inside [`keep_one`].
pub fn current() -> Option<Held> {
    HELD.try_with(|s| Arc::clone(&s.cell)).ok()
}

/// A connection for the request: a spare one, else the pool's.
async fn acquire(pool: &PgPool) -> Result<PoolConnection<Postgres>, sqlx::Error> {
    if let Ok(scope) = HELD.try_with(Arc::clone) {
        if let Some(s) = scope.spares.pop() {
            *scope.since.lock().unwrap_or_else(|e| e.into_inner()) = s.since;
            return Ok(s.conn);
        }
        *scope.since.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }
    pool.acquire().await
}

/// The held connection, taken (a spare, or from `pool`) if the request has none yet.
pub async fn fill<'a>(
    slot: &'a mut Option<PoolConnection<Postgres>>,
    pool: &PgPool,
) -> Result<&'a mut PgConnection, sqlx::Error> {
    if slot.is_none() {
        *slot = Some(acquire(pool).await?);
    }
    Ok(&mut **slot.as_mut().expect("filled above"))
}
/// A connection for code that runs its own statements on PostgreSQL: the request's held one
/// (locked while in use), or outside a request one of the pool's.
pub enum PgConn {
    Held(OwnedMutexGuard<Option<PoolConnection<Postgres>>>),
    Pooled(PoolConnection<Postgres>),
}

/// See [`PgConn`].
pub async fn conn(pool: &PgPool) -> Result<PgConn, sqlx::Error> {
    match current() {
        Some(cell) => {
            let mut slot = cell.lock_owned().await;
            fill(&mut slot, pool).await?;
            Ok(PgConn::Held(slot))
        }
        None => Ok(PgConn::Pooled(pool.acquire().await?)),
    }
}

impl Deref for PgConn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        match self {
            PgConn::Held(slot) => slot.as_deref().expect("filled by conn()"),
            PgConn::Pooled(c) => c,
        }
    }
}

impl DerefMut for PgConn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match self {
            PgConn::Held(slot) => slot.as_deref_mut().expect("filled by conn()"),
            PgConn::Pooled(c) => c,
        }
    }
}

/// Takes the request's connection out of its cell (for a transaction to begin on it).
pub async fn take() -> Option<PoolConnection<Postgres>> {
    match current() {
        Some(cell) => cell.lock().await.take(),
        None => None,
    }
}

/// Gives the request's connection back to the pool before waiting on something that may need
/// one (a writer task).
pub async fn release() {
    drop(take().await);
}
