//! Starting a server on a fresh database, and talking to it as a script or a browser would.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use leifeng::db::Db;
use leifeng::state::{AppState, Config};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, Executor, PgConnection};

pub const PASSWORD: &str = "Test-Pass-2026";

/// Which database the suite runs on: `sqlite` (default) or `postgres`.
pub fn backend() -> String {
    std::env::var("LEIFENG_TEST_DATABASE").unwrap_or_else(|_| "sqlite".into())
}

/// The PostgreSQL server the suite creates its databases on.
fn pg_admin_url() -> String {
    std::env::var("LEIFENG_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database of one test, dropped when the test ends (a PostgreSQL database is dropped, a
/// SQLite file removed), also when the test fails. Derefs to its URL.
pub struct TestDb {
    pub url: String,
    /// The PostgreSQL database's name, or the SQLite file.
    place: Place,
}

enum Place {
    Pg(String),
    Sqlite(PathBuf),
}

impl std::ops::Deref for TestDb {
    type Target = str;

    fn deref(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.place {
            // `with (force)` ends the connections the test's servers still hold.
            Place::Pg(name) => {
                let sql = format!("drop database if exists {name} with (force)");
                if let Err(e) =
                    pg_admin_blocking(move |c| Box::pin(async move { c.execute(sql.as_str()).await.map(|_| ()) }))
                {
                    eprintln!("could not drop the test database {name}: {e}");
                }
            }
            Place::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
        }
    }
}

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!(
        "lf_test_{}_{}_{}",
        std::process::id(),
        n,
        &leifeng::auth::new_token()[..6]
    )
}

/// The URL of database `name` on the test PostgreSQL server.
fn pg_url(name: &str) -> String {
    let base = pg_admin_url();
    let cut = base.rfind('/').expect("database URL ends with /DB");
    format!("{}/{name}", &base[..cut])
}

/// Runs `f` on a connection to the PostgreSQL server's admin database, on a thread and runtime
/// of its own, so that it can be called where no runtime runs (in `Drop`) or from any test's.
fn pg_admin_blocking<T: Send + 'static>(
    f: impl for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, sqlx::Error>> + Send + 'static,
) -> Result<T, sqlx::Error> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut c = PgConnection::connect(&pg_admin_url()).await?;
            let out = f(&mut c).await;
            let _ = c.close().await;
            out
        })
    })
    .join()
    .expect("the PostgreSQL admin thread")
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// The migrated template every PostgreSQL test database is copied from, made once per run of the
/// suite (and kept for the next run). Its name carries a hash of the migrations, so a template
/// left by an earlier run (or a crashed one) is used only when it was made from the same
/// migrations; and each copy still runs the migrator on connecting, which refuses a migration
/// whose checksum differs. It is built under another name and renamed when complete, so another
/// test binary running at the same time never copies a half-migrated template: whoever renames
/// first wins, the other drops its own build and uses the winner's.
fn pg_template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("lf_test_tpl_{}", migrations_hash());
        let exists = {
            let n = name.clone();
            pg_admin_blocking(move |c| {
                Box::pin(async move {
                    sqlx::query_scalar::<_, i32>("select 1 from pg_database where datname = $1")
                        .bind(n)
                        .fetch_optional(&mut *c)
                        .await
                })
            })
            .expect("PostgreSQL reachable for tests")
            .is_some()
        };
        if exists {
            return name;
        }
        let build = format!("lf_test_tplbuild_{}", &unique_name()["lf_test_".len()..]);
        let (b, n) = (build.clone(), name.clone());
        pg_admin_blocking(move |c| {
            Box::pin(async move {
                c.execute(format!("create database {b}").as_str()).await?;
                let db = Db::connect(&pg_url(&b)).await.expect("migrate the template");
                if let Db::Pg(pool) = db {
                    pool.close().await;
                }
                if let Err(e) = c.execute(format!("alter database {b} rename to {n}").as_str()).await {
                    c.execute(format!("drop database {b}").as_str()).await?;
                    // 42P04: another run finished its template first; use that one.
                    let taken = e.as_database_error().and_then(|d| d.code()).as_deref() == Some("42P04");
                    if !taken {
                        return Err(e);
                    }
                } else {
                    // Nobody connects to the template by mistake (a connection would stop copies).
                    c.execute(format!("alter database {n} with allow_connections false").as_str())
                        .await?;
                }
                Ok(())
            })
        })
        .expect("build the PostgreSQL template database");
        name
    })
}

