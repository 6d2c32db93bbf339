//! Trust, part 5 and 6: return paths that cannot leave the site, input the database would
//! refuse (a NUL character, an absurd page) refused at the edge, and database faults answered
//! with 503 instead of hanging, failing with 500 or acknowledging a write that is not on disk.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{backend, csrf_of, error_fields, fresh_database, spawn_app, spawn_on, TestApp, PASSWORD};
use leifeng::db::Db;

/// Ways to write a return path that a browser would follow off the site, as they appear in a
/// query string or a form body (percent-encoded).
const EVIL_NEXTS: &[&str] = &[
    "/%09/evil.example",
    "/%0d%0a/evil.example",
    "%09//evil.example",
    "//evil.example",
    "///evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/%0a%5Cevil.example",
    "https://evil.example",
    "https:evil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%00/evil.example",
    "javascript:alert(1)",
];

/// The `location` header of a response.
fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// What `next` the login page's sign-in form carries (HTML-unescaped).
fn next_in_form(html: &str) -> String {
    let form = &html[html.find("action=\"/login\"").expect("the sign-in form")..];
    let marker = "name=\"next\" value=\"";
    let start = form.find(marker).expect("the sign-in form carries next") + marker.len();
    form[start..start + form[start..].find('"').unwrap()]
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn login_and_lang_send_only_to_paths_on_this_site() {
    let app = spawn_app().await;
    for (i, evil) in EVIL_NEXTS.iter().enumerate() {
        // The login page, opened with the bad next, puts only "/" into its form.
        let c = app.browser();
        let res = c.get(app.url(&format!("/login?next={evil}"))).send().await.unwrap();
        // A NUL in the query is refused outright; anything else shows the form.
        if evil.contains("%00") {
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{evil}");
            continue;
        }
        assert_eq!(res.status(), StatusCode::OK, "{evil}");
        let page = res.text().await.unwrap();
        assert_eq!(next_in_form(&page), "/", "login page for {evil}");
        let csrf = csrf_of(&page);

        // Signing in with the bad next goes home.
        let body = format!("csrf={csrf}&username=admin&password={PASSWORD}&next={evil}");
        let res = c
            .post(app.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", format!("10.77.{i}.1"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(location(&res), "/", "after signing in with next={evil}");

        // Signed in, the login page sends straight on: home.
        let res = c.get(app.url(&format!("/login?next={evil}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(location(&res), "/", "signed-in login page with next={evil}");

        // Choosing a language, signed in and signed out, goes home too.
        let home = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        let csrf = csrf_of(&home);
        let res = c
            .post(app.url("/lang"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={csrf}&lang=en&next={evil}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(location(&res), "/", "/lang signed in with next={evil}");

        let anon = app.browser();
        let page = anon.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let csrf = csrf_of(&page);
        let res = anon
            .post(app.url("/lang"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={csrf}&lang=zh-CN&next={evil}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(location(&res), "/", "/lang signed out with next={evil}");
    }

    // A path on the site is kept, also one with Chinese search text (encoded for the header).
    let c = app.browser();
    let page = c
        .get(app.url("/login?next=%2Funits%3Fpage%3D2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(next_in_form(&page), "/units?page=2");
    let csrf = csrf_of(&page);
    let res = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "admin"),
            ("password", PASSWORD),
            ("next", "/units?q=东湖"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/units?q=%E4%B8%9C%E6%B9%96");
    let res = c.get(app.url(&location(&res))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Asserts a 400 that names the NUL character, as JSON under `/api` and as a page elsewhere.
async fn assert_nul_refused(res: reqwest::Response, what: &str, field: Option<&str>) {
    let status = res.status();
    let is_json = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().contains("json"));
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {text}");
    assert!(text.contains("U+0000"), "{what}: {text}");
    if is_json {
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["code"], "bad_request", "{what}");
        if let Some(f) = field {
            assert_eq!(error_fields(&body), vec![f.to_string()], "{what}");
        }
    }
}

#[tokio::test]
async fn a_nul_character_anywhere_is_refused_with_400_not_500() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;

    // Search text on list APIs and pages.
    for list in [
        "streets",
        "communities",
        "units",
        "pairings",
        "users",
        "activities",
        "audit",
    ] {
        let res = app.get(&admin, &format!("/api/v1/{list}?q=%E4%B8%9C%00")).await;
        assert_nul_refused(res, &format!("/api/v1/{list}"), Some("q")).await;
    }
    let (browser, _) = app.web_login("admin").await;
    for page in ["/streets", "/units", "/activities", "/users"] {
        let res = browser.get(app.url(&format!("{page}?q=a%00b"))).send().await.unwrap();
        assert_nul_refused(res, page, None).await;
    }

    // The sign-in name, on the page and through the API.
    let anon = app.browser();
    let page = anon.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let res = anon
        .post(app.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("username", "ad\0min"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_nul_refused(res, "login form", None).await;
    let res = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "ad\u{0}min", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_nul_refused(res, "API login", Some("username")).await;

    // An activity's text through the API, on create and on update, in any field.
    let teams = app.get_json(&unit, "/api/v1/teams").await;
    let team = teams["items"][0]["id"].as_i64().unwrap();
    let when = |secs: i64| leifeng::domain::service::format_local(leifeng::db::now() + secs);
    let good = json!({
        "team_id": team, "title": "清扫楼道", "category": "public_affairs", "dimension": "environment",
        "form": "scattered", "address": "春晓社区文化家园", "starts_at": when(86400), "ends_at": when(90000),
        "capacity": 10,
    });
    for field in ["title", "address", "description"] {
        let mut body = good.clone();
        body[field] = json!("楼道\u{0}清扫");
        let res = app.post(&unit, "/api/v1/activities", body).await;
        assert_nul_refused(res, &format!("activity {field}"), Some(field)).await;
    }
    let res = app.post(&unit, "/api/v1/activities", good.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut body = good.clone();
    body["title"] = json!("a\u{0}");
    let res = app.put(&unit, &format!("/api/v1/activities/{id}"), body).await;
    assert_nul_refused(res, "activity update", Some("title")).await;
    // Nested JSON names the path of the field; a backslash followed by "u0000" is no NUL.
    let res = app
        .post(&admin, "/api/v1/streets", json!({"name": ["ok", {"deep": "x\u{0}"}]}))
        .await;
    assert_nul_refused(res, "nested JSON", Some("name[1].deep")).await;
    let res = app
        .post(&admin, "/api/v1/streets", json!({"name": "反斜杠\\u0000街道"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());

    // A certificate number in the path.
    let res = app.http.get(app.url("/verify/ZY%00123")).send().await.unwrap();
    assert_nul_refused(res, "/verify", None).await;
    let res = app
        .http
        .get(app.url("/api/v1/certificates/ZY%00123/verify"))
        .send()
        .await
        .unwrap();
    assert_nul_refused(res, "API verify", None).await;

    // Nothing was written by the refused requests, and the server still works.
    let streets = app.get_json(&admin, "/api/v1/streets?per_page=500").await;
    assert!(streets["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| !s["name"].as_str().unwrap().contains('\0')));
    assert_eq!(app.login("admin", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_absurd_page_number_is_refused_and_none_answers_5xx() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let (browser, _) = app.web_login("admin").await;
    let lists = [
        "streets",
        "communities",
        "units",
        "pairings",
        "users",
        "activities",
        "audit",
    ];
    for list in lists {
        for page in ["9223372036854775807", "99999999999999999999999", "1000001"] {
            let res = app.get(&admin, &format!("/api/v1/{list}?page={page}")).await;
            assert_eq!(
                res.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "/api/v1/{list}?page={page}"
            );
            let body: Value = res.json().await.unwrap();
            assert_eq!(error_fields(&body), vec!["page"], "{body}");
            assert!(body["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains("1000000"));
            let res = browser
                .get(app.url(&format!("/{list}?page={page}&per_page=500")))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "/{list}?page={page}");
        }
        // The largest page allowed, with the largest page size, is an empty page, not an error;
        // small page numbers still mean the first page.
        for page in ["1000000", "-9223372036854775808", "0"] {
            let res = app
                .get(&admin, &format!("/api/v1/{list}?page={page}&per_page=500"))
                .await;
            assert_eq!(res.status(), StatusCode::OK, "/api/v1/{list}?page={page}");
            let res = browser
                .get(app.url(&format!("/{list}?page={page}&per_page=9223372036854775807")))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "/{list}?page={page}");
        }
        // A page that is no number: the first page, or a 400 where the list is strict.
        let res = app.get(&admin, &format!("/api/v1/{list}?page=x")).await;
        assert!(
            [StatusCode::OK, StatusCode::BAD_REQUEST].contains(&res.status()),
            "/api/v1/{list}?page=x: {}",
            res.status()
        );
    }
}

#[tokio::test]
async fn values_the_database_itself_refuses_are_400_not_500() {
    use leifeng::error::AppError;
    let app = spawn_app().await;
    // The safety net behind the edge check: whatever reaches the database and is refused there
    // is the request's fault, never a server error.
    let refused: Vec<sqlx::Error> = match &app.db {
        Db::Pg(pool) => {
            let mut out = vec![];
            for (sql, value) in [
                ("select $1::text", "a\0b"),
                ("select $1::bigint", "twelve"),
                ("select $1::bigint + 9223372036854775807", "1"),
                ("select 1 offset $1::bigint", "-5"),
            ] {
                out.push(sqlx::query(sql).bind(value).execute(pool).await.expect_err(sql));
            }
            out
        }
        Db::Sqlite { read, .. } => {
            // SQLite stores a NUL and has no numeric overflow errors; a write through a
            // read-only connection is its refusal to test: 503, nothing saved.
            let e = sqlx::query("insert into heartbeat (id, at) values (2, 0)")
                .execute(read)
                .await
                .expect_err("the readers are read-only");
            let err = AppError::from(e);
            assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE, "{err:?}");
            vec![]
        }
    };
    for e in refused {
        let err = AppError::from(e);
        assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{err:?}");
    }
}

// --- PostgreSQL unreachable -------------------------------------------------------------------

/// A TCP proxy in front of PostgreSQL that a test can cut (every connection dropped, new ones
/// refused) and restore on the same port.
struct Proxy {
    port: u16,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(port: u16, upstream: &str) -> Proxy {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let upstream = upstream.to_string();
        let conns = tasks.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                conns.lock().unwrap().push(task);
            }
        });
        tasks.lock().unwrap().push(accept);
        Proxy { port, tasks }
    }

    /// Drops the listener and every connection.
    fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

#[tokio::test]
async fn postgres_gone_answers_503_quickly_and_recovers() {
    if backend() != "postgres" {
        eprintln!("postgres_gone_answers_503_quickly_and_recovers: PostgreSQL only (the SQLite counterpart is sqlite_disk_fault_*)");
        return;
    }
    let direct = fresh_database().await;
    let pg_host = "127.0.0.1:5432";
    let proxy = Proxy::start(0, pg_host).await;
    let through = direct.replacen(pg_host, &format!("127.0.0.1:{}", proxy.port), 1);
    assert_ne!(through, direct.url, "the test database URL names {pg_host}");
    let app = spawn_on(&through).await;
    leifeng::demo::seed(&app.db, Some(PASSWORD.into())).await.unwrap();
    let admin = app.token("admin").await;
    let (browser, _) = app.web_login("admin").await;
    assert_eq!(app.get(&admin, "/api/v1/units").await.status(), StatusCode::OK);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "postgres");

    proxy.cut();
    let port = proxy.port;
    drop(proxy);

    // A signed-in API call, a signed-in page, and the probe: 503 within a few seconds.
    let started = Instant::now();
    let res = app.get(&admin, "/api/v1/units").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("数据库"), "{body}");
    let res = browser.get(app.url("/units")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("数据库"));
    let res = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "not_ready", "{body}");
    assert_eq!(body["reachable"], false, "{body}");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(12), "three requests took {took:?}");

    // One request alone answers within the acquire timeout (3 s) and some slack.
    let started = Instant::now();
    let res = app.get(&admin, "/api/v1/me").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let took = started.elapsed();
    eprintln!("a signed-in request with PostgreSQL gone answered 503 in {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");

    // PostgreSQL back: the same session works again.
    let _proxy = Proxy::start(port, pg_host).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let res = app.http.get(app.url("/readyz")).send().await.unwrap();
        if res.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "/readyz did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.get(&admin, "/api/v1/units").await.status(), StatusCode::OK);
    let res = browser.get(app.url("/units")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

// --- SQLite on a disk that fails ------------------------------------------------------------

fn run(cmd: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("{cmd}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A small ext4 file system in an image file, loop-mounted on a temporary directory; unmounted
/// (lazily: the server under test keeps its files open) and removed when dropped.
struct LoopDisk {
    dir: std::path::PathBuf,
    image: std::path::PathBuf,
    mnt: std::path::PathBuf,
    /// The loop devices attached, to detach at the end.
    devices: Mutex<Vec<String>>,
}

impl LoopDisk {
    fn new() -> LoopDisk {
        let dir = std::env::temp_dir().join(format!(
            "leifeng-disk-{}-{}",
            std::process::id(),
            &leifeng::auth::new_token()[..6]
        ));
        let mnt = dir.join("mnt");
        std::fs::create_dir_all(&mnt).unwrap();
        let image = dir.join("disk.img");
        let disk = LoopDisk {
            dir,
            image,
            mnt,
            devices: Mutex::default(),
        };
        run("truncate", &["-s", "64M", disk.image()]).unwrap();
        run("mkfs.ext4", &["-q", "-F", disk.image()]).unwrap();
        disk.mount();
        disk
    }

    fn image(&self) -> &str {
        self.image.to_str().unwrap()
    }

    fn mnt(&self) -> &str {
        self.mnt.to_str().unwrap()
    }

    /// Mounts the image through a loop device of its own (`mount -o loop` would reuse the
    /// device of an earlier mount, and with it the failed file system).
    fn mount(&self) {
        let out = Command::new("losetup")
            .args(["-f", "--show", self.image()])
            .output()
            .expect("losetup");
        assert!(
            out.status.success(),
            "losetup: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let device = String::from_utf8_lossy(&out.stdout).trim().to_string();
        self.devices.lock().unwrap().push(device.clone());
        run("mount", &[&device, self.mnt()]).unwrap();
    }
}

impl Drop for LoopDisk {
    fn drop(&mut self) {
        let _ = run("umount", &["-l", self.mnt()]);
        // A device still in use (the server keeps its files open) is detached once released.
        for device in self.devices.lock().unwrap().drain(..) {
            let _ = run("losetup", &["-d", &device]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Creates a street through the API; answers the status.
async fn add_street(app: &TestApp, token: &str, name: &str) -> StatusCode {
    app.post(token, "/api/v1/streets", json!({"name": name})).await.status()
}

#[tokio::test]
async fn sqlite_disk_fault_refuses_writes_reports_not_ready_and_recovers() {
    if backend() != "sqlite" {
        return;
    }
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!(
            "\n!!! sqlite_disk_fault_refuses_writes_reports_not_ready_and_recovers SKIPPED: \
             mounting a file system needs root (CI runs as root) !!!\n"
        );
        return;
    }
    let disk = LoopDisk::new();
    let url = format!("sqlite://{}/leifeng.db", disk.mnt());
    let app = spawn_on(&url).await;
    leifeng::demo::seed(&app.db, Some(PASSWORD.into())).await.unwrap();
    let admin = app.token("admin").await;

    let mut acknowledged = vec![];
    for i in 0..3 {
        let name = format!("故障前街道{i}");
        assert_eq!(add_street(&app, &admin, &name).await, StatusCode::CREATED);
        acknowledged.push(name);
    }
    assert_eq!(
        app.http.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    // What was acknowledged so far reaches the disk before it fails (as time would do).
    run("sync", &["-f", disk.mnt()]).unwrap();

    // The disk fails: ext4 aborts its journal and turns read-only under the open files.
    run("mount", &["-o", "remount,abort", disk.mnt()]).unwrap();
    for i in 0..6 {
        let name = format!("故障中街道{i}");
        let res = app.post(&admin, "/api/v1/streets", json!({"name": name})).await;
        let status = res.status();
        assert!(!status.is_success(), "write {i} acknowledged on a read-only disk");
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "write {i}");
        assert!(res.headers().contains_key("retry-after"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains("无法写入"),
            "{body}"
        );
    }
    let res = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "not_ready", "database": "sqlite", "reachable": true, "writable": false})
    );
    // Reading still works meanwhile.
    assert_eq!(app.get(&admin, "/api/v1/streets").await.status(), StatusCode::OK);

    // The administrator repairs the disk: an aborted ext4 cannot be made writable again in
    // place, so it is unmounted and mounted afresh (journal replayed) at the same path.
    run("umount", &["-l", disk.mnt()]).unwrap();
    disk.mount();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let res = app.http.get(app.url("/readyz")).send().await.unwrap();
        if res.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "/readyz did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for i in 0..3 {
        let name = format!("恢复后街道{i}");
        assert_eq!(add_street(&app, &admin, &name).await, StatusCode::CREATED);
        acknowledged.push(name);
    }
    // The server reads the repaired disk, not the files of the failed one.
    let listed = app.get_json(&admin, "/api/v1/streets?q=恢复后街道").await;
    assert_eq!(listed["total"], 3, "{listed}");

    // Every acknowledged write is in the database file, read by a connection of its own.
    let check = Db::connect_without_migrating(&url).await.unwrap();
    let names: Vec<String> = match &check {
        Db::Sqlite { read, .. } => sqlx::query_scalar("select name from streets")
            .fetch_all(read)
            .await
            .unwrap(),
        Db::Pg(_) => unreachable!(),
    };
    for name in &acknowledged {
        assert!(names.contains(name), "acknowledged {name} is not in the database");
    }
    assert!(!names.iter().any(|n| n.starts_with("故障中")));
}
