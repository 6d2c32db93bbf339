//! A year is commended in March of the next, when the new campaign may already be open: every
//! commendation route takes the year by name, the active year's overview points to the one still
//! under way, the public notice is the one in its period whatever its year, and a finished year's
//! categories stay as they were reviewed.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::commendations::object;
use crate::helpers::{error_codes, spawn_app, TestApp};

async fn public(app: &TestApp, path: &str) -> Value {
    let res = app.http.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_year_is_commended_after_the_next_campaign_opened() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;

    // The demo's year has nominations and a notice in its period; the district opens the next year.
    let before = app.get_json(&admin, "/api/v1/commendations").await;
    let year = before["year"].as_i64().unwrap();
    let commended = before["campaign_id"].as_i64().unwrap();
    let res = app.post(&admin, "/api/v1/campaigns", json!({"year": year + 1})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let next = app.get_json(&admin, "/api/v1/campaigns/active").await;
    assert_eq!(next["year"], year + 1);

    // The active year is the default; its overview points to the year still under way, which
    // every route takes by name, for the district and for the unit.
    let now = app.get_json(&admin, "/api/v1/commendations").await;
    assert_eq!(now["year"], year + 1);
    assert_eq!(now["unfinished"], json!({"campaign_id": commended, "year": year}));
    let old = format!("campaign_id={commended}");
    let then = app.get_json(&admin, &format!("/api/v1/commendations?{old}")).await;
    assert_eq!(
        (then["year"].as_i64(), then["notice"]["running"].as_bool()),
        (Some(year), Some(true))
    );
    assert_eq!(then["unfinished"], Value::Null);
    let theirs = app
        .get_json(&unit, &format!("/api/v1/commendations/nominations?{old}"))
        .await;
    assert!(theirs["total"].as_i64().unwrap() > 0, "{theirs}");
    assert!(theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["campaign_id"] == commended));
    // The pages say which year they are about and carry it in every form.
    let (browser, _) = app.web_login("admin").await;
    let page = browser
        .get(app.url("/commendations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/commendations?{old}")),
        "the active year links to the unfinished one"
    );
    let page = browser
        .get(app.url(&format!("/commendations?{old}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("这是 {year} 年度的表彰")),
        "the page names the year"
    );
    assert!(page.contains(&format!("/commendations/finalise?{old}")));

    // The public notice is still the one in its period; anyone may still object to it.
    let notice = public(&app, "/api/v1/notice").await;
    assert_eq!(
        (notice["year"].as_i64(), notice["running"].as_bool()),
        (Some(year), Some(true))
    );
    let on_notice = notice["lines"][0]["nomination_id"].as_i64().unwrap();
    let (status, body) = object(
        &app,
        "198.51.100.40",
        json!({"nomination_id": on_notice, "name": "赵六", "contact": "13912345678", "text": "请核实服务时长。"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let objections = app
        .get_json(&admin, &format!("/api/v1/commendations/objections?{old}"))
        .await;
    let open: Vec<i64> = objections["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "open")
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(open.len(), 2, "the demo's objection and this one: {objections}");

    // Answered and finalised after the period, naming the year.
    for id in open {
        let res = app
            .post(
                &admin,
                &format!("/api/v1/commendations/objections/{id}/answer"),
                json!({"outcome": "dismissed", "answer": "经核实，事迹属实。"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let mut tx = app.db.begin().await.unwrap();
    leifeng::on_tx!(&mut tx, c => sqlx::query(
        "update commendation_notices set ends_on = '2000-01-07' where campaign_id = $1")
        .bind(commended).execute(&mut *c).await.map(|_| ()).unwrap());
    tx.commit().await.unwrap();
    let res = app.post(&admin, "/api/v1/commendations/finalise", json!({})).await;
    assert_eq!(
        error_codes(&res.json().await.unwrap()),
        vec!["err.commend_no_notice"],
        "the new year has none"
    );
    let path = format!("/api/v1/commendations/finalise?{old}");
    let res = app.post(&admin, &path, json!({})).await;
    assert_eq!(
        error_codes(&res.json().await.unwrap()),
        vec!["err.commend_pending_review"]
    );
    // The demo left one nomination of that year under review: decided, by its id alone.
    let all = app
        .get_json(&admin, &format!("/api/v1/commendations/nominations?{old}"))
        .await;
    for n in all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["status"] == "submitted")
    {
        let res = app
            .post(
                &admin,
                &format!("/api/v1/commendations/nominations/{}/review", n["id"]),
                json!({"decision": "reject", "reason": "名额已满。"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = app.post(&admin, &path, json!({})).await;
    let done: Value = res.json().await.unwrap();
    assert!(done["year"].is_i64(), "{done}");
    assert_eq!(done["year"], year);
    let roll = public(&app, &format!("/api/v1/honours/{year}")).await;
    assert_eq!(
        roll["lines"].as_array().unwrap().len() as i64,
        done["commended"].as_i64().unwrap()
    );

    // Once finished, nothing is pointed to; the finished year's categories stay as reviewed.
    let after = app.get_json(&admin, "/api/v1/commendations").await;
    assert_eq!(after["unfinished"], Value::Null);
    let done_year = app.get_json(&admin, &format!("/api/v1/commendations?{old}")).await;
    assert_eq!(done_year["notice"]["finalised"], true);
    let cat = done_year["categories"][0]["id"].as_i64().unwrap();
    let res = app
        .put(
            &admin,
            &format!("/api/v1/commendations/categories/{cat}"),
            json!({"quota": 99}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_codes(&res.json().await.unwrap()),
        vec!["err.commend_notice_published"]
    );
    // A campaign that is not there is not found.
    let res = app.get(&admin, "/api/v1/commendations?campaign_id=987654").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The public notice now shows the finished year's notice as finalised, with nothing to object to.
    let notice = public(&app, "/api/v1/notice").await;
    assert_eq!(
        (notice["finalised"].as_bool(), notice["lines"].as_array().map(Vec::len)),
        (Some(true), Some(0))
    );
    let (status, body) = object(
        &app,
        "198.51.100.41",
        json!({"nomination_id": on_notice, "name": "赵六", "contact": "13912345678", "text": "请核实。"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_codes(&body), vec!["err.commend_no_notice"]);
}
