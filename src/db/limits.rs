//! Counters in fixed time windows, kept in the database so that every instance shares them:
//! sign-in throttling and request rate limits.

use super::{Db, Tx};
use crate::{on_db, on_tx};

/// The start of the window of `secs` seconds that holds `now`.
pub fn window_start(now: i64, secs: i64) -> i64 {
    now - now.rem_euclid(secs.max(1))
}

/// Adds `n` to `key`'s counter in the window starting at `start` (a counter of an older window
/// starts again from zero) and answers the count after adding. One statement, so two
/// instances adding at once never lose a hit.
pub async fn add(tx: &mut Tx, key: &str, start: i64, n: i64) -> sqlx::Result<i64> {
    on_tx!(tx, c => sqlx::query_scalar(
        "insert into rate_counters (key, window_start, count) values ($1, $2, $3)
         on conflict (key) do update set
             count = case when rate_counters.window_start = excluded.window_start
                          then rate_counters.count + excluded.count else excluded.count end,
             window_start = excluded.window_start
         returning count")
        .bind(key).bind(start).bind(n).fetch_one(&mut *c).await)
}

/// The count of `key` in the window starting at `start` (0 when none).
pub async fn get(db: &Db, key: &str, start: i64) -> sqlx::Result<i64> {
    let n: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "select count from rate_counters where key = $1 and window_start = $2")
        .bind(key).bind(start).fetch_optional(pool).await?);
    Ok(n.unwrap_or(0))
}

/// Forgets `key` (a correct password clears its failures).
pub async fn clear(tx: &mut Tx, key: &str) -> sqlx::Result<()> {
    on_tx!(tx, c => sqlx::query("delete from rate_counters where key = $1").bind(key).execute(&mut *c).await.map(|r| r.rows_affected())?);
    Ok(())
}

/// Drops counters whose window ended before `before`.
pub async fn prune(db: &Db, before: i64) -> sqlx::Result<u64> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("delete from rate_counters where window_start < $1")
        .bind(before).execute(&mut *c).await?.rows_affected());
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_on_their_boundary() {
        assert_eq!(window_start(125, 60), 120);
        assert_eq!(window_start(120, 60), 120);
        assert_eq!(window_start(59, 60), 0);
        assert_eq!(window_start(7, 0), 7);
    }
}
