//! The kept figures at district scale (issue 12 §3).
//!
//! `leifeng demo --scale district` (100,000 volunteers, 300 units, 20,000 activities, 1,000,000
//! sign-ins; the kept figures built at its end), then, warm, the median of 7 of the district's
//! `/compliance` grid (HTML and JSON) and the milestone board (HTML and JSON), the server's RSS
//! after them, and the load of `GET /api/v1/stats` and the `/stats` dashboard against `/healthz`
//! measured in the same run (the share of the ceiling is what to compare).
//!
//! Run: `cargo bench --bench stats` (SQLite). With `LEIFENG_BENCH_PG=postgres://user@host/db` (a
//! fresh database is made beside it and dropped after) it measures PostgreSQL too.
//! `LEIFENG_BENCH_SCALE=small` runs a tenth of the district; `LEIFENG_BENCH_SECS` sets the length
//! of each load.

mod common;

use common::{free_port, median, rss_mb, wait_ready, LoadResult};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-Pass-2026";
const CLIENTS: usize = 16;

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

/// `path` back to back from `clients` connections for `secs` seconds (`token` as bearer).
async fn load(port: u16, path: &str, token: Option<&str>, secs: u64) -> LoadResult {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = vec![];
    for _ in 0..CLIENTS {
        let url = format!("http://127.0.0.1:{port}{path}");
        let token = token.map(str::to_string);
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
            let (mut lat, mut errors) = (vec![], 0);
            while Instant::now() < deadline {
                let t = Instant::now();
                let mut req = client.get(&url);
                if let Some(tok) = &token {
                    req = req.bearer_auth(tok);
                }
                match req.send().await {
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

/// The median of 7 requests after one warm-up, and the status.
async fn timed(c: &reqwest::Client, port: u16, token: &str, path: &str) -> (f64, u16) {
    let url = format!("http://127.0.0.1:{port}{path}");
    let (mut times, mut status) = (vec![], 0);
    for i in 0..8 {
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
    let mut args = vec!["demo".to_string(), "--scale".into(), scale.into()];
    args.extend(db_args(&dir_s, url));
    let t = Instant::now();
    let out = leifeng(&args).output().expect("demo runs");
    assert!(out.status.success(), "demo: {}", String::from_utf8_lossy(&out.stderr));
    println!("[{label}] demo --scale {scale}: {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let mut args = vec!["stats".to_string(), "rebuild".into()];
    args.extend(db_args(&dir_s, url));
    let out = leifeng(&args).output().expect("rebuild runs");
    assert!(
        out.status.success(),
        "rebuild: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("[{label}] stats rebuild: {:.1} s", t.elapsed().as_secs_f64());

    let port = free_port();
    let mut args = vec![
        "serve".to_string(),
        "--addr".into(),
        format!("127.0.0.1:{port}"),
        "--user-rate-limit".into(),
        "0".into(),
    ];
    args.extend(db_args(&dir_s, url));
    let mut server = leifeng(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("leifeng starts");
    let client = reqwest::Client::new();
    wait_ready(&client, port).await;
    let pid = server.id();
    println!("[{label}] RSS at start: {:.1} MB", rss_mb(pid));
    let r: serde_json::Value = client
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin = r["token"].as_str().expect("signed in").to_string();
    for path in ["/compliance", "/api/v1/compliance", "/board", "/api/v1/board"] {
        let (ms, st) = timed(&client, port, &admin, path).await;
        println!("[{label}] {path}: median of 7 {ms:.1} ms (HTTP {st})");
    }
    println!("[{label}] RSS after the grid and the board: {:.1} MB", rss_mb(pid));
    let (ms, st) = timed(&client, port, &admin, "/api/v1/stats").await;
    println!("[{label}] /api/v1/stats alone: {ms:.2} ms (HTTP {st})");
    let (ms, st) = timed(&client, port, &admin, "/stats").await;
    println!("[{label}] /stats alone: {ms:.2} ms (HTTP {st})");
    let ceiling = load(port, "/healthz", None, secs).await;
    let api = load(port, "/api/v1/stats", Some(&admin), secs).await;
    let page = load(port, "/stats", Some(&admin), secs).await;
    let ceiling2 = load(port, "/healthz", None, secs).await;
    let top = (ceiling.rps + ceiling2.rps) / 2.0;
    for (name, r) in [
        ("/healthz", &ceiling),
        ("/api/v1/stats", &api),
        ("/stats", &page),
        ("/healthz again", &ceiling2),
    ] {
        println!(
            "[{label}] {name}: {:.0} req/s ({:.1} % of the ceiling), p50 {:.2} ms, p99 {:.2} ms, {} errors",
            r.rps,
            100.0 * r.rps / top,
            r.p50_ms,
            r.p99_ms,
            r.errors
        );
    }
    println!("[{label}] RSS after the loads: {:.1} MB", rss_mb(pid));
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let secs: u64 = std::env::var("LEIFENG_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
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
