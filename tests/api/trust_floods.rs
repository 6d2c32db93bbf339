//! Trust, floods: the sign-in throttle counts an attempt before the slow hash, a stranger cannot
//! lock an account's owner out, the current password is throttled too, and the public endpoints
//! are rate-limited with limits every instance shares (429 with `Retry-After`).

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_on, TestApp, PASSWORD};

async fn login_from(app: &TestApp, username: &str, password: &str, ip: &str) -> Response {
    app.http
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", ip)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn simultaneous_wrong_passwords_are_counted_before_they_are_checked() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/auth/login");
    let mut tasks = vec![];
    for _ in 0..25 {
        let (http, url) = (app.http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .header("x-forwarded-for", "203.0.113.7")
                .json(&json!({"username": "donghu", "password": "Wrong-Pass-2026"}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut checked = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!((checked, refused), (5, 20));
}

#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let res = login_from(&app, "admin", "Wrong-Pass-2026", "198.51.100.1").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // That address is refused for that account, even with the right password, and told when to
    // try again.
    let res = login_from(&app, "admin", PASSWORD, "198.51.100.1").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    // The owner, elsewhere, signs in.
    assert_eq!(
        login_from(&app, "admin", PASSWORD, "198.51.100.2").await.status(),
        StatusCode::OK
    );
    // Other accounts from the stranger's address are not affected.
    assert_eq!(
        login_from(&app, "donghu", PASSWORD, "198.51.100.1").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_account_under_attack_from_many_addresses_is_slowed_but_its_owner_gets_in() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/auth/login");
    let mut tasks = vec![];
    for i in 0..24 {
        let (http, url) = (app.http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .header("x-forwarded-for", format!("192.0.2.{i}"))
                .json(&json!({"username": "admin", "password": "Wrong-Pass-2026"}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let started = std::time::Instant::now();
    assert_eq!(
        login_from(&app, "admin", PASSWORD, "192.0.2.200").await.status(),
        StatusCode::OK
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "slowed down");
}

#[tokio::test]
async fn the_current_password_on_a_change_is_throttled_like_a_sign_in() {
    let app = spawn_app().await;
    let token = app.token("chunxiao").await;
    let change = json!({"current_password": "Wrong-Pass-2026", "new_password": "Another-Pass-2026"});
    for _ in 0..5 {
        let res = app.put(&token, "/api/v1/me/password", change.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let right = json!({"current_password": PASSWORD, "new_password": "Another-Pass-2026"});
    let res = app.put(&token, "/api/v1/me/password", right).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn join_from(app: &TestApp, ip: &str, n: usize) -> Response {
    app.http
        .post(app.url("/api/v1/join"))
        .header("x-forwarded-for", ip)
        .json(
            &json!({"name": format!("新人{n}"), "phone": format!("137{:08}", n), "consent": "true",
                      "username": format!("newbie{n}"), "password": "Serve-People-2026"}),
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_ups_from_one_address_are_limited_and_instances_share_the_count() {
    let app = spawn_app().await;
    let second = spawn_on(&app.db_url).await;
    let mut statuses = vec![];
    for n in 0..5 {
        statuses.push(join_from(&app, "203.0.113.50", n).await.status());
    }
    for n in 5..10 {
        statuses.push(join_from(&second, "203.0.113.50", n).await.status());
    }
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED), "{statuses:?}");
    let res = join_from(&app, "203.0.113.50", 10).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 3600);
    // Refused before anything was written.
    let res = login_from(&app, "newbie10", "Serve-People-2026", "203.0.113.51").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Someone else is not held up.
    assert_eq!(
        join_from(&second, "203.0.113.52", 11).await.status(),
        StatusCode::CREATED
    );
    // The web form says so in the caller's language.
    let browser = app.browser();
    let page = browser
        .get(app.url("/join"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::csrf_of(&page);
    let res = browser
        .post(app.url("/join"))
        .header("x-forwarded-for", "203.0.113.50")
        .header("accept-language", "en")
        .form(&[("csrf", csrf.as_str()), ("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("Too many requests"));
}

#[tokio::test]
async fn certificate_checks_from_one_address_are_limited() {
    let app = spawn_app().await;
    let mut last = StatusCode::OK;
    for i in 0..31 {
        last = app
            .http
            .get(app.url(&format!("/verify/LF-NO-SUCH-{i}")))
            .header("x-forwarded-for", "203.0.113.90")
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let other = app
        .http
        .get(app.url("/verify/LF-NO-SUCH"))
        .header("x-forwarded-for", "203.0.113.91")
        .send()
        .await
        .unwrap()
        .status();
    assert_ne!(other, StatusCode::TOO_MANY_REQUESTS);
}
