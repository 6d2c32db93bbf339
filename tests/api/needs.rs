//! 四单 over HTTP: a resident posts a need, the community publishes it, the street dispatches
//! it, the team declines, then accepts (a draft activity is made), the activity is held and
//! completed, and the community and the resident each rate it once; scope violations, hostile
//! input, the rate limit of the public form, and the timers.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn tomorrow() -> String {
    let d = chrono::NaiveDate::parse_from_str(&leifeng::domain::campaign::today(), "%Y-%m-%d").unwrap();
    (d + chrono::Duration::days(1)).format("%Y-%m-%d").to_string()
}

fn need(community: i64) -> Value {
    json!({"community_id": community, "category": "helping_weak", "description": "独居老人家中打扫，需要两位志愿者",
        "place": "春晓社区3幢2单元", "wished_from": tomorrow(), "head_count": 2,
        "contact_name": "李阿姨", "contact_phone": "139 1234 5678", "consent": true})
}

/// Posts on the public form's API from the address `ip` (no account).
async fn ask(app: &TestApp, ip: &str, body: &Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/needs/ask"))
        .header("x-forwarded-for", ip)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn anon_post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .header("x-forwarded-for", "10.77.0.9")
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn tax_team(app: &TestApp, unit: &str) -> i64 {
    let teams = app.get_json(unit, "/api/v1/teams").await;
    teams["items"].as_array().unwrap()[0]["id"].as_i64().unwrap()
}

/// The team's line of the per-team figures (zeros before it has one).
async fn figures_of(app: &TestApp, admin: &str, team: i64) -> Value {
    let figures = app.get_json(admin, "/api/v1/needs/figures?per_page=500").await;
    figures["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["team_id"] == team)
        .cloned()
        .unwrap_or_else(|| json!({"received": 0, "accepted": 0, "declined": 0, "fulfilled": 0, "ratings": 0}))
}

#[tokio::test]
async fn a_resident_need_goes_round_the_whole_loop() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let street = app.token("donghu").await;
    let community = app.token("chunxiao").await;
    let unit = app.token("shuiwu").await;
    let chunxiao = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;
    let team = tax_team(&app, &unit).await;
    let before = figures_of(&app, &admin, team).await;

    // 点单: without consent the request is refused, naming the field.
    let mut body = need(chunxiao);
    body["consent"] = json!(false);
    let res = ask(&app, "10.66.0.1", &body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["consent"]);
    let res = ask(&app, "10.66.0.1", &need(chunxiao)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let asked: Value = res.json().await.unwrap();
    let id = asked["id"].as_i64().unwrap();
    let token = asked["token"].as_str().unwrap().to_string();
    let track = format!("/api/v1/needs/track/{token}");
    let mine = app.get_json("", &track).await;
    assert_eq!(
        (mine["status"].as_str(), mine["contact_phone"].as_str()),
        (Some("submitted"), Some("13912345678"))
    );

    // The community sees it with the contact; the unit does not see it at all yet.
    let v = app.get_json(&community, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(
        (v["status"].as_str(), v["contact_phone"].as_str()),
        (Some("submitted"), Some("13912345678"))
    );
    assert_eq!(
        app.get(&unit, &format!("/api/v1/needs/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Not dispatched before it is published; the community cannot dispatch.
    let res = app
        .post(
            &street,
            &format!("/api/v1/needs/{id}/dispatch"),
            json!({"team_id": team}),
        )
        .await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.need_state"]);
    let res = app
        .post(
            &community,
            &format!("/api/v1/needs/{id}/dispatch"),
            json!({"team_id": team}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(
            &community,
            &format!("/api/v1/needs/{id}/review"),
            json!({"decision": "close"}),
        )
        .await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app
        .post(
            &community,
            &format!("/api/v1/needs/{id}/review"),
            json!({"decision": "publish"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "published");

    // The wall shows it, without the contact or the requester.
    let wall = app
        .http
        .get(app.url("/api/v1/needs/wall"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(wall.contains("春晓社区3幢2单元"), "{wall}");
    assert!(!wall.contains("13912345678") && !wall.contains("李阿姨"), "{wall}");
    let page = app.http.get(app.url("/needs/wall")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("春晓社区3幢2单元") && !html.contains("13912345678"));

    // 派单 to a team that does not exist or is not of this campaign: refused with the field.
    let res = app
        .post(
            &street,
            &format!("/api/v1/needs/{id}/dispatch"),
            json!({"team_id": 999_999}),
        )
        .await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.need_team"]);
    let res = app
        .post(
            &street,
            &format!("/api/v1/needs/{id}/dispatch"),
            json!({"team_id": team}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The team's staff are told.
    let inbox = app
        .get_json(&unit, "/api/v1/me/notifications?per_page=100")
        .await
        .to_string();
    assert!(inbox.contains("need_dispatched"), "{inbox}");
    // The team sees the contact now; it declines (a reason is required), back to the queue.
    let v = app.get_json(&unit, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(
        (v["contact_phone"].as_str(), v["may"]["answer_team_ids"].clone()),
        (Some("13912345678"), json!([team]))
    );
    let res = app
        .post(
            &unit,
            &format!("/api/v1/needs/{id}/answer"),
            json!({"answer": "decline"}),
        )
        .await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app
        .post(
            &unit,
            &format!("/api/v1/needs/{id}/answer"),
            json!({"answer": "decline", "reason": "当天全员值班"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "published");
    // Re-dispatched, accepted: a draft activity in the community, for the head count.
    app.post(
        &street,
        &format!("/api/v1/needs/{id}/dispatch"),
        json!({"team_id": team}),
    )
    .await;
    let res = app
        .post(
            &unit,
            &format!("/api/v1/needs/{id}/answer"),
            json!({"answer": "accept"}),
        )
        .await;
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "accepted", "{v}");
    let activity = v["activity_id"].as_i64().unwrap();
    let a = app.get_json(&unit, &format!("/api/v1/activities/{activity}")).await;
    assert_eq!(
        (
            a["status"].as_str(),
            a["community_id"].as_i64(),
            a["capacity"].as_i64(),
            a["category"].as_str()
        ),
        (Some("draft"), Some(chunxiao), Some(2), Some("helping_weak"))
    );

    // 评单 only after the activity is completed.
    let res = app
        .post(&community, &format!("/api/v1/needs/{id}/rate"), json!({"stars": 5}))
        .await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.need_not_fulfilled"]);
    let res = anon_post(&app, &format!("{track}/rate"), json!({"stars": 5})).await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.need_not_fulfilled"]);

    // The activity is held (moved into the past by the test), published and completed.
    let now = leifeng::db::now();
    app.sql(&format!(
        "update activities set starts_at = {}, ends_at = {} where id = {activity}",
        now - 7200,
        now - 3600
    ))
    .await;
    for action in ["publish", "complete"] {
        let res = app
            .post(
                &unit,
                &format!("/api/v1/activities/{activity}/status"),
                json!({"action": action}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{action}: {}", res.text().await.unwrap());
    }
    let v = app.get_json(&community, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(
        (v["status"].as_str(), v["may"]["rate"].as_bool()),
        (Some("fulfilled"), Some(true))
    );

    // Each rates once; a double submit does not count twice.
    let res = app
        .post(&community, &format!("/api/v1/needs/{id}/rate"), json!({"stars": 9}))
        .await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.need_stars"]);
    let res = app
        .post(
            &community,
            &format!("/api/v1/needs/{id}/rate"),
            json!({"stars": 5, "comment": "很及时"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(&community, &format!("/api/v1/needs/{id}/rate"), json!({"stars": 1}))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = anon_post(&app, &format!("{track}/rate"), json!({"stars": 4})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = anon_post(&app, &format!("{track}/rate"), json!({"stars": 4})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Another token (or a guessed one) is nobody's need.
    let other = "0".repeat(64);
    let res = anon_post(&app, &format!("/api/v1/needs/track/{other}/rate"), json!({"stars": 1})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v = app.get_json(&community, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(v["ratings"].as_array().unwrap().len(), 2);
    let steps: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "posted",
            "published",
            "dispatched",
            "declined",
            "dispatched",
            "accepted",
            "fulfilled",
            "rated",
            "rated"
        ]
    );

    // The team's figures (over the demo's needs too): two more received, one more accepted,
    // declined and fulfilled; a response time.
    let after = figures_of(&app, &admin, team).await;
    let delta = |k: &str| after[k].as_i64().unwrap() - before[k].as_i64().unwrap();
    assert_eq!(
        (
            delta("received"),
            delta("accepted"),
            delta("declined"),
            delta("fulfilled"),
            delta("ratings")
        ),
        (2, 1, 1, 1, 2),
        "{before} → {after}"
    );
    assert!(after["median_response_secs"].as_i64().is_some());
    assert!(after["average_rating"]
        .as_f64()
        .is_some_and(|r| (1.0..=5.0).contains(&r)));

    // The counts agree with a recount of the raw records.
    let campaign = leifeng::db::campaigns::active_campaign(&app.db).await.unwrap().unwrap();
    let scope = leifeng::domain::org::Scope::Community(chunxiao);
    let counts = leifeng::db::needs::counts(&app.db, campaign.id, &scope, None)
        .await
        .unwrap();
    let all = app.get_json(&community, "/api/v1/needs?per_page=500").await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(counts.received, items.len() as i64);
    let fulfilled = items.iter().filter(|n| n["status"] == "fulfilled").count() as i64;
    assert_eq!(counts.fulfilled, fulfilled);
}

#[tokio::test]
async fn needs_refuse_what_is_out_of_scope_or_malformed() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let community = app.token("chunxiao").await;
    let unit = app.token("shuiwu").await;
    let volunteer = app.token("volunteer").await;
    let chunxiao = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;
    let fenglin = app.find_id(&admin, "/api/v1/communities", "name", "枫林社区").await;

    // A community posts only for itself.
    let res = app.post(&community, "/api/v1/needs", need(fenglin)).await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.need_community"]);
    // Bad category, over-long text, no head count, not a phone, a date in the past.
    let mut bad = need(chunxiao);
    bad["category"] = json!("dancing");
    bad["description"] = json!("很".repeat(1001));
    bad["head_count"] = json!(0);
    bad["contact_phone"] = json!("123");
    bad["wished_from"] = json!("2020-01-01");
    let res = app.post(&community, "/api/v1/needs", bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&res.json().await.unwrap());
    fields.sort();
    assert_eq!(
        fields,
        ["category", "contact_phone", "description", "head_count", "wished_from"]
    );
    let res = app.post(&community, "/api/v1/needs", need(chunxiao)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // Volunteers have no needs list; a unit cannot review; another street's community is unknown.
    assert_eq!(
        app.get(&volunteer, "/api/v1/needs").await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post(
            &unit,
            &format!("/api/v1/needs/{id}/review"),
            json!({"decision": "publish"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.post(
        &community,
        &format!("/api/v1/needs/{id}/review"),
        json!({"decision": "publish"}),
    )
    .await;
    // A unit cannot dispatch; a street admin of another street does not see it.
    let team = tax_team(&app, &unit).await;
    let res = app
        .post(&unit, &format!("/api/v1/needs/{id}/dispatch"), json!({"team_id": team}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let other_street = app.find_id(&admin, "/api/v1/streets", "name", "西岭街道").await;
    app.new_account(&admin, "xiling_needs", "street_admin", json!({"org_id": other_street}))
        .await;
    let xiling = app.token("xiling_needs").await;
    assert_eq!(
        app.get(&xiling, &format!("/api/v1/needs/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .post(
            &xiling,
            &format!("/api/v1/needs/{id}/dispatch"),
            json!({"team_id": team}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let listed = app.get_json(&xiling, "/api/v1/needs").await;
    assert!(listed["items"].as_array().unwrap().iter().all(|n| n["id"] != id));
    // Opened for claim: a unit's team claims it only for a team of its own.
    app.post(&admin, &format!("/api/v1/needs/{id}/dispatch"), json!({"open": true}))
        .await;
    let others = app.get_json(&admin, "/api/v1/teams?per_page=500").await;
    let foreign = others["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .find(|t| *t != team)
        .unwrap();
    let res = app
        .post(
            &unit,
            &format!("/api/v1/needs/{id}/answer"),
            json!({"answer": "claim", "team_id": foreign}),
        )
        .await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.need_team"]);
    // Unknown filters are named.
    let res = app.get(&admin, "/api/v1/needs?status=lost").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Community staff see the contact; the unit, seeing an open need, sees it masked.
    let v = app.get_json(&unit, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(v["contact_phone"], "139****5678", "{v}");
}

#[tokio::test]
async fn the_public_form_is_rate_limited_and_csrf_protected() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let chunxiao = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;
    for i in 0..5 {
        let res = ask(&app, "10.88.0.1", &need(chunxiao)).await;
        assert_eq!(res.status(), StatusCode::CREATED, "request {i}");
    }
    let res = ask(&app, "10.88.0.1", &need(chunxiao)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // The page's form without its CSRF token is refused.
    let res = app
        .http
        .post(app.url("/needs/ask"))
        .header("x-forwarded-for", "10.88.0.2")
        .form(&[("community_id", chunxiao.to_string()), ("consent", "true".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The form page answers to anyone, in both languages.
    for lang in ["zh-CN", "en"] {
        let res = app
            .http
            .get(app.url("/needs/ask"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn timers_flag_needs_not_taken_in_time() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let community = app.token("chunxiao").await;
    let street = app.token("donghu").await;
    let chunxiao = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;
    let res = app.post(&community, "/api/v1/needs", need(chunxiao)).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let v = app.get_json(&community, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(v["overdue"], false);
    // Posted ten days ago: past the two working days of review.
    let ago = leifeng::db::now() - 10 * 86400;
    app.sql(&format!("update needs set step_at = {ago} where id = {id}"))
        .await;
    let v = app.get_json(&community, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(v["overdue"], true);
    let list = app.get_json(&community, "/api/v1/needs?overdue=true").await;
    assert!(list["items"].as_array().unwrap().iter().any(|n| n["id"] == id));
    assert_eq!(list["items"][0]["overdue"], true, "overdue first");
    // The community's workbench says so.
    let todo = app.get_json(&community, "/api/v1/me/todo").await;
    let items = todo["items"].as_array().unwrap();
    let it = items.iter().find(|i| i["kind"] == "needs").expect("a needs item");
    assert_eq!(it["state"], "overdue");
    // The district sets the timers (1–30 working days); 0 is refused.
    let res = app
        .put(
            &admin,
            "/api/v1/needs/timers",
            json!({"review_days": 0, "dispatch_days": 3, "accept_days": 2}),
        )
        .await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["review_days"]);
    let res = app
        .put(
            &street,
            "/api/v1/needs/timers",
            json!({"review_days": 20, "dispatch_days": 3, "accept_days": 2}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .put(
            &admin,
            "/api/v1/needs/timers",
            json!({"review_days": 20, "dispatch_days": 3, "accept_days": 2}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = app.get_json(&community, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(v["overdue"], false);
    // The board has its block; the pages answer.
    let (client, _) = app.web_login("donghu").await;
    for path in [
        "/board",
        "/needs",
        &format!("/needs/{id}"),
        "/needs/figures",
        "/needs/new",
    ] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
}
