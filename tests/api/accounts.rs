//! Accounts: volunteers sign in with their mobile number (staff with their username), recover a
//! forgotten password with a one-time code sent to the phone or e-mail on record, and
//! administrators reset the passwords of the accounts they manage.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{csrf_of, error_codes, spawn_app, TestApp, PASSWORD};
use leifeng::demo::VOLUNTEER_PHONE;

const NEW_PASSWORD: &str = "Brand-New-Pass-77";

async fn login_from(app: &TestApp, login: &str, password: &str, ip: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", ip)
        .json(&json!({"username": login, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn post_from(app: &TestApp, path: &str, body: Value, ip: &str) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .header("x-forwarded-for", ip)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn forgot(app: &TestApp, login: &str, ip: &str) -> (StatusCode, Value) {
    let res = post_from(app, "/api/v1/auth/password/forgot", json!({"login": login}), ip).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn reset(app: &TestApp, login: &str, code: &str, password: &str, ip: &str) -> (StatusCode, Value) {
    let body = json!({"login": login, "code": code, "new_password": password});
    let res = post_from(app, "/api/v1/auth/password/reset", body, ip).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The six digits of the newest recovery code sent to `to` (from the outbox: no provider here).
async fn reset_code_sent_to(app: &TestApp, to: &str) -> Option<String> {
    let body = leifeng::db::identity::last_message(&app.db, to, "reset_code")
        .await
        .unwrap()?;
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .map(str::to_string)
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" {
        "000001"
    } else {
        "000000"
    }
}

#[tokio::test]
async fn volunteers_sign_in_with_their_phone_and_staff_with_their_username() {
    let app = spawn_app().await;
    for (i, login) in [VOLUNTEER_PHONE, "139 0000 1234", "+86 139-0000-1234", "volunteer"]
        .iter()
        .enumerate()
    {
        let res = login_from(&app, login, PASSWORD, &format!("10.20.0.{i}")).await;
        assert_eq!(res.status(), StatusCode::OK, "{login}");
        let token = res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(app.get_json(&token, "/api/v1/me").await["username"], "volunteer");
    }
    assert_eq!(
        login_from(&app, "admin", PASSWORD, "10.20.1.1").await.status(),
        StatusCode::OK
    );
    // A wrong password, an unknown phone and an unknown username get the same answer.
    let mut answers = vec![];
    for (login, password) in [
        (VOLUNTEER_PHONE, "Wrong-Pass-2026"),
        ("13700000000", PASSWORD),
        ("nobody-here", PASSWORD),
        ("admin", "Wrong-Pass-2026"),
    ] {
        let res = login_from(&app, login, password, "10.20.2.1").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{login}");
        answers.push(res.json::<Value>().await.unwrap());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    // Staff have no phone sign-in: a staff member's number is no login.
    assert_eq!(
        login_from(&app, "13811112222", PASSWORD, "10.20.3.1").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_volunteer_signs_up_without_a_username_and_a_phone_has_one_account() {
    let app = spawn_app().await;
    let body = json!({"name": "林一", "phone": "137-0000-1111", "consent": "true", "password": NEW_PASSWORD,
                      "email": "Lin.Yi@Example.cn"});
    let res = app.join(&body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let res = login_from(&app, "13700001111", NEW_PASSWORD, "10.21.0.1").await;
    assert_eq!(res.status(), StatusCode::OK);
    // The same number again: a clear conflict on the phone.
    let again = json!({"name": "林二", "phone": "13700001111", "consent": "true", "password": NEW_PASSWORD});
    let res = app.join(&again).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_codes(&body), vec!["err.phone_taken"]);
    // Without a mobile number, a username is needed.
    let landline = json!({"name": "林三", "phone": "0571-87654321", "consent": "true", "password": NEW_PASSWORD});
    let res = app.join(&landline).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_codes(&res.json().await.unwrap()).contains(&"err.username_or_mobile".to_string()));
    // With a username as well, both sign in.
    let both = json!({"name": "林四", "phone": "13700001112", "consent": "true", "password": NEW_PASSWORD,
                      "username": "linsi"});
    assert_eq!(app.join(&both).await.status(), StatusCode::CREATED);
    for (i, login) in ["linsi", "13700001112"].iter().enumerate() {
        let res = login_from(&app, login, NEW_PASSWORD, &format!("10.21.1.{i}")).await;
        assert_eq!(res.status(), StatusCode::OK, "{login}");
    }
    // A bad e-mail address is named.
    let bad = json!({"name": "林五", "phone": "13700001113", "consent": "true", "password": NEW_PASSWORD,
                     "email": "not an address"});
    let res = app.join(&bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.email"]);
}

#[tokio::test]
async fn a_forgotten_password_is_replaced_with_a_code_sent_to_the_phone_and_every_session_ends() {
    let app = spawn_app().await;
    let first = app.token("volunteer").await;
    let second = app.token_for(VOLUNTEER_PHONE, PASSWORD).await;
    let (status, answer) = forgot(&app, "139 0000 1234", "10.22.0.1").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(answer, json!({"accepted": true, "minutes": 10}));
    let code = reset_code_sent_to(&app, VOLUNTEER_PHONE)
        .await
        .expect("a code to the phone");
    // A weak password is refused before the code is spent.
    let (status, body) = reset(&app, VOLUNTEER_PHONE, &code, "short", "10.22.0.1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_codes(&body), vec!["err.password_short"]);
    let (status, body) = reset(&app, VOLUNTEER_PHONE, &code, NEW_PASSWORD, "10.22.0.1").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    // Every session of the account ended; the old password is gone, the new one works.
    for token in [&first, &second] {
        assert_eq!(app.get(token, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login_from(&app, VOLUNTEER_PHONE, PASSWORD, "10.22.1.1").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_from(&app, VOLUNTEER_PHONE, NEW_PASSWORD, "10.22.1.2")
            .await
            .status(),
        StatusCode::OK
    );
    // The code opens nothing twice.
    let (status, body) = reset(&app, VOLUNTEER_PHONE, &code, "Another-Pass-88", "10.22.0.1").await;
    assert_eq!(
        (status, error_codes(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["err.reset_code".to_string()])
    );
    // The reset is in the audit trail, said by whom and how.
    let admin = app.token("admin").await;
    let log = app
        .get_json(&admin, "/api/v1/audit?object_type=user&per_page=100")
        .await;
    let entries = log["items"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "password" && e["changes"].to_string().contains("recovery")),
        "{log}"
    );
    assert!(!log.to_string().contains(&code));
    // By e-mail too: the code goes to the address on record.
    let (status, _) = forgot(&app, "WangXiaoMing@example.cn", "10.22.2.1").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let code = reset_code_sent_to(&app, "wangxiaoming@example.cn")
        .await
        .expect("a code by e-mail");
    let (status, body) = reset(&app, "wangxiaoming@example.cn", &code, "Mail-Reset-Pass-9", "10.22.2.1").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        login_from(&app, "volunteer", "Mail-Reset-Pass-9", "10.22.3.1")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn asking_for_a_code_answers_the_same_whether_or_not_the_account_exists() {
    let app = spawn_app().await;
    let mut answers = vec![];
    for (i, login) in [
        VOLUNTEER_PHONE,
        "13799998888",
        "wangxiaoming@example.cn",
        "nobody@example.cn",
    ]
    .iter()
    .enumerate()
    {
        let started = Instant::now();
        let (status, body) = forgot(&app, login, &format!("10.23.0.{i}")).await;
        let took = started.elapsed();
        assert_eq!(status, StatusCode::ACCEPTED, "{login}");
        assert!(took >= Duration::from_millis(300), "{login} answered in {took:?}");
        answers.push(body);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    assert!(reset_code_sent_to(&app, "13799998888").await.is_none());
    // A reset for an unknown phone answers as a wrong code does.
    let (unknown, body_unknown) = reset(&app, "13799998888", "123456", NEW_PASSWORD, "10.23.1.1").await;
    let code = reset_code_sent_to(&app, VOLUNTEER_PHONE).await.unwrap();
    let (wrong, body_wrong) = reset(&app, VOLUNTEER_PHONE, other_than(&code), NEW_PASSWORD, "10.23.1.1").await;
    assert_eq!((unknown, &body_unknown), (wrong, &body_wrong));
    // Staff usernames are not a recovery target: they ask their administrator.
    let (status, body) = forgot(&app, "admin", "10.23.2.1").await;
    assert_eq!(
        (status, error_codes(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["err.recovery_login".to_string()])
    );
}

#[tokio::test]
async fn recovery_codes_expire_allow_few_tries_and_are_rate_limited() {
    let app = spawn_app().await;
    // Five wrong guesses use the code up: the right one is then refused too.
    forgot(&app, VOLUNTEER_PHONE, "10.24.0.1").await;
    let code = reset_code_sent_to(&app, VOLUNTEER_PHONE).await.unwrap();
    for _ in 0..5 {
        let (status, _) = reset(&app, VOLUNTEER_PHONE, other_than(&code), NEW_PASSWORD, "10.24.0.1").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, body) = reset(&app, VOLUNTEER_PHONE, &code, NEW_PASSWORD, "10.24.0.1").await;
    assert_eq!(
        (status, error_codes(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["err.reset_code".to_string()])
    );
    // A new code; once expired it is refused.
    forgot(&app, VOLUNTEER_PHONE, "10.24.0.2").await;
    let code = reset_code_sent_to(&app, VOLUNTEER_PHONE).await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    leifeng::on_tx!(&mut tx, c => sqlx::query("update one_time_codes set expires_at = 0 where purpose = 'reset'")
        .execute(&mut *c).await.map(|_| ()).unwrap());
    tx.commit().await.unwrap();
    let (status, body) = reset(&app, VOLUNTEER_PHONE, &code, NEW_PASSWORD, "10.24.0.2").await;
    assert_eq!(
        (status, error_codes(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["err.reset_code".to_string()])
    );
    assert_eq!(
        login_from(&app, VOLUNTEER_PHONE, PASSWORD, "10.24.9.1").await.status(),
        StatusCode::OK,
        "the password did not change"
    );
    // Per phone (from any address; counted whether or not an account has it): five an hour.
    let mut statuses = vec![];
    for i in 0..4 {
        statuses.push(forgot(&app, "13755556666", &format!("10.24.1.{i}")).await.0);
    }
    statuses.push(forgot(&app, "137 5555 6666", "10.24.1.10").await.0);
    statuses.push(forgot(&app, "+8613755556666", "10.24.1.11").await.0);
    assert_eq!(statuses[..5], [StatusCode::ACCEPTED; 5], "{statuses:?}");
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // Per address: twenty an hour, whatever the phone.
    let mut last = StatusCode::OK;
    for i in 0..21 {
        last = forgot(&app, &format!("1376666{i:04}"), "10.24.2.1").await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // And attempts at a reset, per address.
    let mut last = StatusCode::OK;
    for _ in 0..31 {
        last = reset(&app, "13777777777", "123456", NEW_PASSWORD, "10.24.3.1").await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn administrators_reset_the_passwords_of_the_accounts_they_manage_only() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let street = app.token("donghu").await;
    let find = |name: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move { app.find_id(&admin, "/api/v1/users", "username", name).await }
    };
    let (chunxiao, shuiwu, admin_id, donghu_id) = (
        find("chunxiao").await,
        find("shuiwu").await,
        find("admin").await,
        find("donghu").await,
    );
    // Another street's community staff.
    let own_street = app.get_json(&street, "/api/v1/me").await["street_id"].clone();
    let communities = app.get_json(&admin, "/api/v1/communities?per_page=100").await;
    let elsewhere = communities["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["street_id"] != own_street)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let other = app
        .new_account(
            &admin,
            "xihu-staff",
            "community_admin",
            json!({"community_id": elsewhere}),
        )
        .await;
    // The street may not reset the district's, another street's, a unit's or its own password.
    for id in [admin_id, other, shuiwu, donghu_id] {
        let res = app
            .post(&street, &format!("/api/v1/users/{id}/password"), json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "user {id}");
    }
    let volunteer = app.token("volunteer").await;
    let res = app
        .post(&volunteer, &format!("/api/v1/users/{chunxiao}/password"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(&admin, "/api/v1/users/999999/password", json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&admin, &format!("/api/v1/users/{admin_id}/password"), json!({}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    // The street resets its community's staff: a temporary password, shown once; sessions end.
    let theirs = app.token("chunxiao").await;
    let res = app
        .post(&street, &format!("/api/v1/users/{chunxiao}/password"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let temporary = res.json::<Value>().await.unwrap()["temporary_password"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.get(&theirs, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        login_from(&app, "chunxiao", PASSWORD, "10.25.0.1").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The temporary password signs in, but only to choose a new one.
    let res = login_from(&app, "chunxiao", &temporary, "10.25.0.2").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["must_change_password"], true);
    let token = body["token"].as_str().unwrap().to_string();
    let res = app.get(&token, "/api/v1/teams").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["code"],
        "password_change_required"
    );
    assert_eq!(app.get(&token, "/api/v1/me").await.status(), StatusCode::OK);
    let res = app
        .put(
            &token,
            "/api/v1/me/password",
            json!({"current_password": temporary, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&token, "/api/v1/teams").await.status(), StatusCode::OK);
    // Audited, without the password.
    let log = app
        .get_json(&admin, &format!("/api/v1/audit?object_type=user&object_id={chunxiao}"))
        .await;
    assert!(log.to_string().contains("admin_reset"), "{log}");
    assert!(!log.to_string().contains(&temporary));
    // The district resets anyone's, a unit's included.
    let res = app
        .post(&admin, &format!("/api/v1/users/{shuiwu}/password"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_login_page_explains_both_ways_and_ties_its_errors_to_the_fields() {
    let app = spawn_app().await;
    let c = app.browser();
    let page = c.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/password/forgot\""), "{page}");
    assert!(page.contains("手机号或用户名") && page.contains("管理员"), "{page}");
    let csrf = csrf_of(&page);
    let res = c
        .post(app.url("/login"))
        .header("x-forwarded-for", "10.26.0.1")
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", VOLUNTEER_PHONE),
            ("password", "Wrong-Pass-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"login-error\" role=\"alert\""), "{html}");
    let input = html
        .split("<input id=\"username\"")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    assert!(
        input.contains("aria-invalid=\"true\"") && input.contains("login-error") && input.contains("autofocus"),
        "{input}"
    );
    // The phone signs in through the page too.
    let res = c
        .post(app.url("/login"))
        .header("x-forwarded-for", "10.26.0.2")
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "139-0000-1234"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The recovery pages, end to end in the browser's way.
    let c = app.browser();
    let page = c
        .get(app.url("/password/forgot"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let res = c
        .post(app.url("/password/forgot"))
        .header("x-forwarded-for", "10.26.1.1")
        .form(&[("csrf", csrf.as_str()), ("login", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("aria-describedby=\"login-hint e-login\" aria-invalid=\"true\""),
        "{html}"
    );
    let res = c
        .post(app.url("/password/forgot"))
        .header("x-forwarded-for", "10.26.1.1")
        .form(&[("csrf", csrf.as_str()), ("login", VOLUNTEER_PHONE)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("action=\"/password/reset\""), "{html}");
    let code = reset_code_sent_to(&app, VOLUNTEER_PHONE).await.unwrap();
    let res = c
        .post(app.url("/password/reset"))
        .header("x-forwarded-for", "10.26.1.1")
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", VOLUNTEER_PHONE),
            ("code", &code),
            ("new_password", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");
}

#[tokio::test]
async fn a_reset_by_the_administrator_sends_the_web_session_to_the_account_page() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let id = app.find_id(&admin, "/api/v1/users", "username", "shuiwu").await;
    // Through the page: confirm, then the temporary password once.
    let (c, csrf) = app.web_login("admin").await;
    let page = c
        .get(app.url(&format!("/users/{id}/password")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("action=\"/users/{id}/password\"")), "{page}");
    let res = c
        .post(app.url(&format!("/users/{id}/password")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    let temporary = html
        .split("id=\"temporary\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    // Signing in with it leads to the account page, and every other page sends back there.
    let b = app.browser();
    let page = b.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let res = b
        .post(app.url("/login"))
        .header("x-forwarded-for", "10.27.0.1")
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "shuiwu"),
            ("password", &temporary),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account");
    let res = b.get(app.url("/teams")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account");
    let res = b.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
