//! Campaign benchmark: a 10,000-row roster upload (dry run, then the real import) and the
//! district's milestone board with 300 units and 100 communities.
//!
//! Run: `cargo bench --bench campaign` (SQLite); add `LEIFENG_BENCH_PG_URL=postgres://…/emptydb`
//! to measure PostgreSQL too. The server is the release binary in its own process; times are
//! what a client on loopback waits, so they include the upload and the answer.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

const PASSWORD: &str = "Bench-Pass-2026";
const ROWS: usize = 10_000;

fn start(data_dir: &str, port: u16, db_url: Option<&str>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leifeng"));
    cmd.args([
        "serve",
        "--demo",
        "--data-dir",
        data_dir,
        "--addr",
        &format!("127.0.0.1:{port}"),
    ])
    .env("LEIFENG_LOG", "warn")
    .env("LEIFENG_DEMO_PASSWORD", PASSWORD)
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    if let Some(url) = db_url {
        cmd.args(["--database-url", url]);
    }
    cmd.spawn().expect("leifeng starts")
}

fn roster(rows: usize) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "附件2 志愿者队伍基本情况登记表").unwrap();
    for (c, h) in [
        "序号",
        "姓名",
        "性别",
        "出生年月",
        "政治面貌",
        "身份证号",
        "联系电话",
        "工作单位",
        "职务",
        "管理人员",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let politics = ["团员", "党员", "群众", "入党积极分子"];
    for i in 0..rows {
        let r = i as u32 + 2;
        let (y, m, d) = (1960 + (i % 45) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32);
        let id = leifeng::demo::resident_id(y, m, d, (i % 1000) as u32);
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, format!("志愿者{i}")).unwrap();
        ws.write_string(r, 2, if id.as_bytes()[16] % 2 == 1 { "男" } else { "女" })
            .unwrap();
        ws.write_string(r, 3, format!("{y}.{m:02}")).unwrap();
        ws.write_string(r, 4, politics[i % 4]).unwrap();
        ws.write_string(r, 5, &id).unwrap();
        ws.write_string(r, 6, format!("13{:09}", 100_000_000 + i)).unwrap();
        ws.write_string(r, 7, "明湖区税务局").unwrap();
        ws.write_string(r, 8, "科员").unwrap();
        ws.write_string(r, 9, if i % 50 == 0 { "是" } else { "否" }).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

async fn token(c: &reqwest::Client, base: &str, user: &str) -> String {
    let res: Value = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res["token"].as_str().unwrap().to_string()
}

async fn import(c: &reqwest::Client, base: &str, token: &str, team: i64, bytes: &[u8], dry_run: bool) -> (f64, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("roster.xlsx"),
    );
    let t = Instant::now();
    let res = c
        .post(format!("{base}/api/v1/teams/{team}/roster/import?dry_run={dry_run}"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    (t.elapsed().as_secs_f64() * 1000.0, body)
}

async fn run(label: &str, db_url: Option<&str>) {
    let dir = std::env::temp_dir().join(format!("leifeng-bench-{}", &leifeng::auth::new_token()[..8]));
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = start(dir.to_str().unwrap(), port, db_url);
    let base = format!("http://127.0.0.1:{port}");
    let c = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    while c
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let unit = token(&c, &base, "shuiwu").await;
    let admin = token(&c, &base, "admin").await;

    // The roster.
    let bytes = roster(ROWS);
    let team: Value = c.post(format!("{base}/api/v1/teams")).bearer_auth(&unit)
        .json(&json!({"name": "万人名册队", "leader_name": "李负责", "leader_phone": "13811112222", "contact_name": "张联络", "contact_phone": "13811113333"}))
        .send().await.unwrap().json().await.unwrap();
    let team = team["id"].as_i64().unwrap();
    let mut dry = vec![];
    for _ in 0..3 {
        let (ms, report) = import(&c, &base, &unit, team, &bytes, true).await;
        assert_eq!(report["accepted"], ROWS as i64, "{report}");
        dry.push(ms);
    }
    dry.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let (real, report) = import(&c, &base, &unit, team, &bytes, false).await;
    assert_eq!(report["accepted"], ROWS as i64, "{report}");
    let (again, _) = import(&c, &base, &unit, team, &bytes, true).await;
    println!("[{label}] roster of {ROWS} rows ({} KB): dry run {:.0} ms (median of 3), import {:.0} ms, dry run against the imported roster {:.0} ms", bytes.len() / 1024, dry[1], real, again);

    // The board at district scale: 300 units and 100 communities (the demo has 30 and 20).
    let streets: Value = c
        .get(format!("{base}/api/v1/streets"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let street_ids: Vec<i64> = streets["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    let mut communities = vec![];
    for i in 0..80 {
        let res: Value = c
            .post(format!("{base}/api/v1/communities"))
            .bearer_auth(&admin)
            .json(&json!({"street_id": street_ids[i % street_ids.len()], "name": format!("第{i}社区")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        communities.push(res["id"].as_i64().unwrap());
    }
    for i in 0..270 {
        let res: Value = c
            .post(format!("{base}/api/v1/units"))
            .bearer_auth(&admin)
            .json(&json!({"name": format!("第{i}文明单位"), "level": "city"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let unit_id = res["id"].as_i64().unwrap();
        c.post(format!("{base}/api/v1/pairings"))
            .bearer_auth(&admin)
            .json(&json!({"unit_id": unit_id, "community_id": communities[i % communities.len()]}))
            .send()
            .await
            .unwrap();
        if i % 2 == 0 {
            c.post(format!("{base}/api/v1/teams")).bearer_auth(&admin)
                .json(&json!({"unit_id": unit_id, "name": format!("第{i}志愿服务队"), "leader_name": "甲", "contact_name": "乙"})).send().await.unwrap();
        }
    }
    let mut times = vec![];
    let mut rows = 0;
    for _ in 0..21 {
        let t = Instant::now();
        let board: Value = c
            .get(format!("{base}/api/v1/board"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        rows = board["rows"].as_array().unwrap().len();
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mut page = vec![];
    for _ in 0..11 {
        let t = Instant::now();
        let html = c
            .get(format!("{base}/board"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        page.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(html.contains("第269文明单位"));
    }
    page.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("[{label}] district board, {rows} rows (300 units, 100 communities): API median {:.1} ms (p90 {:.1} ms); HTML page median {:.1} ms", times[10], times[18], page[5]);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        run("sqlite", None).await;
        if let Ok(url) = std::env::var("LEIFENG_BENCH_PG_URL") {
            run("postgres", Some(&url)).await;
        }
    });
}
