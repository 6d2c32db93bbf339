//! The commendation under submits that run at once, and a volunteer's erasure reaching honours:
//! one nominee is nominated once in a category however many submits race, approvals never pass
//! the quota, a double finalise finalises once (never a server error), and an erased honoree is
//! taken off the roll and verifies as "holder withdrawn".

use reqwest::{Method, StatusCode};

const POST: Method = Method::POST;
use serde_json::{json, Value};

use crate::commendations::fresh_year;
use crate::helpers::spawn_app;

#[tokio::test]
async fn racing_submits_nominate_once_approve_within_the_quota_and_finalise_once() {
    let app = spawn_app().await;
    fresh_year(&app).await;
    let (admin, unit) = (app.token("admin").await, app.token("shuiwu").await);
    let overview = app.get_json(&admin, "/api/v1/commendations").await;
    let cat = overview["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "volunteer")
        .unwrap()
        .clone();
    let cid = cat["id"].as_i64().unwrap();
    let res = app
        .put(
            &admin,
            &format!("/api/v1/commendations/categories/{cid}"),
            json!({"quota": 1, "quota_per_nominator": 10}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cands = app
        .get_json(
            &unit,
            &format!("/api/v1/commendations/candidates?category_id={cid}&per_page=500"),
        )
        .await;
    let eligible: Vec<i64> = cands["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["eligible"] == true)
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(eligible.len() >= 3, "{cands}");

    // Twelve submits of one nominee at once: one nomination.
    let body = json!({"category_id": cid, "nominee_id": eligible[0], "deed": "热心服务。"});
    let statuses = app
        .at_once(
            &unit,
            vec![(POST, "/api/v1/commendations/nominations".into(), body); 12],
        )
        .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::CREATED).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    for n in &eligible[1..3] {
        let body = json!({"category_id": cid, "nominee_id": n, "deed": "热心服务。"});
        let res = app.post(&unit, "/api/v1/commendations/nominations", body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let list = app.get_json(&admin, "/api/v1/commendations/nominations").await;
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{list}");

    // Three approvals at once with a quota of one: one approved.
    let reviews = ids
        .iter()
        .map(|id| {
            (
                POST,
                format!("/api/v1/commendations/nominations/{id}/review"),
                json!({"decision": "approve"}),
            )
        })
        .collect();
    let statuses = app.at_once(&admin, reviews).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    let list = app.get_json(&admin, "/api/v1/commendations/nominations").await;
    let approved = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["status"] == "approved")
        .count();
    assert_eq!(approved, 1);
    // The quota cannot go below those approved.
    let res = app
        .put(
            &admin,
            &format!("/api/v1/commendations/categories/{cid}"),
            json!({"quota": 0}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["code"], "err.commend_quota_below");
    for n in list["items"]
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

    // Published twice at once: one notice; finalised three times at once: one roll.
    let statuses = app
        .at_once(
            &admin,
            vec![(POST, "/api/v1/commendations/notice".into(), json!({})); 2],
        )
        .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::CREATED).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    app.sql("update commendation_notices set published_on = '2000-01-03', ends_on = '2000-01-07'")
        .await;
    let statuses = app
        .at_once(
            &admin,
            vec![(POST, "/api/v1/commendations/finalise".into(), json!({})); 3],
        )
        .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    let year = overview["year"].as_i64().unwrap();
    let roll: Value = app
        .http
        .get(app.url(&format!("/api/v1/honours/{year}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(roll["lines"].as_array().unwrap().len(), 1, "{roll}");
}

#[tokio::test]
async fn an_erased_honoree_leaves_the_roll_and_their_certificate_verifies_as_withdrawn() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    // The demo's finished year has honoured volunteers with certificates.
    let mut tx = app.db.begin().await.unwrap();
    let (volunteer, number, year, name): (i64, String, i64, String) = leifeng::on_tx!(&mut tx, c => sqlx::query_as(
        "select n.volunteer_id, h.number, k.year, n.nominee_name from honour_certificates h
         join nominations n on n.id = h.nomination_id join campaigns k on k.id = n.campaign_id
         where n.volunteer_id is not null order by h.id limit 1")
        .fetch_one(&mut *c).await.unwrap());
    tx.commit().await.unwrap();
    let verify = format!("/api/v1/certificates/{number}/verify");
    let before: Value = app
        .http
        .get(app.url(&verify))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (before["valid"].as_bool(), before["name"].as_str()),
        (Some(true), Some(name.as_str()))
    );

    let res = app
        .post(
            &admin,
            &format!("/api/v1/volunteers/{volunteer}/erasure"),
            json!({"confirm": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());

    let roll: Value = app
        .http
        .get(app.url(&format!("/api/v1/honours/{year}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!roll.to_string().contains(&name), "{roll}");
    let after: Value = app
        .http
        .get(app.url(&verify))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["valid"], true, "still issued: {after}");
    assert_eq!(after["holder_withdrawn"], true);
    assert!(after["name"].is_null() && !after.to_string().contains(&name), "{after}");
    let page = app
        .http
        .get(app.url(&format!("/verify/{number}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains(&name), "the public page does not name them");
}
