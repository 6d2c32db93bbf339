//! Hostile uploads against the release binary: each hostile spreadsheet (far-corner cell,
//! whole-sheet merges, a 4 GB whitespace bomb, 20 million tiny cells, 5 million shared strings,
//! a million levels of nesting, a zip of 60,000 parts, an old .xls) is uploaded twice at once
//! (the roster import and the pairing import), while `/healthz` is probed every 5 ms. It reports each file's time to answer,
//! the server's peak RSS (VmHWM) and the `/healthz` latency measured meanwhile; then the same for
//! a legitimate 20,000-row roster (a dry run), for comparison.
//!
//! Run: `cargo bench --bench uploads` (SQLite, a demo district in a temporary directory).

mod common;

#[path = "../tests/hostile/mod.rs"]
mod hostile;

use common::{free_port, wait_ready, LoadResult};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-Pass-2026";

/// The server's peak resident memory so far (VmHWM), in MB.
fn peak_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
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

/// Uploads a file; answers the seconds taken, the status and the refusal's code.
async fn upload(c: &reqwest::Client, url: String, token: &str, bytes: Vec<u8>) -> (f64, u16, String) {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("表.xlsx"));
    let t = Instant::now();
    let r = match c.post(&url).bearer_auth(token).multipart(form).send().await {
        Ok(r) => r,
        Err(e) => return (t.elapsed().as_secs_f64(), 0, format!("not sent: {e}")),
    };
    let status = r.status().as_u16();
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    let code = body["error"]["details"][0]["code"]
        .as_str()
        .unwrap_or(if status == 200 || status == 422 { "report" } else { "" })
        .to_string();
    (t.elapsed().as_secs_f64(), status, code)
}

/// A roster of `rows` people in the template's columns.
fn roster(rows: usize) -> Vec<u8> {
    let headers = [
        "姓名",
        "性别",
        "出生年月",
        "政治面貌",
        "证件类型",
        "证件号码",
        "联系电话",
        "居住区域",
        "工作单位",
        "职务",
        "专业特长",
        "服务类别",
    ];
    let data: Vec<Vec<String>> = (0..rows)
        .map(|i| {
            let (y, m, d) = (
                1960 + (i / 336) as i32 % 40,
                1 + (i / 28) as u32 % 12,
                1 + i as u32 % 28,
            );
            vec![
                format!("志愿者{i}"),
                "男".into(),
                format!("{y}-{m:02}-{d:02}"),
                "群众".into(),
                "居民身份证".into(),
                leifeng::demo::resident_id(y, m, d, 1 + (i / 13_440) as u32),
                format!("138{:08}", i),
                "东湖街道春晓社区".into(),
                "明湖区税务局".into(),
                "科员".into(),
                "".into(),
                "1、交通".into(),
            ]
        })
        .collect();
    let form = leifeng::excel::Form::new("附件2", "附件2  志愿者队伍基本情况登记表", &headers, &[]);
    leifeng::excel::write_form(&form, &data).unwrap()
}

/// Each probe's latency (ms), the failed probes, and the seconds probed.
type Probes = (Vec<f64>, usize, f64);

/// Probes `/healthz` every 5 ms until told to stop.
fn start_probe(port: u16) -> (Arc<AtomicBool>, tokio::task::JoinHandle<Probes>) {
    let stop = Arc::new(AtomicBool::new(false));
    let task = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let c = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
            let url = format!("http://127.0.0.1:{port}/healthz");
            let (mut lat, mut errors) = (vec![], 0);
            let started = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                match tokio::time::timeout(Duration::from_secs(5), c.get(&url).send()).await {
                    Ok(Ok(r)) if r.status().is_success() => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                    _ => errors += 1,
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (lat, errors, started.elapsed().as_secs_f64())
        })
    };
    (stop, task)
}

