//! Signing in and out, tokens, sessions, throttling, CSRF, passwords and language.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{csrf_of, spawn_app, PASSWORD};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(
        app.http.get(app.url("/healthz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        app.http.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    let a = app.login("admin", "Wrong-Pass-2026").await;
    let b = app.login("nobody-here", "Wrong-Pass-2026").await;
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.status(), StatusCode::UNAUTHORIZED);
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a, b);
    assert_eq!(a["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn bearer_token_works_until_logout() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let me = app.get_json(&token, "/api/v1/me").await;
    assert_eq!(me["username"], "admin");
    assert_eq!(me["role"], "district_admin");
    assert_eq!(
        app.post(&token, "/api/v1/auth/logout", json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    let after = app.get(&token, "/api/v1/me").await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let body: Value = after.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn requests_without_a_token_are_refused() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/api/v1/streets")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .http
        .get(app.url("/api/v1/streets"))
        .bearer_auth("forged-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A page sends the visitor to the sign-in page and back.
    let res = app.http.get(app.url("/units?page=2")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login?next=/units%3Fpage%3D2");
}

#[tokio::test]
async fn repeated_failures_lock_that_address_out_of_the_account_for_a_while() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(
            app.login("donghu", "Wrong-Pass-2026").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // From that address even the right password is refused now, with a message saying when to
    // try again (see trust_floods for the owner elsewhere).
    let res = app.login("donghu", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("分钟"), "{body}");
    // Other accounts are not affected.
    assert_eq!(app.login("admin", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn web_login_sets_a_safe_session_cookie_and_logout_ends_it() {
    let app = spawn_app().await;
    let c = app.browser();
    let page = c.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let res = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "admin"),
            ("password", PASSWORD),
            ("next", "/units"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/units");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("lf_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // Behind an HTTPS load balancer the cookie is Secure.
    let res = app
        .browser()
        .post(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .header("cookie", format!("lf_csrf={csrf}"))
        .form(&[("csrf", csrf.as_str()), ("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let secure = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().contains("Secure"));
    assert!(secure);

    let home = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let csrf = csrf_of(&home.text().await.unwrap());
    let res = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Signed out: pages that need an account send to the sign-in page; `/` is the public site.
    assert_eq!(
        c.get(app.url("/account")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let home = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("og:title"), "the public home");
}

#[tokio::test]
async fn web_login_with_a_wrong_password_shows_the_generic_message() {
    let app = spawn_app().await;
    let c = app.browser();
    let csrf = csrf_of(&c.get(app.url("/login")).send().await.unwrap().text().await.unwrap());
    let res = c
        .post(app.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("username", "admin"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("用户名或密码不正确"), "{html}");
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (c, csrf) = app.web_login("admin").await;
    let res = c
        .post(app.url("/streets"))
        .form(&[("name", "无令牌街道")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("页面已过期"));
    let res = c
        .post(app.url("/streets"))
        .form(&[("name", "无令牌街道"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let token = app.token("admin").await;
    let list = app.get_json(&token, "/api/v1/streets?q=无令牌").await;
    assert_eq!(list["total"], 0);
    // With the token the same form works.
    let res = c
        .post(app.url("/streets"))
        .form(&[("name", "有令牌街道"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A JSON call riding on the session cookie needs the token in a header too.
    let res = c
        .post(app.url("/api/v1/streets"))
        .json(&json!({"name": "脚本街道"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = c
        .post(app.url("/api/v1/streets"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "脚本街道"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn password_change_checks_the_old_one_and_the_strength() {
    let app = spawn_app().await;
    let token = app.token("shuiwu").await;
    let other = app.token("shuiwu").await;
    let res = app
        .put(
            &token,
            "/api/v1/me/password",
            json!({"current_password": "wrong", "new_password": "Another-Pass-99"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(crate::helpers::error_fields(&body), vec!["current_password"]);
    let res = app
        .put(
            &token,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["field"], "new_password");
    assert_eq!(body["error"]["details"][0]["code"], "err.password_short");
    let res = app
        .put(
            &token,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "Another-Pass-99"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // This session stays, the other one ends, and the new password signs in.
    assert_eq!(app.get(&token, "/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(app.get(&other, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("shuiwu", "Another-Pass-99").await.status(), StatusCode::OK);
    assert_eq!(app.login("shuiwu", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn language_is_remembered_per_user_and_errors_follow_it() {
    let app = spawn_app().await;
    let token = app.token("donghu").await;
    let res = app.post(&token, "/api/v1/communities", json!({})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["message"], "此项必填。");
    assert_eq!(
        app.put(&token, "/api/v1/me/lang", json!({"lang": "en"})).await.status(),
        StatusCode::NO_CONTENT
    );
    let res = app.post(&token, "/api/v1/communities", json!({})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["message"], "Required.");
    // A new sign-in keeps the choice, and the pages speak English.
    let (c, _) = app.web_login("donghu").await;
    let html = c
        .get(app.url("/communities"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Communities"),
        "{html}"
    );
    assert_eq!(
        app.put(&token, "/api/v1/me/lang", json!({"lang": "fr"})).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/streets",
        "/api/v1/communities/{id}",
        "/api/v1/units",
        "/api/v1/pairings/import",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/activities",
        "/api/v1/activities/{id}/sign-in",
        "/api/v1/activities/{id}/sign-out",
        "/api/v1/activities/{id}/signups",
        "/api/v1/activities/{id}/hours/confirm",
        "/api/v1/dispatches/{id}/teams/{team_id}/answer",
        "/api/v1/volunteers/{id}/certificates",
        "/api/v1/certificates/{number}/verify",
        "/api/v1/compliance",
        "/api/v1/service-rules",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
}

#[tokio::test]
async fn unknown_routes_get_a_404_page_or_json() {
    let app = spawn_app().await;
    let token = app.token("admin").await;
    let res = app.get(&token, "/api/v1/nothing-here").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    let res = app.http.get(app.url("/nothing-here")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("找不到"));
}
