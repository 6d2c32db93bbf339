//! The public site at district scale.
//!
//! `leifeng demo --scale district` makes 300 units, about 100,000 volunteers, 20,000 activities and
//! 1,000,000 sign-ins. Then it times, over HTTP: the public home as an anonymous visitor sees it at
//! `/` (median of 7 after a warm-up; the aim is under 20 ms), its JSON (`/api/v1/public/home`),
//! the activities list and the reports; and the public home under load (16 clients, signed in so
//! that the anonymous visitors' rate limit does not cut the load short) next to `/healthz` in the
//! same run, as a share of that ceiling.
//!
//! Run: `cargo bench --bench public` (SQLite). With `LEIFENG_BENCH_PG=postgres://user@host/db`
//! (any database on the server: a fresh one is created next to it and dropped after) it measures
//! PostgreSQL too. `LEIFENG_BENCH_SCALE=small` runs a tenth of the district; `LEIFENG_BENCH_SECS`
//! sets the seconds of each load (default 8).

mod common;

use common::{free_port, load, median, rss_mb, wait_ready};
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

/// The median time of `n` anonymous requests (after one warm-up), the status and the size.
async fn timed(c: &reqwest::Client, port: u16, path: &str, n: usize) -> (f64, u16, usize) {
    let url = format!("http://127.0.0.1:{port}{path}");
    let mut times = vec![];
    let (mut status, mut size) = (0, 0);
    for i in 0..=n {
        let t = Instant::now();
        let r = c.get(&url).send().await.unwrap();
        status = r.status().as_u16();
        size = r.bytes().await.map(|b| b.len()).unwrap_or(0);
        if i > 0 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    (median(times), status, size)
}

/// A signed-in session cookie (the district's account), through the login page.
async fn session_cookie(port: u16) -> String {
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = c.get(format!("http://127.0.0.1:{port}/login")).send().await.unwrap();
    let anon = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let s = html.find(marker).unwrap() + marker.len();
    let csrf = html[s..s + html[s..].find('"').unwrap()].to_string();
    let res = c
        .post(format!("http://127.0.0.1:{port}/login"))
        .header("cookie", &anon)
        .form(&[("csrf", csrf.as_str()), ("username", "admin"), ("password", PASSWORD)])
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

async fn run(label: &str, url: Option<&str>, scale: &str, secs: u64) {
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
    for (what, path) in [
        ("the public home at / (anonymous, HTML)", "/"),
        ("the public home as JSON", "/api/v1/public/home"),
        ("the upcoming activities page", "/site/activities"),
        (
            "the activities of one category",
            "/site/activities?category=public_affairs",
        ),
        ("the reports page", "/reports"),
    ] {
        let (ms, st, size) = timed(&client, port, path, 7).await;
        println!(
            "[{label}] {what}: {ms:.1} ms median of 7 (HTTP {st}, {} kB)",
            size / 1024
        );
    }
    let cookie = session_cookie(port).await;
    let ceiling = load(format!("http://127.0.0.1:{port}/healthz"), None, 16, secs).await;
    let home = load(format!("http://127.0.0.1:{port}/site"), Some(cookie), 16, secs).await;
    println!(
        "[{label}] /healthz, 16 clients: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} errors)",
        ceiling.rps, ceiling.p50_ms, ceiling.p99_ms, ceiling.errors
    );
    println!(
        "[{label}] the public home (/site), 16 clients: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({} errors); {:.1}% of the ceiling",
        home.rps, home.p50_ms, home.p99_ms, home.errors, 100.0 * home.rps / ceiling.rps.max(1.0)
    );
    println!("[{label}] server RSS after the load: {:.1} MB", rss_mb(child.id()));
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let scale = std::env::var("LEIFENG_BENCH_SCALE").unwrap_or_else(|_| "district".into());
    let secs: u64 = std::env::var("LEIFENG_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
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