fn report(what: &str, (lat, errors, secs): Probes) {
    let (max, count) = (lat.iter().cloned().fold(0.0, f64::max), lat.len());
    let r = LoadResult::of(lat, secs, errors);
    println!(
        "{what}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({count} probes, {} failed)",
        r.p50_ms, r.p99_ms, max, r.errors
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let t = Instant::now();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("far-corner cell XFD1048576", hostile::far_corner()),
        ("10,000 whole-sheet merges", hostile::giant_merges(10_000)),
        ("whitespace bomb, 4 GB unpacked", hostile::whitespace_bomb(4000)),
        ("cell bomb, 20 M cells", hostile::cell_bomb(20_000_000)),
        ("5 M shared strings", hostile::shared_strings(5_000_000)),
        ("nesting 1 M deep", hostile::deep_nesting(1_000_000)),
        ("zip of 60,000 parts", hostile::many_parts(60_000)),
        ("legacy .xls", hostile::legacy_xls()),
    ];
    println!("hostile files made in {:.1} s", t.elapsed().as_secs_f64());

    let dir = std::env::temp_dir().join(format!("leifeng-bench-{}", &leifeng::auth::new_token()[..8]));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leifeng"))
        .args([
            "serve",
            "--demo",
            "--data-dir",
            dir.to_str().unwrap(),
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env("LEIFENG_LOG", "warn")
        .env("LEIFENG_DEMO_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("leifeng starts");
    let pid = child.id();
    let client = reqwest::Client::new();
    wait_ready(&client, port).await;
    let unit = token(&client, port, "shuiwu").await;
    let admin = token(&client, port, "admin").await;
    let team: serde_json::Value = client
        .post(format!("http://127.0.0.1:{port}/api/v1/teams"))
        .bearer_auth(&unit)
        .json(&serde_json::json!({"name": "压测队", "leader_name": "李负责", "leader_phone": "13811112222", "contact_name": "张联络", "contact_phone": "0571-87654321", "categories": "1、交通"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let team = team["id"].as_i64().expect("team made");
    let roster_url = format!("http://127.0.0.1:{port}/api/v1/teams/{team}/roster/import?dry_run=true");
    let pairing_url = format!("http://127.0.0.1:{port}/api/v1/pairings/import?dry_run=true");
    println!("server ready; peak RSS before uploads {:.0} MB", peak_mb(pid));

    let (stop, probe) = start_probe(port);
    println!(
        "{:<32} {:>10} {:>10}  answer",
        "file (uploaded twice at once)", "size", "time"
    );
    let mut worst = 0.0f64;
    for (name, bytes) in &files {
        let (a, b) = tokio::join!(
            upload(&client, roster_url.clone(), &unit, bytes.clone()),
            upload(&client, pairing_url.clone(), &admin, bytes.clone()),
        );
        let slowest = a.0.max(b.0);
        worst = worst.max(slowest);
        println!(
            "{:<32} {:>7} KB {:>8.0} ms  {} {} / {} {}",
            name,
            bytes.len() / 1024,
            slowest * 1000.0,
            a.1,
            a.2,
            b.1,
            b.2
        );
    }
    stop.store(true, Ordering::Relaxed);
    let hostile_health = probe.await.unwrap();
    let peak_hostile = peak_mb(pid);
    println!("slowest hostile upload: {:.0} ms", worst * 1000.0);
    println!("server peak RSS (VmHWM) after the hostile files: {peak_hostile:.0} MB");
    report("/healthz during the hostile uploads", hostile_health);

    // A legitimate 20,000-row roster, for comparison (a dry run: every row checked, nothing kept).
    let legit = roster(20_000);
    let (stop, probe) = start_probe(port);
    let (secs, status, code) = upload(&client, roster_url.clone(), &unit, legit.clone()).await;
    stop.store(true, Ordering::Relaxed);
    println!(
        "{:<32} {:>7} KB {:>8.0} ms  {} {}",
        "legitimate roster, 20,000 rows",
        legit.len() / 1024,
        secs * 1000.0,
        status,
        code
    );
    println!("server peak RSS (VmHWM) after the roster: {:.0} MB", peak_mb(pid));
    report("/healthz during the roster", probe.await.unwrap());
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
