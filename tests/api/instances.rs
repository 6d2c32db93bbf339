//! Two servers on one database behave as one: sessions and changes are shared.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_on};

#[tokio::test]
async fn a_token_and_a_change_made_on_one_instance_work_on_the_other() {
    let a = spawn_app().await;
    let b = spawn_on(&a.db_url).await;
    let token = a.token("admin").await;
    assert_eq!(b.get_json(&token, "/api/v1/me").await["username"], "admin");

    let res = b.post(&token, "/api/v1/streets", json!({"name": "双实例街道"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let list = a.get_json(&token, "/api/v1/streets?q=双实例").await;
    assert_eq!(list["total"], 1);

    // A browser session made on A is honoured by B, CSRF token included (cookies ignore ports).
    let (c, csrf) = a.web_login("donghu").await;
    let res = c.get(b.url("/communities")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("春晓社区"));
    let res = c
        .post(b.url("/lang"))
        .form(&[("csrf", csrf.as_str()), ("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = c.get(a.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));

    // Sign-out on B ends the token on A.
    assert_eq!(
        b.post(&token, "/api/v1/auth/logout", json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(a.get(&token, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn throttling_is_shared_between_instances() {
    let a = spawn_app().await;
    let b = spawn_on(&a.db_url).await;
    for i in 0..5 {
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(
            app.login("chunxiao", "Wrong-Pass-2026").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = b.login("chunxiao", crate::helpers::PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
}
