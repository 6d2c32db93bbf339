//! A finding is followed to closure across the year's end: after the district opens the next
//! campaign, last year's open finding is still on the unit's workbench and in the findings list,
//! the unit answers it with evidence, the inspector accepts it and closes the inspection; nothing
//! new is recorded or raised in the past year.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

fn in_days(n: i64) -> String {
    let today = leifeng::domain::campaign::today();
    let d = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap() + chrono::Duration::days(n);
    d.format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn last_years_finding_is_followed_to_closure_after_the_next_campaign_opens() {
    let app = spawn_app().await;
    let (admin, street, unit) = (
        app.token("admin").await,
        app.token("donghu").await,
        app.token("shuiwu").await,
    );
    let unit_id = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;

    // This year: the street inspects its unit and raises a finding.
    let today = leifeng::domain::campaign::today();
    let res = app
        .post(
            &street,
            "/api/v1/inspections",
            json!({"target_kind": "unit", "target_id": unit_id, "announced": true, "planned_on": today, "inspectors": "李建华"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let view = app.get_json(&street, &format!("/api/v1/inspections/{id}")).await;
    let items: Vec<Value> = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| json!({"id": it["id"], "result": "pass", "note": ""}))
        .collect();
    let res = app
        .put(
            &street,
            &format!("/api/v1/inspections/{id}/items"),
            json!({"inspected_on": today, "summary": "良好", "items": items}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &street,
            &format!("/api/v1/inspections/{id}/findings"),
            json!({"severity": "minor", "description": "宣传栏未更新", "deadline": in_days(10)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let fid = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // The district opens the next year.
    let year = app.get_json(&admin, "/api/v1/campaigns/active").await["year"]
        .as_i64()
        .unwrap();
    let res = app.post(&admin, "/api/v1/campaigns", json!({"year": year + 1})).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // Still followed: on the unit's workbench and in the street's findings list.
    let todo = app.get_json(&unit, "/api/v1/me/todo").await;
    assert!(
        todo["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|it| it["link"].as_str().unwrap_or("").ends_with(&format!("#finding-{fid}"))),
        "{todo}"
    );
    let list = app.get_json(&street, "/api/v1/inspections/findings?per_page=100").await;
    assert!(
        list["items"].as_array().unwrap().iter().any(|f| f["id"] == fid),
        "{list}"
    );

    // Nothing new is raised in the past year.
    let res = app
        .post(
            &street,
            &format!("/api/v1/inspections/{id}/findings"),
            json!({"severity": "minor", "description": "又一条", "deadline": in_days(10)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The unit answers with evidence; the street accepts and closes the inspection.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/inspections/findings/{fid}/answer"),
            json!({"answer": "宣传栏已更新"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let form = Form::new().text("finding_id", fid.to_string()).part(
        "file",
        Part::bytes(b"%PDF-1.4 photo report".to_vec()).file_name("整改.pdf"),
    );
    let res = app
        .http
        .post(app.url(&format!("/api/v1/inspections/{id}/files")))
        .bearer_auth(&unit)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(
            &street,
            &format!("/api/v1/inspections/findings/{fid}/review"),
            json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "accepted");
    let res = app
        .post(
            &street,
            &format!("/api/v1/inspections/{id}/transition"),
            json!({"action": "close"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Closed, it is no longer followed in the new year.
    let list = app.get_json(&street, "/api/v1/inspections/findings?per_page=100").await;
    assert!(
        !list["items"].as_array().unwrap().iter().any(|f| f["id"] == fid),
        "{list}"
    );
}
