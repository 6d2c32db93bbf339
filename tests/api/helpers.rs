//! Starting a server on a fresh database, and talking to it as a script or a browser would.

use std::sync::atomic::{AtomicU32, Ordering};

use leifeng::db::Db;
use leifeng::state::{AppState, Config};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

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

/// A fresh, empty database URL for one test: a new SQLite file, or a new PostgreSQL database.
pub async fn fresh_database() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!(
        "lf_test_{}_{}_{}",
        std::process::id(),
        n,
        &leifeng::auth::new_token()[..6]
    );
    if backend() == "postgres" {
        let admin = Db::connect_without_migrating(&pg_admin_url())
            .await
            .expect("PostgreSQL reachable for tests");
        if let Db::Pg(pool) = &admin {
            sqlx::query(&format!("create database {name}"))
                .execute(pool)
                .await
                .expect("create test database");
            pool.close().await;
        }
        let base = pg_admin_url();
        let cut = base.rfind('/').expect("database URL ends with /DB");
        format!("{}/{name}", &base[..cut])
    } else {
        let dir = std::env::temp_dir().join("leifeng-tests");
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}", dir.join(format!("{name}.db")).display())
    }
}

pub struct TestApp {
    pub base: String,
    pub db_url: String,
    pub db: Db,
    pub http: Client,
}

/// Starts a server on a fresh database with the demo district (every account's password is
/// [`PASSWORD`]).
pub async fn spawn_app() -> TestApp {
    let url = fresh_database().await;
    let app = spawn_on(&url).await;
    leifeng::demo::seed(&app.db, Some(PASSWORD.into()))
        .await
        .expect("demo data");
    app
}

/// Starts another server on an existing database (a second instance).
pub async fn spawn_on(db_url: &str) -> TestApp {
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
