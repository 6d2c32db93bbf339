//! The audit trail: every change, who, when, from where, before and after; filters.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_change_is_recorded_with_before_and_after() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let street = app.token("donghu").await;
    let donghu = app.find_id(&admin, "/api/v1/streets", "name", "东湖街道").await;

    let res = app
        .post(
            &street,
            "/api/v1/communities",
            json!({"street_id": donghu, "name": "审计社区"}),
        )
        .await;
    let c: Value = res.json().await.unwrap();
    let id = c["id"].as_i64().unwrap();
    let mut changed = c.clone();
    changed["name"] = json!("审计社区二");
    assert_eq!(
        app.put(&street, &format!("/api/v1/communities/{id}"), changed)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.delete(&street, &format!("/api/v1/communities/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );

    let log = app
        .get_json(&admin, &format!("/api/v1/audit?object_type=community&object_id={id}"))
        .await;
    let items = log["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["delete", "update", "create"]);
    for e in items {
        assert_eq!(e["username"], "donghu");
        assert_eq!(e["ip"], "127.0.0.1");
        assert!(e["at"].as_i64().unwrap() > 1_700_000_000);
    }
    let update: Value = serde_json::from_str(items[1]["changes"].as_str().unwrap()).unwrap();
    assert_eq!(update, json!({"name": {"before": "审计社区", "after": "审计社区二"}}));
    let created: Value = serde_json::from_str(items[2]["changes"].as_str().unwrap()).unwrap();
    assert_eq!(created["name"]["after"], "审计社区");
    assert_eq!(created["street_id"]["after"], donghu);
}

#[tokio::test]
async fn a_refused_change_leaves_no_entry_and_passwords_never_appear() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let before = app.get_json(&admin, "/api/v1/audit").await["total"].as_i64().unwrap();
    assert_eq!(
        app.post(&admin, "/api/v1/streets", json!({"name": "东湖街道"}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.get_json(&admin, "/api/v1/audit").await["total"].as_i64().unwrap(),
        before
    );

    let res = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "newpolice", "role": "police", "password": "Secret-Word-2026"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let log = app.get_json(&admin, "/api/v1/audit?object_type=user&q=newpolice").await;
    assert_eq!(log["total"], 1);
    let text = log.to_string();
    assert!(!text.contains("Secret-Word") && !text.contains("argon2"), "{text}");
}

#[tokio::test]
async fn the_trail_filters_by_user_object_and_date() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let street = app.token("donghu").await;
    let donghu = app.find_id(&admin, "/api/v1/streets", "name", "东湖街道").await;
    // The demo's street already acted (it dispatched needs): only the new entry is counted.
    let before = app.get_json(&admin, "/api/v1/audit?user=donghu").await["total"]
        .as_i64()
        .unwrap();
    app.post(
        &street,
        "/api/v1/communities",
        json!({"street_id": donghu, "name": "筛选社区"}),
    )
    .await;
    app.post(&admin, "/api/v1/units", json!({"name": "筛选单位", "level": "city"}))
        .await;

    let by_user = app.get_json(&admin, "/api/v1/audit?user=donghu").await;
    assert_eq!(by_user["total"].as_i64(), Some(before + 1));
    assert_eq!(by_user["items"][0]["object_label"], "筛选社区");
    let units = app.get_json(&admin, "/api/v1/audit?object_type=unit&q=筛选").await;
    assert_eq!(units["total"], 1);
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string();
    let all_today = app
        .get_json(&admin, &format!("/api/v1/audit?from={today}&to={today}"))
        .await;
    assert!(all_today["total"].as_i64().unwrap() > 50, "demo data and the changes");
    assert_eq!(app.get_json(&admin, "/api/v1/audit?to=2020-01-01").await["total"], 0);
    let res = app.get(&admin, "/api/v1/audit?from=yesterday").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["field"], "from");

    // The page shows the same, and only to the district.
    let (c, _) = app.web_login("admin").await;
    let html = c
        .get(app.url("/audit?user=donghu"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("筛选社区") && !html.contains("筛选单位"));
    let (c, _) = app.web_login("donghu").await;
    assert_eq!(
        c.get(app.url("/audit")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}
