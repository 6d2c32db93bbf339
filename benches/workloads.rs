//! The three hot paths of issue 9, measured the way the peers were (`../shared/PERFORMANCE.md`:
//! `wrk -t2 -c16`, `leifeng demo --scale small`), with `/healthz` measured in the same run as the
//! ceiling:
//!
//! - W1: a signed-in volunteer's HTML list of one community's upcoming activities
//!   (`GET /activities?community_id=N`, bearer token; N is the community with the most);
//! - W2: a random volunteer signs up for a random upcoming activity
//!   (`POST /api/v1/activities/{id}/signups`, bearer token);
//! - W3′: a volunteer's own service record (`GET /me/service`, bearer token).
//!
//! The volunteers are the 1,000 of `demo --scale small --tokens-out` (each request picks one at
//! random, so no account reaches its rate limit). 16 keep-alive connections send requests back to
//! back; every answer counts (W2's answers include refusals of a time clash, which are the
//! checks doing their work), and the status mix is printed. At the end, the same data's sign-in
//! storm (1,000 sign-ins over 64 connections, `POST /api/v1/activities/{id}/sign-in`) against a
//! 64-connection `/healthz`; it is short at this scale, `cargo bench --bench service` is the
//! reference for it.
//!
//! Run: `cargo bench --bench workloads` (SQLite). With `LEIFENG_BENCH_PG=postgres://user@host/db`
//! (any database on the server: a fresh one is created next to it and dropped after) it measures
//! PostgreSQL too. `LEIFENG_BENCH_SECS` sets the length of each load (default 10);
//! `LEIFENG_BENCH_ONLY=sqlite|postgres` runs one database.

mod common;

use common::{free_port, rss_mb, wait_ready, LoadResult};
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-Pass-2026";
/// `wrk -c16`.
const CONNECTIONS: usize = 16;
/// The sign-in storm's clients, as in `benches/service.rs`.
const STORM_CONNECTIONS: usize = 64;

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

