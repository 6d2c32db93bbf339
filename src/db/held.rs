//! One PostgreSQL connection per request. Every statement outside a transaction used to take a
//! connection from the pool and give it back, and sqlx pings each connection it is given back
//! (a round trip, and a task of its own): a page of eight reads paid eight pings. Inside
//! [`keep_one`] the first read takes a connection, the request's later reads use the same one, and
//! it goes back to the pool (one ping) when the request ends.
//!
//! Deadlocks are the danger of holding a connection while waiting for another: a transaction
//! begun inside the scope takes the held connection with it ([`take`]), and a request that waits
//! on a writer task gives the connection back first ([`release`]). SQLite is untouched: its pools
//! are in process and pay no ping.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The request's connection, taken at its first read.
pub type Held = Arc<Mutex<Option<PoolConnection<Postgres>>>>;

tokio::task_local! {
    static HELD: Held;
}

/// Runs `fut` with one connection kept for its reads (PostgreSQL; taken lazily, so a request
/// that reads nothing takes none).
pub async fn keep_one<F: Future>(fut: F) -> F::Output {
    HELD.scope(Held::default(), fut).await
}

/// The current request's cell, if the caller runs inside [`keep_one`].
pub fn current() -> Option<Held> {
    HELD.try_with(Arc::clone).ok()
}

/// The held connection, taken from `pool` if the request has none yet.
pub async fn fill<'a>(
    slot: &'a mut Option<PoolConnection<Postgres>>,
    pool: &PgPool,
) -> Result<&'a mut PgConnection, sqlx::Error> {
    if slot.is_none() {
        *slot = Some(pool.acquire().await?);
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
