//! The account's e-mail address and mobile number are the one place messages go: a new one is
//! set only with the code sent to it; notification preferences only choose channels. And the
//! migrations that moved addresses there: 0014 (volunteers' phones, duplicates kept apart) and
//! 0018 (addresses typed into the preferences).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{empty_database, error_fields, spawn_app, PASSWORD};
use leifeng::db::notifications::{last_body_to, Notice};
use leifeng::db::Db;
use leifeng::domain::notification::NoticeKind;

async fn code_sent_to(db: &Db, to: &str) -> String {
    let body = last_body_to(db, to, NoticeKind::OneTimeCode)
        .await
        .unwrap()
        .expect("a code was sent");
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_new_address_is_set_only_with_the_code_sent_to_it() {
    let app = spawn_app().await;
    let me = app.token("volunteer").await;
    let before = app.get_json(&me, "/api/v1/me/contact").await;
    assert_eq!(before["phone"], "13900001234");

    // Checked first.
    let res = app
        .post(&me, "/api/v1/me/contact", json!({"email": "not an address"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["email"]);

    // A code goes to the new address; nothing changes until it comes back.
    let res = app
        .post(&me, "/api/v1/me/contact", json!({"email": "New@Example.org"}))
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap()["code_sent"], true);
    assert_eq!(app.get_json(&me, "/api/v1/me/contact").await["email"], before["email"]);
    let code = code_sent_to(&app.db, "new@example.org").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = app
        .post(
            &me,
            "/api/v1/me/contact/confirm",
            json!({"channel": "email", "code": wrong}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["code"]);
    let res = app
        .post(
            &me,
            "/api/v1/me/contact/confirm",
            json!({"channel": "email", "code": code}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["email"], "new@example.org");
    // Used once.
    let res = app
        .post(
            &me,
            "/api/v1/me/contact/confirm",
            json!({"channel": "email", "code": code}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Messages now go there.
    let uid = app.get_json(&me, "/api/v1/me").await["id"].as_i64().unwrap();
    let n = Notice::to_user(NoticeKind::HoursConfirmed, "hours_confirmed:contact", uid)
        .param("title", "测试")
        .param("hours", "1.0");
    leifeng::features::notifications::notify(&app.db, &[n]).await.unwrap();
    assert!(last_body_to(&app.db, "new@example.org", NoticeKind::HoursConfirmed)
        .await
        .unwrap()
        .is_some());

    // A new mobile number, proved, is the one the volunteer signs in with.
    let res = app
        .post(&me, "/api/v1/me/contact", json!({"phone": "13700002468"}))
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let code = code_sent_to(&app.db, "13700002468").await;
    let res = app
        .post(
            &me,
            "/api/v1/me/contact/confirm",
            json!({"channel": "phone", "code": code}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.token_for("13700002468", PASSWORD).await;

    // Removing an address needs no code.
    let res = app.post(&me, "/api/v1/me/contact", json!({"email": ""})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap()["code_sent"], false);
    assert_eq!(app.get_json(&me, "/api/v1/me/contact").await["email"], "");

    // The page under /me.
    let page = app.get(&me, "/me/contact").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("action=\"/me/contact\""));
}

#[tokio::test]
async fn a_volunteer_cannot_take_another_volunteers_mobile_number() {
    let app = spawn_app().await;
    let id = leifeng::demo::resident_id(1991, 1, 1, 555);
    let res = app
        .join(
            &json!({"name": "林另一", "id_number": id, "phone": "13600005555", "consent": "true",
               "id_consent": "true", "username": "linlingyi", "password": "Serve-People-2026"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let other = app.token_for("linlingyi", "Serve-People-2026").await;
    let mine = app.get_json(&app.token("volunteer").await, "/api/v1/me/contact").await;
    let res = app
        .post(&other, "/api/v1/me/contact", json!({"phone": mine["phone"]}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["phone"]);
}

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite { write, .. } => sqlx::raw_sql(sql).execute(write).await.map(|_| ()),
        Db::Pg(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap();
}

async fn user_row(db: &Db, username: &str) -> (String, String) {
    let sql = "select phone, email from users where username = $1";
    match db {
        Db::Sqlite { read, .. } => sqlx::query_as(sql).bind(username).fetch_one(read).await,
        Db::Pg(pool) => sqlx::query_as(sql).bind(username).fetch_one(pool).await,
    }
    .unwrap()
}

#[tokio::test]
async fn the_account_migrations_keep_shared_phones_apart_and_move_preference_addresses() {
    let place = empty_database().await;
    let db = Db::connect_without_migrating(&place.url).await.unwrap();
    db.migrate_up_to(12).await.unwrap();
    // Three volunteer accounts: two whose records share one mobile number, one with its own;
    // a staff account; and preferences with addresses typed in (0012's).
    exec(
        &db,
        "insert into users (id, username, password_hash, role, created_at, updated_at, password_changed_at) values
            (1, 'twin_a', '!', 'volunteer', 0, 0, 0), (2, 'twin_b', '!', 'volunteer', 0, 0, 0),
            (3, 'single', '!', 'volunteer', 0, 0, 0), (4, 'staffer', '!', 'unit_admin', 0, 0, 0);
         insert into volunteers (volunteer_no, name, phone, user_id, created_at, updated_at) values
            ('V1', '甲', '13811112222', 1, 0, 0), ('V2', '乙', '13811112222', 2, 0, 0),
            ('V3', '丙', '13833334444', 3, 0, 0);
         insert into notification_prefs (user_id, email, phone, updated_at) values
            (2, ' Twin@Example.org ', '13955556666', 0), (4, 'boss@example.org', '13977778888', 0);",
    )
    .await;
    db.migrate().await.unwrap();
    // 0014: the shared number goes to neither account (they keep their usernames); the unique
    // one becomes its account's sign-in.
    assert_eq!(user_row(&db, "twin_a").await.0, "");
    assert_eq!(user_row(&db, "single").await.0, "13833334444");
    // 0018: e-mail addresses move to the account; a phone only to a staff account (a
    // volunteer's phone is their sign-in and must be proved).
    assert_eq!(user_row(&db, "twin_b").await, ("".into(), "twin@example.org".into()));
    assert_eq!(
        user_row(&db, "staffer").await,
        ("13977778888".into(), "boss@example.org".into())
    );
}
