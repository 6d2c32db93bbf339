//! The org tree through the API: validation, conflicts, dependents, and text safety.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app};

#[tokio::test]
async fn district_admin_lays_out_the_tree() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let res = app.put(&admin, "/api/v1/district", json!({"name": "雷锋区"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.get_json(&admin, "/api/v1/district").await["name"], "雷锋区");

    let res = app
        .post(&admin, "/api/v1/streets", json!({"name": "  新华街道 "}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let street: Value = res.json().await.unwrap();
    assert_eq!(street["name"], "新华街道");
    let sid = street["id"].as_i64().unwrap();

    let res = app
        .post(
            &admin,
            "/api/v1/communities",
            json!({"street_id": sid, "name": "新华社区", "contact_phone": "138 0000 1111"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let community: Value = res.json().await.unwrap();
    assert_eq!(community["contact_phone"], "13800001111");
    assert_eq!(community["street_name"], "新华街道");

    let res = app
        .post(
            &admin,
            "/api/v1/units",
            json!({"name": "新华书店", "level": "省级", "kind": "企业"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let unit: Value = res.json().await.unwrap();
    assert_eq!(unit["level"], "province");

    let res = app
        .post(
            &admin,
            "/api/v1/pairings",
            json!({"unit_id": unit["id"], "community_id": community["id"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let pairing: Value = res.json().await.unwrap();
    assert_eq!(pairing["unit_name"], "新华书店");
    assert_eq!(pairing["street_name"], "新华街道");

    let list = app.get_json(&admin, &format!("/api/v1/pairings?street_id={sid}")).await;
    assert_eq!(list["total"], 1);
    let list = app.get_json(&admin, "/api/v1/communities?q=新华").await;
    assert_eq!(list["total"], 1);
    let units = app.get_json(&admin, "/api/v1/units?per_page=10&page=4").await;
    assert_eq!(units["total"], 31);
    assert_eq!(units["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let before = app.get_json(&admin, "/api/v1/communities").await["total"].clone();

    let res = app
        .post(
            &admin,
            "/api/v1/communities",
            json!({"street_id": 99999, "name": "", "contact_phone": "12345"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(fields, vec!["contact_phone", "name", "street_id"]);

    let res = app
        .post(&admin, "/api/v1/units", json!({"name": "x", "level": "县级"}))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_fields(&body), vec!["level"]);

    let long = "长".repeat(101);
    let res = app.post(&admin, "/api/v1/streets", json!({"name": long})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Malformed JSON and wrong types are a 400/422 with the JSON error shape.
    let res = app
        .http
        .post(app.url("/api/v1/streets"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");

    assert_eq!(app.get_json(&admin, "/api/v1/communities").await["total"], before);
}

#[tokio::test]
async fn duplicates_are_conflicts_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let res = app.post(&admin, "/api/v1/streets", json!({"name": "东湖街道"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_fields(&body), vec!["name"]);
    assert!(body["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains("同名"));

    let donghu = app.find_id(&admin, "/api/v1/streets", "name", "东湖街道").await;
    let xiling = app.find_id(&admin, "/api/v1/streets", "name", "西岭街道").await;
    let res = app
        .post(
            &admin,
            "/api/v1/communities",
            json!({"street_id": donghu, "name": "春晓社区"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // The same community name under another street is fine.
    let res = app
        .post(
            &admin,
            "/api/v1/communities",
            json!({"street_id": xiling, "name": "春晓社区"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let unit = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;
    let chunxiao = app
        .get_json(&admin, &format!("/api/v1/communities?street_id={donghu}&q=春晓"))
        .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post(
            &admin,
            "/api/v1/pairings",
            json!({"unit_id": unit, "community_id": chunxiao}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["code"], "err.already_paired");

    let res = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "DongHu", "role": "police", "password": "Strong-Pass-2026"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_fields(&body), vec!["username"]);
}

#[tokio::test]
async fn nodes_with_dependents_cannot_be_deleted() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let donghu = app.find_id(&admin, "/api/v1/streets", "name", "东湖街道").await;
    let res = app.delete(&admin, &format!("/api/v1/streets/{donghu}")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("5 个社区"),
        "{body}"
    );
    assert_eq!(
        app.get(&admin, &format!("/api/v1/streets/{donghu}")).await.status(),
        StatusCode::OK
    );

    let unit = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;
    assert_eq!(
        app.delete(&admin, &format!("/api/v1/units/{unit}")).await.status(),
        StatusCode::CONFLICT
    );

    // An empty street goes.
    let s: Value = app
        .post(&admin, "/api/v1/streets", json!({"name": "临时街道"}))
        .await
        .json()
        .await
        .unwrap();
    let id = s["id"].as_i64().unwrap();
    assert_eq!(
        app.delete(&admin, &format!("/api/v1/streets/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&admin, &format!("/api/v1/streets/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn units_and_communities_keep_their_contacts_but_not_their_identity() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit_admin = app.token("shuiwu").await;
    let unit = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;
    let current = app.get_json(&unit_admin, &format!("/api/v1/units/{unit}")).await;
    let mut changed = current.clone();
    changed["contact_person"] = json!("李联络");
    changed["contact_phone"] = json!("0571-87654321");
    let res = app
        .put(&unit_admin, &format!("/api/v1/units/{unit}"), changed.clone())
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    changed["level"] = json!("national");
    let res = app.put(&unit_admin, &format!("/api/v1/units/{unit}"), changed).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["code"], "err.identity_locked");
    assert_eq!(
        app.get_json(&admin, &format!("/api/v1/units/{unit}")).await["level"],
        "province"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_a_clear_error() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let res = app.post(&admin, "/api/v1/streets", json!({"name": huge})).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn names_with_markup_are_shown_as_text() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let res = app
        .post(
            &admin,
            "/api/v1/streets",
            json!({"name": "<script>alert(1)</script>街道"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (c, _) = app.web_login("admin").await;
    let html = c
        .get(app.url("/streets?q=script"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .replace("&#x2f;", "/");
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;街道"));
}

#[tokio::test]
async fn phones_are_masked_for_viewers_who_do_not_edit_them() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let police = app.token("jiaojing").await;
    let unit = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;
    let full = app.get_json(&admin, &format!("/api/v1/units/{unit}")).await["contact_phone"]
        .as_str()
        .unwrap()
        .to_string();
    let masked = app.get_json(&police, &format!("/api/v1/units/{unit}")).await["contact_phone"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(full.len(), 11);
    assert_eq!(masked, format!("{}****{}", &full[..3], &full[7..]));
}

#[tokio::test]
async fn a_unit_whose_team_remains_is_refused_with_what_to_do_not_a_server_error() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit: Value = app
        .post(&admin, "/api/v1/units", json!({"name": "留队单位", "level": "city"}))
        .await
        .json()
        .await
        .unwrap();
    let unit = unit["id"].as_i64().unwrap();
    let account = app
        .new_account(&admin, "liudui", "unit_admin", json!({"unit_id": unit}))
        .await;
    let leader = app.token("liudui").await;
    app.new_team(&leader, "留队单位志愿服务队").await;
    assert_eq!(
        app.delete(&admin, &format!("/api/v1/users/{account}")).await.status(),
        StatusCode::NO_CONTENT
    );
    // No pairing and no account left, but its team still points at it.
    let res = app.delete(&admin, &format!("/api/v1/units/{unit}")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("请先处理"),
        "{body}"
    );
    assert_eq!(
        app.get(&admin, &format!("/api/v1/units/{unit}")).await.status(),
        StatusCode::OK
    );
}