fn start(dir: &str, url: Option<&str>, port: u16) -> Child {
    let mut args = vec!["serve".to_string(), "--addr".into(), format!("127.0.0.1:{port}")];
    args.extend(db_args(dir, url));
    leifeng(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("leifeng starts")
}

/// A small xorshift generator: each connection picks its volunteers and activities with it.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// What one connection asks, again and again.
#[derive(Clone)]
enum Work {
    Healthz,
    /// W1: `/activities?community_id=N`.
    List(i64),
    /// W2: a random volunteer, a random upcoming activity.
    SignUp(Arc<Vec<i64>>),
    /// W3′: `/me/service`.
    Record,
}

/// The answers of one load: latencies, and how many of each status.
struct Outcome {
    load: LoadResult,
    statuses: BTreeMap<u16, usize>,
}

impl Outcome {
    fn mix(&self) -> String {
        self.statuses
            .iter()
            .map(|(s, n)| {
                if *s == 0 {
                    format!("{n} failed")
                } else {
                    format!("{n}×{s}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One keep-alive HTTP/1.1 connection, written by hand so that the client costs about what
/// `wrk` costs (reqwest spends several times the server's time on `/healthz`).
struct Conn {
    port: u16,
    stream: Option<tokio::net::TcpStream>,
    buf: Vec<u8>,
}

impl Conn {
    fn new(port: u16) -> Conn {
        Conn {
            port,
            stream: None,
            buf: Vec::with_capacity(64 * 1024),
        }
    }

    /// Sends `method path` (with a bearer token) and reads the whole answer; its status.
    async fn send(&mut self, method: &str, path: &str, token: Option<&str>) -> std::io::Result<u16> {
        use std::fmt::Write as _;
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n", self.port);
        if let Some(t) = token {
            let _ = write!(req, "Authorization: Bearer {t}\r\n");
        }
        if method == "POST" {
            req.push_str("Content-Length: 0\r\n");
        }
        req.push_str("\r\n");
        for attempt in 0..2 {
            if self.stream.is_none() {
                let s = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await?;
                s.set_nodelay(true)?;
                self.stream = Some(s);
            }
            let stream = self.stream.as_mut().unwrap();
            match Self::exchange(stream, &mut self.buf, req.as_bytes()).await {
                Ok((status, close)) => {
                    if close {
                        self.stream = None;
                    }
                    return Ok(status);
                }
                // A connection the server closed while idle: once more on a new one.
                Err(_) if attempt == 0 => self.stream = None,
                Err(e) => return Err(e),
            }
        }
        unreachable!()
    }

    async fn exchange(stream: &tokio::net::TcpStream, buf: &mut Vec<u8>, req: &[u8]) -> std::io::Result<(u16, bool)> {
        write_all(stream, req).await?;
        buf.clear();
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            read_some(stream, buf).await?;
        };
        let head = std::str::from_utf8(&buf[..head_end]).unwrap_or("").to_ascii_lowercase();
        let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
        };
        let close = header("connection:").is_some_and(|v| v == "close");
        if let Some(len) = header("content-length:").and_then(|v| v.parse::<usize>().ok()) {
            while buf.len() < head_end + len {
                read_some(stream, buf).await?;
            }
        } else if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
            while !buf[head_end..].ends_with(b"0\r\n\r\n") {
                read_some(stream, buf).await?;
            }
        }
        Ok((status, close))
    }
}

/// Writes all of `bytes` (tokio's `net` feature alone: no `AsyncWriteExt`).
async fn write_all(stream: &tokio::net::TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Appends what the socket has to `buf`; an error when the peer closed it.
async fn read_some(stream: &tokio::net::TcpStream, buf: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        stream.readable().await?;
        match stream.try_read(&mut chunk) {
            Ok(0) => return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed")),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

/// `connections` keep-alive connections send `work` back to back for `secs` seconds.
async fn load(port: u16, work: Work, tokens: Arc<Vec<String>>, connections: usize, secs: u64) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = vec![];
    for c in 0..connections {
        let (work, tokens) = (work.clone(), tokens.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(port);
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((c as u64 + 1) * 0x0100_0000_01B3));
            let mut lat = Vec::with_capacity(1 << 16);
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            while Instant::now() < deadline {
                let token = tokens[rng.below(tokens.len())].as_str();
                let (method, path, token) = match &work {
                    Work::Healthz => ("GET", "/healthz".to_string(), None),
                    Work::List(community) => ("GET", format!("/activities?community_id={community}"), Some(token)),
                    Work::SignUp(ids) => (
                        "POST",
                        format!("/api/v1/activities/{}/signups", ids[rng.below(ids.len())]),
                        Some(token),
                    ),
                    Work::Record => ("GET", "/me/service".to_string(), Some(token)),
                };
                let t = Instant::now();
                match conn.send(method, &path, token).await {
                    Ok(status) => {
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        *statuses.entry(status).or_default() += 1;
                    }
                    Err(_) => *statuses.entry(0).or_default() += 1,
                }
            }
            (lat, statuses)
        }));
    }
    let (mut all, mut statuses) = (vec![], BTreeMap::new());
    for t in tasks {
        let (l, s) = t.await.unwrap();
        all.extend(l);
        for (k, n) in s {
            *statuses.entry(k).or_default() += n;
        }
    }
    let errors = statuses
        .iter()
        .filter(|(s, _)| **s == 0 || **s >= 500 || **s == 429 || **s == 401)
        .map(|(_, n)| n)
        .sum();
    Outcome {
        load: LoadResult::of(all, secs as f64, errors),
        statuses,
    }
}

/// Every line's sign-in once, shared out over `connections`; the rate of the answers and how
/// many the server recorded for the first time.
async fn storm(port: u16, lines: Arc<Vec<(String, i64)>>, connections: usize) -> (LoadResult, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut tasks = vec![];
    for _ in 0..connections {
        let (lines, next) = (lines.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(port);
            let (mut lat, mut errors, mut recorded) = (vec![], 0, 0);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((token, activity)) = lines.get(i) else { break };
                let t = Instant::now();
                let path = format!("/api/v1/activities/{activity}/sign-in");
                match conn.send("POST", &path, Some(token)).await {
                    Ok(200) => {
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        if conn.buf.windows(14).any(|w| w == b"\"changed\":true") {
                            recorded += 1;
                        }
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors, recorded)
        }));
    }
    let (mut all, mut errors, mut recorded) = (vec![], 0, 0);
    for t in tasks {
        let (l, e, r) = t.await.unwrap();
        all.extend(l);
        errors += e;
        recorded += r;
    }
    let secs = t0.elapsed().as_secs_f64();
    (LoadResult::of(all, secs, errors), recorded)
}

/// GET `path` as JSON with `token`.
async fn get_json(c: &reqwest::Client, port: u16, token: &str, path: &str) -> serde_json::Value {
    c.get(format!("http://127.0.0.1:{port}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The upcoming activities a volunteer may still sign up for (published, not started), and the
/// community with the most of them.
async fn upcoming(c: &reqwest::Client, port: u16, token: &str) -> (Vec<i64>, i64, usize) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (mut ids, mut by_name) = (vec![], BTreeMap::<String, Vec<i64>>::new());
    for page in 1.. {
        let p = get_json(
            c,
            port,
            token,
            &format!("/api/v1/activities?when=upcoming&per_page=200&page={page}"),
        )
        .await;
        let items = p["items"].as_array().cloned().unwrap_or_default();
        for a in &items {
            if a["status"] == "published" && a["starts_at"].as_i64().unwrap_or(0) > now + 600 {
                let id = a["id"].as_i64().unwrap();
                ids.push(id);
                if let Some(n) = a["community_name"].as_str() {
                    by_name.entry(n.to_string()).or_default().push(id);
                }
            }
        }
        if items.len() < 200 {
            break;
        }
    }
    let busiest = by_name
        .values()
        .max_by_key(|v| v.len())
        .expect("some upcoming activity has a community");
    let most = busiest.len();
    let community = get_json(c, port, token, &format!("/api/v1/activities/{}", busiest[0])).await["community_id"]
        .as_i64()
        .expect("the activity's community");
    (ids, community, most)
}

/// One database's row of the table: workload, load, share of the ceiling.
struct Row {
    name: &'static str,
    out: Outcome,
}

/// One database's run: its ceiling, the workloads, and the storm's line.
struct Run {
    label: &'static str,
    ceiling: f64,
    rows: Vec<Row>,
    storm: String,
}

async fn run(label: &'static str, url: Option<&str>, secs: u64) -> Run {
    let dir = std::env::temp_dir().join(format!("leifeng-workloads-{}", &leifeng::auth::new_token()[..8]));
    std::fs::create_dir_all(&dir).unwrap();
    let dir_s = dir.to_str().unwrap().to_string();
    let tokens_file = dir.join("tokens.txt");
    let mut args = vec![
        "demo".to_string(),
        "--scale".into(),
        "small".into(),
        "--tokens-out".into(),
        tokens_file.to_str().unwrap().into(),
    ];
    args.extend(db_args(&dir_s, url));
    let t = Instant::now();
    let out = leifeng(&args).output().expect("demo runs");
    assert!(out.status.success(), "demo: {}", String::from_utf8_lossy(&out.stderr));
    let made = String::from_utf8_lossy(&out.stdout);
    println!(
        "[{label}] {}",
        made.lines().find(|l| l.starts_with("made")).unwrap_or("")
    );
    println!("[{label}] demo --scale small: {:.1} s", t.elapsed().as_secs_f64());
    let lines: Vec<(String, i64)> = std::fs::read_to_string(&tokens_file)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut p = l.split_whitespace();
            Some((p.next()?.to_string(), p.next()?.parse().ok()?))
        })
        .collect();
    let tokens: Arc<Vec<String>> = Arc::new(lines.iter().map(|(t, _)| t.clone()).collect());

    let port = free_port();
    let mut child = start(&dir_s, url, port);
    let client = reqwest::Client::new();
    wait_ready(&client, port).await;
    let (ids, community, in_community) = upcoming(&client, port, &tokens[0]).await;
    println!(
        "[{label}] {} volunteers with tokens; {} upcoming activities open for sign-up; community {community} has {in_community}",
        tokens.len(),
        ids.len()
    );
    println!("[{label}] server RSS at start: {:.1} MB", rss_mb(child.id()));

    let mut rows = vec![];
    for (name, work) in [
        ("/healthz", Work::Healthz),
        ("W1 /activities?community_id=N (HTML)", Work::List(community)),
        (
            "W2 POST /api/v1/activities/{id}/signups",
            Work::SignUp(Arc::new(ids.clone())),
        ),
        ("W3′ /me/service (HTML)", Work::Record),
        ("/healthz again", Work::Healthz),
    ] {
        let out = load(port, work, tokens.clone(), CONNECTIONS, secs).await;
        println!(
            "[{label}] {name}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms ({})",
            out.load.rps,
            out.load.p50_ms,
            out.load.p99_ms,
            out.mix()
        );
        rows.push(Row { name, out });
    }
    println!("[{label}] server RSS after the loads: {:.1} MB", rss_mb(child.id()));
    // The ceiling: the two /healthz loads around the workloads, averaged (other work on the
    // machine moves both alike).
    let ceiling = (rows[0].out.load.rps + rows[4].out.load.rps) / 2.0;

    // The sign-in storm on a freshly started server, against a 64-connection ceiling.
    let _ = child.kill();
    let _ = child.wait();
    child = start(&dir_s, url, port);
    wait_ready(&client, port).await;
    let ceil64 = load(port, Work::Healthz, tokens.clone(), STORM_CONNECTIONS, secs.min(5)).await;
    let n = lines.len();
    let (s, recorded) = storm(port, Arc::new(lines), STORM_CONNECTIONS).await;
    let storm_line = format!(
        "sign-in storm, {} sign-ins over {STORM_CONNECTIONS} connections: {:.0}/s ({:.1} % of a {STORM_CONNECTIONS}-connection /healthz at {:.0} req/s), p50 {:.2} ms, p99 {:.2} ms, {} errors, {} recorded",
        n,
        s.rps,
        100.0 * s.rps / ceil64.load.rps.max(1.0),
        ceil64.load.rps,
        s.p50_ms,
        s.p99_ms,
        s.errors,
        recorded
    );
    println!("[{label}] {storm_line}");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        label,
        ceiling,
        rows,
        storm: storm_line,
    }
}

fn main() {
    let secs: u64 = std::env::var("LEIFENG_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let only = std::env::var("LEIFENG_BENCH_ONLY").ok();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = rt.block_on(async {
        let mut results = vec![];
        if only.as_deref() != Some("postgres") {
            results.push(run("sqlite", None, secs).await);
        }
        if only.as_deref() != Some("sqlite") {
            if let Ok(base) = std::env::var("LEIFENG_BENCH_PG") {
                let (url, name) = common::fresh_pg(&base).await;
                results.push(run("postgres", Some(&url), secs).await);
                common::drop_pg(&base, &name).await;
            }
        }
        results
    });

    println!();
    println!("{CONNECTIONS} keep-alive connections, {secs} s each, demo --scale small; share = req/s over the mean of the two /healthz loads of the same run");
    println!("| workload | database | req/s | p50 ms | p99 ms | share of /healthz | answers |");
    println!("|---|---|---|---|---|---|---|");
    for run in &results {
        for r in &run.rows {
            println!(
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} % | {} |",
                r.name,
                run.label,
                r.out.load.rps,
                r.out.load.p50_ms,
                r.out.load.p99_ms,
                100.0 * r.out.load.rps / run.ceiling.max(1.0),
                r.out.mix()
            );
        }
    }
    for run in &results {
        println!("{}: {}", run.label, run.storm);
    }
}
