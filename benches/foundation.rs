//! Foundation benchmark: cold start to ready on an empty SQLite database, RSS after start, and
//! requests/s of an authenticated list page of 30 units at 16 concurrent clients, with `/healthz`
//! measured in the same run as the ceiling.
//!
//! Run: `cargo bench --bench foundation` (SQLite); add `LEIFENG_BENCH_PG_URL=postgres://…/db`
//! (an empty database) to measure PostgreSQL too. `LEIFENG_BENCH_SECS` sets each load's length.
//! The server is the release binary, started as its own process; the load generator runs here.

mod common;

use common::{free_port, load, rss_mb, wait_ready};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const PASSWORD: &str = "Bench-Pass-2026";

fn start(data_dir: &str, port: u16, db_url: Option<&str>, demo: bool) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leifeng"));
    cmd.args(["serve", "--data-dir", data_dir, "--addr", &format!("127.0.0.1:{port}")])
        .env("LEIFENG_LOG", "warn")
        .env("LEIFENG_DEMO_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if demo {
        cmd.arg("--demo");
    }
    if let Some(url) = db_url {
        cmd.args(["--database-url", url]);
    }
    cmd.spawn().expect("leifeng starts")
}

async fn sign_in_cookie(port: u16) -> String {
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = c.get(format!("http://127.0.0.1:{port}/login")).send().await.unwrap();
    let anon = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let s = html.find(marker).unwrap() + marker.len();
    let csrf = &html[s..s + 64];
    let res = c
        .post(format!("http://127.0.0.1:{port}/login"))
        .header("cookie", &anon)
        .form(&[("csrf", csrf), ("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("lf_session="))
        .expect("signed in")
}

async fn run(label: &str, db_url: Option<&str>, secs: u64) {
    let client = reqwest::Client::new();
    // Cold start to ready, on an empty database each time (SQLite only: a PG database is reused).
    let mut starts = vec![];
    let mut rss_after_start = 0.0;
    if db_url.is_none() {
        for _ in 0..5 {
            let dir = std::env::temp_dir().join(format!("leifeng-bench-{}", &leifeng::auth::new_token()[..8]));
            let port = free_port();
            let t = Instant::now();
            let mut child = start(dir.to_str().unwrap(), port, None, false);
            wait_ready(&client, port).await;
            starts.push(t.elapsed().as_secs_f64() * 1000.0);
            rss_after_start = rss_mb(child.id());
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&dir);
        }
        starts.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "[{label}] cold start to ready (empty database, median of 5): {:.0} ms",
            starts[2]
        );
        println!("[{label}] RSS after start: {rss_after_start:.1} MB");
    }

    let dir = std::env::temp_dir().join(format!("leifeng-bench-{}", &leifeng::auth::new_token()[..8]));
    let port = free_port();
    let mut child = start(dir.to_str().unwrap(), port, db_url, true);
    wait_ready(&client, port).await;
    let cookie = sign_in_cookie(port).await;
    let page = format!("http://127.0.0.1:{port}/units?per_page=30");
    let check = client
        .get(&page)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(check.contains("(30)"), "the list page shows the 30 demo units");

    let ceiling = load(format!("http://127.0.0.1:{port}/healthz"), None, 16, secs).await;
    let list = load(page, Some(cookie), 16, secs).await;
    let rss = rss_mb(child.id());
    println!(
        "[{label}] /healthz, 16 clients: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} errors)",
        ceiling.rps, ceiling.p50_ms, ceiling.p99_ms, ceiling.errors
    );
    println!(
        "[{label}] /units list page (30 units, signed in), 16 clients: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} errors); {:.1}% of the ceiling",
        list.rps, list.p50_ms, list.p99_ms, list.errors, 100.0 * list.rps / ceiling.rps.max(1.0)
    );
    println!("[{label}] server RSS after the load: {rss:.1} MB");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let secs: u64 = std::env::var("LEIFENG_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        run("sqlite", None, secs).await;
        if let Ok(url) = std::env::var("LEIFENG_BENCH_PG_URL") {
            run("postgres", Some(&url), secs).await;
        }
    });
}
