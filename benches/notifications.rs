//! A concentrated day's reminders: 10,000 volunteers signed up for 200 activities are reminded
//! (in-app, e-mail and SMS rows queued in their languages, as the reminder job does), then the
//! e-mails are delivered to a local SMTP sink by the delivery job.
//!
//! Targets (issue 10): queued in under 2 s; delivered at 500 messages/s or more.
//!
//! Run: `cargo bench --bench notifications` (SQLite). With `LEIFENG_BENCH_PG=postgres://user@host/db`
//! (a fresh database is created next to it and dropped after) it measures PostgreSQL too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use leifeng::db::Db;
use leifeng::domain::notification::DeliveryState;
use leifeng::features::notifications::{channels::Channels, delivery, reminders};
use leifeng::state::NotifyConfig;
use sqlx::Connection;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server that accepts every message and counts it.
async fn sink() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let c = c.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                let _ = w.write_all(b"220 sink\r\n").await;
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let up = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if up.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if up == "DATA" {
                        let _ = w.write_all(b"354 go\r\n").await;
                        loop {
                            line.clear();
                            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" {
                                break;
                            }
                        }
                        c.fetch_add(1, Ordering::Relaxed);
                        b"250 ok\r\n"
                    } else if up == "QUIT" {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    if w.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, count)
}

async fn run(label: &str, url: &str) {
    let db = Db::connect(url).await.expect("database");
    let sizes = leifeng::demo::scale::Sizes {
        units: 60,
        communities: 30,
        // Enough members per team that no volunteer is drawn twice for the live activities
        // (each gets an account named after the volunteer).
        volunteers: 40_000,
        activities: 400,
        signins: 2_000,
        live_activities: 200,
        live_signups: 10_000,
    };
    let made = Instant::now();
    let r = leifeng::demo::scale::district(&db, sizes, None)
        .await
        .expect("district");
    println!(
        "[{label}] district made in {:.1} s: {} live sign-ups",
        made.elapsed().as_secs_f64(),
        r.live_signups
    );
    // Everyone has an e-mail address (the account's own) and keeps no quiet hours (the bench
    // runs at any hour).
    let sqls = [
        "update users set email = 'u' || id || '@bench.example'",
        "insert into notification_prefs (user_id, email_on, sms_on, quiet_hours, updated_at)
         select id, true, true, false, 0 from users where true
         on conflict (user_id) do update set email_on = true, quiet_hours = false",
    ];
    for sql in sqls {
        match &db {
            Db::Sqlite { write, .. } => sqlx::query(sql).execute(write).await.map(|_| ()),
            Db::Pg(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        }
        .unwrap();
    }

    // The reminder job an hour before the live activities start.
    let starts = leifeng::db::now() - 600;
    let t = Instant::now();
    let added = reminders::activity_reminders(&db, starts - 3600).await.unwrap();
    let queued = t.elapsed();
    println!(
        "[{label}] reminders queued: {added} messages (in-app, e-mail, SMS) for {} volunteers in {:.2} s (target < 2 s)",
        r.live_signups,
        queued.as_secs_f64()
    );

    let (port, count) = sink().await;
    let cfg = NotifyConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        smtp_tls: Some("none".into()),
        email_per_minute: 0,
        sms_per_minute: 0,
        log_fallback: false,
        ..Default::default()
    };
    let channels = Arc::new(Channels::from_config(&cfg).unwrap());
    let t = Instant::now();
    loop {
        let round = delivery::deliver_due(&db, &channels, &cfg).await.unwrap();
        if round.handled() == 0 {
            break;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let sent = count.load(Ordering::Relaxed);
    let left = leifeng::db::notifications::count_by_state(&db, DeliveryState::Queued)
        .await
        .unwrap();
    println!(
        "[{label}] delivered {sent} e-mails to the SMTP sink in {secs:.2} s: {:.0} messages/s (target ≥ 500); {left} left queued",
        sent as f64 / secs
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("leifeng-bench-notify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        run("SQLite", &format!("sqlite://{}", dir.join("bench.db").display())).await;
        let _ = std::fs::remove_dir_all(&dir);
        if let Ok(pg) = std::env::var("LEIFENG_BENCH_PG") {
            let name = format!("lf_bench_notify_{}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(&pg).await.expect("PostgreSQL");
            sqlx::query(&format!("create database {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
            let base = pg.rsplit_once('/').map(|(b, _)| b).unwrap_or(&pg);
            run("PostgreSQL", &format!("{base}/{name}")).await;
            sqlx::query(&format!("drop database {name} with (force)"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    });
}
