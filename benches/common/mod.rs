//! What the benchmarks share: starting the release binary, waiting for it, reading its memory,
//! and summarising latencies.
#![allow(dead_code)]

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub async fn wait_ready(client: &reqwest::Client, port: u16) {
    loop {
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

pub fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Requests per second and latency percentiles of one load.
pub struct LoadResult {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
}

impl LoadResult {
    /// From every request's latency (ms) over `secs` seconds.
    pub fn of(mut lat: Vec<f64>, secs: f64, errors: usize) -> LoadResult {
        lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let pct = |p: f64| {
            lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0.0)
        };
        LoadResult {
            rps: lat.len() as f64 / secs,
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            errors,
        }
    }
}

/// The median of some timings (ms).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// A fresh database on the PostgreSQL server of `base` (any database there), and its name to
/// drop it with.
pub async fn fresh_pg(base: &str) -> (String, String) {
    use sqlx::Connection;
    let name = format!("lf_bench_{}", &leifeng::auth::new_token()[..10]);
    let mut c = sqlx::PgConnection::connect(base).await.expect("PostgreSQL");
    sqlx::raw_sql(&format!("create database {name}"))
        .execute(&mut c)
        .await
        .unwrap();
    let cut = base.rfind('/').unwrap();
    (format!("{}/{name}", &base[..cut]), name)
}

/// Drops what [`fresh_pg`] made (also while a server still holds connections to it).
pub async fn drop_pg(base: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut c) = sqlx::PgConnection::connect(base).await {
        let _ = sqlx::raw_sql(&format!("drop database if exists {name} with (force)"))
            .execute(&mut c)
            .await;
    }
}

/// `clients` connections each send requests back to back for `secs` seconds.
pub async fn load(url: String, cookie: Option<String>, clients: usize, secs: u64) -> LoadResult {
    let url = Arc::new(url);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = vec![];
    for _ in 0..clients {
        let url = url.clone();
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
            let mut lat = Vec::with_capacity(100_000);
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let mut req = client.get(url.as_str());
                if let Some(c) = &cookie {
                    req = req.header("cookie", c);
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
    let mut all = vec![];
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.unwrap();
        all.extend(lat);
        errors += e;
    }
    LoadResult::of(all, secs as f64, errors)
}
