//! The concentrated-day morning at district scale.
//!
//! `leifeng demo --scale district --tokens-out FILE` makes about 100,000 volunteers, 300 units,
//! 20,000 activities and 1,000,000 sign-ins, plus 200 activities under way with 10,000 signed-up
//! volunteers; then 64 clients sign the 10,000 in over HTTP (`POST /api/v1/activities/{id}/sign-in`
//! with each line's bearer token), with `/healthz` measured in the same run as the ceiling. A second
//! pass replays every scan (all idempotent). At that scale it times a volunteer's record page, a
//! unit's compliance page, the district's month-by-unit grid, and the unit's and the district's
//! workbench (`/api/v1/me/todo` and the home page).
//!
//! Run: `cargo bench --bench service` (SQLite). With `LEIFENG_BENCH_PG=postgres://user@host/db`
//! (any database on the server: a fresh one is created next to it and dropped after) it measures
//! PostgreSQL too. `LEIFENG_BENCH_SCALE=small` runs a tenth of the district; `LEIFENG_BENCH_SECS`
//! sets the length of the ceiling measurement.

mod common;

use common::{free_port, median, rss_mb, wait_ready, LoadResult};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-Pass-2026";
const CLIENTS: usize = 64;

fn leifeng(args: &[&str]) -> Command {
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

fn start(dir: &str, url: Option<&str>, port: u16) -> Child {
    start_with(dir, url, port, true)
}

/// The server, with its per-account rate limit (`limits`) or without (`--user-rate-limit 0`).
fn start_with(dir: &str, url: Option<&str>, port: u16, limits: bool) -> Child {
    let mut args = vec!["serve".to_string(), "--addr".into(), format!("127.0.0.1:{port}")];
    if !limits {
        args.extend(["--user-rate-limit".to_string(), "0".to_string()]);
    }
    args.extend(db_args(dir, url));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    leifeng(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("leifeng starts")
}

/// `/healthz` back to back from `clients` connections for `secs` seconds.
async fn ceiling(port: u16, clients: usize, secs: u64) -> LoadResult {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = vec![];
    for _ in 0..clients {
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
            let url = format!("http://127.0.0.1:{port}/healthz");
            let mut lat = vec![];
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (vec![], 0);
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    LoadResult::of(all, secs as f64, errors)
}

/// Every line's sign-in, shared out over `clients` connections; answers the load and how many
/// sign-ins the server said it recorded for the first time.
async fn storm(port: u16, lines: Arc<Vec<(String, String)>>, clients: usize) -> (LoadResult, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let first = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (lines, next, first) = (lines.clone(), next.clone(), first.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
            let mut lat = vec![];
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((token, activity)) = lines.get(i) else { break };
                let t = Instant::now();
                let res = client
                    .post(format!("http://127.0.0.1:{port}/api/v1/activities/{activity}/sign-in"))
                    .bearer_auth(token)
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().is_success() => {
                        let body = r.bytes().await.unwrap_or_default();
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        if body.windows(14).any(|w| w == b"\"changed\":true") {
                            first.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(r) => {
                        if errors < 3 {
                            eprintln!("sign-in {}: {}", r.status(), r.text().await.unwrap_or_default());
                        }
                        errors += 1;
                    }
                    Err(_) => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (vec![], 0);
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let secs = t0.elapsed().as_secs_f64();
    (LoadResult::of(all, secs, errors), first.load(Ordering::Relaxed))
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

/// The median time of 15 requests of a page (after one warm-up), and its status.
async fn page(c: &reqwest::Client, port: u16, token: &str, path: &str) -> (f64, u16) {
    let url = format!("http://127.0.0.1:{port}{path}");
    let mut times = vec![];
    let mut status = 0;
    for i in 0..16 {
        let t = Instant::now();
        let r = c.get(&url).bearer_auth(token).send().await.unwrap();
        status = r.status().as_u16();
        let _ = r.bytes().await;
        if i > 0 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    (median(times), status)
}

async fn run(label: &str, url: Option<&str>, scale: &str, secs: u64) {
    let dir = std::env::temp_dir().join(format!("leifeng-bench-{}", &leifeng::auth::new_token()[..8]));
    std::fs::create_dir_all(&dir).unwrap();
    let dir_s = dir.to_str().unwrap().to_string();
    let tokens = dir.join("tokens.txt");
    let mut args = vec![
        "demo".to_string(),
        "--scale".into(),
        scale.into(),
        "--tokens-out".into(),
        tokens.to_str().unwrap().into(),
    ];
    args.extend(db_args(&dir_s, url));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let t = Instant::now();
    let out = leifeng(&args).output().expect("demo runs");
    assert!(out.status.success(), "demo: {}", String::from_utf8_lossy(&out.stderr));
    let made = String::from_utf8_lossy(&out.stdout);
    println!(
        "[{label}] {}",
        made.lines().find(|l| l.starts_with("made")).unwrap_or("")
    );
    println!("[{label}] demo --scale {scale}: {:.1} s", t.elapsed().as_secs_f64());
    let lines: Vec<(String, String)> = std::fs::read_to_string(&tokens)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut p = l.split_whitespace();
            Some((p.next()?.to_string(), p.next()?.to_string()))
        })
        .collect();
    let lines = Arc::new(lines);

    let port = free_port();
    let mut child = start(&dir_s, url, port);
    let client = reqwest::Client::new();
    wait_ready(&client, port).await;
    println!("[{label}] server RSS at start: {:.1} MB", rss_mb(child.id()));

    let ceil = ceiling(port, CLIENTS, secs).await;
    println!(
        "[{label}] /healthz, {CLIENTS} clients: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} errors)",
        ceil.rps, ceil.p50_ms, ceil.p99_ms, ceil.errors
    );
    // The storm in quarters, with the rate limits, without, without, with (ABBA), each on a
    // freshly started server: what the limits cost, measured in one run.
    let _ = child.kill();
    let _ = child.wait();
    let quarter = lines.len().div_ceil(4);
    let (mut on, mut off) = (
        (0usize, 0f64, vec![], 0usize, 0usize),
        (0usize, 0f64, vec![], 0usize, 0usize),
    );
    for (i, chunk) in lines.chunks(quarter).enumerate() {
        let limits = i == 0 || i == 3;
        child = start_with(&dir_s, url, port, limits);
        wait_ready(&client, port).await;
        let t = Instant::now();
        let (s, first) = storm(port, Arc::new(chunk.to_vec()), CLIENTS).await;
        let secs = t.elapsed().as_secs_f64();
        let side = if limits { &mut on } else { &mut off };
        side.0 += chunk.len();
        side.1 += secs;
        side.2.extend([s.p50_ms, s.p99_ms]);
        side.3 += s.errors;
        side.4 += first;
        if i < 3 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
    let rate = |x: &(usize, f64, Vec<f64>, usize, usize)| x.0 as f64 / x.1.max(1e-9);
    let worst =
        |x: &(usize, f64, Vec<f64>, usize, usize), k: usize| x.2.iter().skip(k).step_by(2).fold(0f64, |a, b| a.max(*b));
    println!(
        "[{label}] sign-in storm, {} sign-ins over {CLIENTS} clients, with rate limits: {:.0} sign-ins/s ({:.1}% of the ceiling), p50 <= {:.2} ms, p99 <= {:.2} ms, {} errors, {} recorded",
        on.0,
        rate(&on),
        100.0 * rate(&on) / ceil.rps.max(1.0),
        worst(&on, 0),
        worst(&on, 1),
        on.3,
        on.4
    );
    println!(
        "[{label}] sign-in storm, {} sign-ins, without the per-account limit: {:.0} sign-ins/s, p50 <= {:.2} ms, p99 <= {:.2} ms, {} errors, {} recorded; the limits cost {:.1}% of the throughput",
        off.0,
        rate(&off),
        worst(&off, 0),
        worst(&off, 1),
        off.3,
        off.4,
        100.0 * (1.0 - rate(&on) / rate(&off).max(1e-9))
    );
    let (r, again) = storm(port, lines.clone(), CLIENTS).await;
    println!(
        "[{label}] the same scans again (idempotent): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors, {} recorded twice",
        r.rps, r.p50_ms, r.p99_ms, r.errors, again
    );
    println!("[{label}] server RSS after the storm: {:.1} MB", rss_mb(child.id()));

    // Pages at this scale.
    let volunteer = &lines[0].0;
    let (ms, st) = page(&client, port, volunteer, "/me/service").await;
    println!("[{label}] a volunteer's record page (/me/service): {ms:.1} ms (HTTP {st})");
    let (ms, st) = page(&client, port, volunteer, "/api/v1/me/service").await;
    println!("[{label}] the same as JSON: {ms:.1} ms (HTTP {st})");
    let unit = token(&client, port, "shuiwu").await;
    let unit_id: i64 = client
        .get(format!("http://127.0.0.1:{port}/api/v1/me"))
        .bearer_auth(&unit)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["unit_id"]
        .as_i64()
        .unwrap_or(1);
    let (ms, st) = page(&client, port, &unit, &format!("/compliance/units/{unit_id}")).await;
    println!("[{label}] a unit's compliance page: {ms:.1} ms (HTTP {st})");
    let admin = token(&client, port, "admin").await;
    let (ms, st) = page(&client, port, &admin, "/compliance").await;
    println!("[{label}] the district's month-by-unit grid (HTML, 400 rows): {ms:.1} ms (HTTP {st})");
    let (ms, st) = page(&client, port, &admin, "/api/v1/compliance").await;
    println!("[{label}] the same grid as JSON: {ms:.1} ms (HTTP {st})");
    let (ms, st) = page(&client, port, &admin, "/activities").await;
    println!("[{label}] the upcoming activities page: {ms:.1} ms (HTTP {st})");
    // The workbenches (issue 10): a unit's and the district's, as JSON and as the home page.
    for (who, tok) in [("a unit's", &unit), ("the district's", &admin)] {
        let (ms, st) = page(&client, port, tok, "/api/v1/me/todo").await;
        println!("[{label}] {who} workbench /api/v1/me/todo: {ms:.1} ms (HTTP {st})");
        let (ms, st) = page(&client, port, tok, "/").await;
        println!("[{label}] {who} home page: {ms:.1} ms (HTTP {st})");
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let secs: u64 = std::env::var("LEIFENG_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let scale = std::env::var("LEIFENG_BENCH_SCALE").unwrap_or_else(|_| "district".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        run("sqlite", None, &scale, secs).await;
        if let Ok(base) = std::env::var("LEIFENG_BENCH_PG") {
            let (url, name) = common::fresh_pg(&base).await;
            run("postgres", Some(&url), &scale, secs).await;
            common::drop_pg(&base, &name).await;
        }
    });
}
