//! The year's assessment at district scale.
//!
//! `leifeng demo --scale district` makes 300 units, 100 communities, about 100,000 volunteers and
//! 1,000,000 sign-ins. Then it times, over HTTP: the live ranking with every score's explanation
//! computed from the records (`GET /api/v1/assessment?fresh=true`, the aim under 1 s), the ranking
//! page served from the kept ranking (`GET /assessment`, the aim under 100 ms), the same as JSON,
//! and one unit's explanation with its facts (`GET /api/v1/assessment/unit/{id}`); last, closing
//! the year (`POST /api/v1/assessment/close`: the ranking and every score's facts frozen) and the
//! same explanation read from its frozen facts.
//!
//! Run: `cargo bench --bench assessment` (SQLite). With `LEIFENG_BENCH_PG=postgres://user@host/db`
//! (any database on the server: a fresh one is created next to it and dropped after) it measures
//! PostgreSQL too. `LEIFENG_BENCH_SCALE=small` runs a tenth of the district.

mod common;

use common::{free_port, median, wait_ready};
use std::process::{Command, Stdio};
use std::time::Instant;

const PASSWORD: &str = "Bench-Pass-2026";

fn leifeng(args: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leifeng"));
    cmd.args(args)
        .env("LEIFENG_LOG", "warn")
        .env("LEIFENG_DEMO_PASSWORD", PASSWORD);
    cmd
}

fn db_args(dir: &str, url: Option<&str>) -> Vec<String> {
    let mut a = vec!["--data-dir".to_string(), dir.to_string()];
    if let Some(u) = url {
        a.push("--database-url".into());
        a.push(u.into());
    }
    a
}

async fn token(c: &reqwest::Client, port: u16, user: &str) -> String {
    let r: serde_json::Value = c
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": user, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("signed in").to_string()
}

/// The median time of `n` requests (after one warm-up), the status and the last body's size.
async fn timed(c: &reqwest::Client, port: u16, token: &str, path: &str, n: usize) -> (f64, u16, usize) {
    let url = format!("http://127.0.0.1:{port}{path}");
    let mut times = vec![];
    let (mut status, mut size) = (0, 0);
    for i in 0..=n {
        let t = Instant::now();
        let r = c.get(&url).bearer_auth(token).send().await.unwrap();
        status = r.status().as_u16();
        size = r.bytes().await.map(|b| b.len()).unwrap_or(0);
        if i > 0 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    (median(times), status, size)
}

async fn run(label: &str, url: Option<&str>, scale: &str) {
    let dir = std::env::temp_dir().join(format!("leifeng-bench-{}", &leifeng::auth::new_token()[..8]));
    std::fs::create_dir_all(&dir).unwrap();
    let dir_s = dir.to_str().unwrap().to_string();
    let mut args = vec!["demo".to_string(), "--scale".into(), scale.into()];
    args.extend(db_args(&dir_s, url));
    let t = Instant::now();
    let out = leifeng(&args).output().expect("demo runs");
    assert!(out.status.success(), "demo: {}", String::from_utf8_lossy(&out.stderr));
    let made = String::from_utf8_lossy(&out.stdout);
    println!(
        "[{label}] {}",
        made.lines().find(|l| l.starts_with("made")).unwrap_or("")
    );
    println!("[{label}] demo --scale {scale}: {:.1} s", t.elapsed().as_secs_f64());

    let port = free_port();
    let mut serve = vec!["serve".to_string(), "--addr".into(), format!("127.0.0.1:{port}")];
    serve.extend(["--user-rate-limit".to_string(), "0".to_string()]);
    serve.extend(db_args(&dir_s, url));
    let mut child = leifeng(&serve)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("leifeng starts");
    let client = reqwest::Client::new();
    wait_ready(&client, port).await;
    let admin = token(&client, port, "admin").await;
    let (ms, st, size) = timed(&client, port, &admin, "/api/v1/assessment?fresh=true", 5).await;
    println!(
        "[{label}] the live ranking with explanations, computed from the records: {ms:.1} ms (HTTP {st}, {} kB)",
        size / 1024
    );
    let (ms, st, _) = timed(&client, port, &admin, "/assessment", 15).await;
    println!("[{label}] the ranking page (HTML), from the kept ranking: {ms:.1} ms (HTTP {st})");
    let (ms, st, _) = timed(&client, port, &admin, "/assessment?kind=unit", 15).await;
    println!("[{label}] the units' ranking page: {ms:.1} ms (HTTP {st})");
    let (ms, st, _) = timed(&client, port, &admin, "/api/v1/assessment", 15).await;
    println!("[{label}] the kept ranking as JSON: {ms:.1} ms (HTTP {st})");
    let r: serde_json::Value = client
        .get(format!("http://127.0.0.1:{port}/api/v1/assessment?kind=unit"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let unit = r["scores"][0]["id"].as_i64().unwrap_or(1);
    let (ms, st, _) = timed(&client, port, &admin, &format!("/api/v1/assessment/unit/{unit}"), 15).await;
    println!("[{label}] one unit's explanation with its facts: {ms:.1} ms (HTTP {st})");
    let (ms, st, _) = timed(&client, port, &admin, &format!("/assessment/unit/{unit}"), 15).await;
    println!("[{label}] one unit's explanation page: {ms:.1} ms (HTTP {st})");
    // Last, as it ends the live year: closing it, which freezes the ranking and the facts behind
    // every score (gathered for all at once) in one transaction. Once, as a year closes once.
    let t = Instant::now();
    let r = client
        .post(format!("http://127.0.0.1:{port}/api/v1/assessment/close"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    let st = r.status().as_u16();
    let scores = r
        .json::<serde_json::Value>()
        .await
        .map_or(0, |v| v["scores"].as_array().map_or(0, Vec::len));
    println!(
        "[{label}] closing the year, its {scores} scores' facts frozen: {:.1} ms (HTTP {st})",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let (ms, st, _) = timed(&client, port, &admin, &format!("/api/v1/assessment/unit/{unit}"), 15).await;
    println!("[{label}] one unit's explanation from its frozen facts: {ms:.1} ms (HTTP {st})");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let scale = std::env::var("LEIFENG_BENCH_SCALE").unwrap_or_else(|_| "district".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        run("sqlite", None, &scale).await;
        if let Ok(base) = std::env::var("LEIFENG_BENCH_PG") {
            let (url, name) = common::fresh_pg(&base).await;
            run("postgres", Some(&url), &scale).await;
            common::drop_pg(&base, &name).await;
        }
    });
}