/// A short hash of the PostgreSQL migrations (their names and contents).
fn migrations_hash() -> String {
    use sha2::{Digest, Sha256};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/migrations/postgres");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the PostgreSQL migrations")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.file_name().unwrap().to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap());
    }
    h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// A fresh database for one test, migrated: a new SQLite file, or a PostgreSQL database copied
/// from the migrated template. Dropped when the returned guard is.
pub async fn fresh_database() -> TestDb {
    new_database(true).await
}

/// A fresh database with no tables yet (to test migrating).
pub async fn empty_database() -> TestDb {
    new_database(false).await
}

async fn new_database(migrated: bool) -> TestDb {
    let name = unique_name();
    if backend() == "postgres" {
        let sql = if migrated {
            format!("create database {name} template {}", pg_template())
        } else {
            format!("create database {name}")
        };
        pg_admin_blocking(move |c| Box::pin(async move { c.execute(sql.as_str()).await.map(|_| ()) }))
            .expect("create test database");
        TestDb {
            url: pg_url(&name),
            place: Place::Pg(name),
        }
    } else {
        let dir = std::env::temp_dir().join("leifeng-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.db"));
        TestDb {
            url: format!("sqlite://{}", path.display()),
            place: Place::Sqlite(path),
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub db_url: String,
    pub db: Db,
    pub http: Client,
    /// The database this server was started on, when the server owns it: dropped with it.
    _owned: Option<TestDb>,
}

/// Starts a server on a fresh database with the demo district (every account's password is
/// [`PASSWORD`]).
pub async fn spawn_app() -> TestApp {
    let url = fresh_database().await;
    let mut app = spawn_on(&url).await;
    app._owned = Some(url);
    leifeng::demo::seed(&app.db, Some(PASSWORD.into()))
        .await
        .expect("demo data");
    app
}

/// Starts a server on a fresh demo database with these notification channels.
pub async fn spawn_app_with(notify: leifeng::state::NotifyConfig) -> TestApp {
    let url = fresh_database().await;
    let mut app = spawn_on_with(&url, notify).await;
    app._owned = Some(url);
    leifeng::demo::seed(&app.db, Some(PASSWORD.into()))
        .await
        .expect("demo data");
    app
}

/// Starts another server on an existing database (a second instance).
pub async fn spawn_on(db_url: &str) -> TestApp {
    spawn_on_with(db_url, Default::default()).await
}

/// Another server on an existing database, with these notification channels.
pub async fn spawn_on_with(db_url: &str, notify: leifeng::state::NotifyConfig) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("info,sqlx=warn").try_init();
    }
    let db = Db::connect(db_url).await.expect("database");
    let cfg = Config {
        addr: "127.0.0.1:0".into(),
        data_dir: std::env::temp_dir(),
        database_url: Some(db_url.into()),
        trust_proxy: true,
        cookie_secure: false,
        user_rate_limit: leifeng::web::limits::PER_ACCOUNT_DEFAULT,
        notify,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(db.clone(), cfg);
    tokio::spawn(leifeng::app::serve(state, listener));
    TestApp {
        base,
        db_url: db_url.into(),
        db,
        http: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _owned: None,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signs in through the API; answers the bearer token. Each test client gets its own
    /// address so that sign-in throttling of one test does not touch another.
    pub async fn token(&self, username: &str) -> String {
        let res = self.login(username, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "login {username}");
        res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn token_for(&self, username: &str, password: &str) -> String {
        let res = self.login(username, password).await;
        assert_eq!(res.status(), StatusCode::OK, "login {username}");
        res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.http
            .post(self.url("/api/v1/auth/login"))
            .header("x-forwarded-for", format!("10.9.{}.1", username.len()))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        let res = self.get(token, path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> Response {
        self.http
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// The id of the first row of a list whose `field` equals `value` (as the admin sees it).
    /// A public sign-up (`POST /api/v1/join`, no token).
    pub async fn join(&self, body: &Value) -> Response {
        self.http
            .post(self.url("/api/v1/join"))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// A new account (`username`, `role` and the org fields of `extra`) whose password is
    /// [`PASSWORD`], made by `admin` through the API; answers its id.
    pub async fn new_account(&self, admin: &str, username: &str, role: &str, extra: Value) -> i64 {
        let mut body = json!({"username": username, "role": role, "password": PASSWORD});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = self.post(admin, "/api/v1/users", body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
        res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    /// A new team of the caller's unit or community; answers its id.
    pub async fn new_team(&self, token: &str, name: &str) -> i64 {
        let body = json!({"name": name, "leader_name": "李负责", "leader_phone": "13811112222", "contact_name": "张联络", "contact_phone": "0571-87654321", "categories": "1、交通"});
        let res = self.post(token, "/api/v1/teams", body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
        res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    /// Puts a person on a team's roster; answers their volunteer id.
    pub async fn add_member(&self, token: &str, team: i64, body: Value) -> i64 {
        let res = self.post(token, &format!("/api/v1/teams/{team}/members"), body).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        res.json::<Value>().await.unwrap()["volunteer_id"].as_i64().unwrap()
    }

    /// Creates and (unless `draft`) publishes an activity of `team` from `start` to `end` seconds
    /// from now, with the fields of `extra` on top; answers its id.
    pub async fn activity(&self, token: &str, team: i64, start: i64, end: i64, extra: Value, draft: bool) -> i64 {
        let when = |secs: i64| leifeng::domain::service::format_local(leifeng::db::now() + secs);
        let mut body = json!({
            "team_id": team, "title": format!("测试活动{}", &leifeng::auth::new_token()[..6]),
            "category": "public_affairs", "dimension": "environment", "form": "scattered",
            "address": "春晓社区文化家园", "starts_at": when(start), "ends_at": when(end), "capacity": 10,
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = self.post(token, "/api/v1/activities", body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        if !draft {
            let res = self
                .post(
                    token,
                    &format!("/api/v1/activities/{id}/status"),
                    json!({"action": "publish"}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        }
        id
    }

    /// Runs one statement on the test's database (to move dates a test cannot wait for).
    pub async fn sql(&self, statement: &str) {
        let mut tx = self.db.begin().await.unwrap();
        leifeng::on_tx!(&mut tx, c => sqlx::query(statement).execute(&mut *c).await.map(|_| ()).unwrap());
        tx.commit().await.unwrap();
    }

    /// Sends the requests all at once (a double click, many people at the same moment) as
    /// `token`; answers their statuses in order.
    pub async fn at_once(&self, token: &str, requests: Vec<(reqwest::Method, String, Value)>) -> Vec<StatusCode> {
        let mut tasks = vec![];
        for (method, path, body) in requests {
            let (http, url, token) = (self.http.clone(), self.url(&path), token.to_string());
            tasks.push(tokio::spawn(async move {
                let req = http.request(method.clone(), url).bearer_auth(token);
                let req = if method == reqwest::Method::GET {
                    req
                } else {
                    req.json(&body)
                };
                req.send().await.unwrap().status()
            }));
        }
        let mut out = vec![];
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }

    pub async fn find_id(&self, admin: &str, list: &str, field: &str, value: &str) -> i64 {
        let page = self.get_json(admin, &format!("{list}?per_page=500")).await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i[field] == value)
            .unwrap_or_else(|| panic!("{value} in {list}"))["id"]
            .as_i64()
            .unwrap()
    }

    /// A browser-like client: cookies kept, redirects not followed.
    pub fn browser(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in through the login page; answers the client and the session's CSRF token.
    pub async fn web_login(&self, username: &str) -> (Client, String) {
        let c = self.browser();
        let page = c.get(self.url("/login")).send().await.unwrap().text().await.unwrap();
        let csrf = csrf_of(&page);
        let res = c
            .post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "web login {username}");
        let home = c.get(self.url("/")).send().await.unwrap().text().await.unwrap();
        let csrf = csrf_of(&home);
        (c, csrf)
    }
}

/// The CSRF token a page's forms carry.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// The codes (`err.…`) of a JSON error's details.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| d.iter().map(|e| e["code"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

/// The field names of a JSON error's details.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}
