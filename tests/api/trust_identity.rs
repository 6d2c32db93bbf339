//! Trust, identity and scope: knowing someone's ID number, or their name and phone, links no
//! account to their record without proof; objects named in a request body are checked against
//! the caller's scope, not only the one in the path.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{csrf_of, error_codes, spawn_app, TestApp};
use leifeng::demo::resident_id;
use leifeng::domain::service::format_local;

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn join(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let res = app.join(&body).await;
    (res.status(), res.json().await.unwrap())
}

/// The six digits of the newest code sent to `phone` (from the outbox: no SMS provider here).
async fn code_sent_to(app: &TestApp, phone: &str) -> Option<String> {
    let body = leifeng::db::identity::last_message(&app.db, phone, "link_code")
        .await
        .unwrap()?;
    let digits: String = body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)?
        .to_string();
    Some(digits)
}

#[tokio::test]
async fn an_id_number_alone_links_nothing_until_the_phone_on_record_proves_it() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "身份测试队").await;
    let id = resident_id(1988, 8, 8, 888);
    let vid = app
        .add_member(
            &unit,
            team,
            json!({"name": "周正", "id_number": id, "phone": "13600001111", "employer": "明湖区税务局",
               "consent": "true", "id_consent": "true"}),
        )
        .await;
    // A stranger who knows the ID number signs up with their own phone.
    let (status, body) = join(
        &app,
        json!({"name": "周正", "id_number": id, "phone": "13900002222", "consent": "true", "id_consent": "true",
               "username": "zhouzheng", "password": "Serve-People-2026"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["pending"].as_bool(), body["code_sent"].as_bool()),
        (Some(true), Some(true))
    );
    assert!(body["volunteer_no"].is_null());
    // Nothing they typed reached the record.
    let record = app
        .get_json(&unit, &format!("/api/v1/volunteers/{vid}?reveal=true"))
        .await;
    assert_eq!(record["phone"], "13600001111");
    // Their account sees only what they typed, never the record.
    let me = app.token_for("zhouzheng", "Serve-People-2026").await;
    assert_eq!(
        app.get(&me, "/api/v1/me/volunteer").await.status(),
        StatusCode::BAD_REQUEST
    );
    let status_now = app.get_json(&me, "/api/v1/me/link").await;
    assert_eq!(status_now["pending"], true);
    assert_eq!(status_now["typed"]["phone"], "13900002222");
    assert!(status_now["typed"].get("employer").is_none(), "{status_now}");
    assert!(!status_now.to_string().contains("13600001111"));
    // The code went to the phone on record, not to the one typed.
    assert!(code_sent_to(&app, "13900002222").await.is_none());
    let code = code_sent_to(&app, "13600001111")
        .await
        .expect("a code to the phone on record");
    // A wrong code is refused and counted.
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let res = app.post(&me, "/api/v1/me/link", json!({"code": wrong})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.code_wrong"]);
    // The right one links the account to the record, unchanged.
    let res = app.post(&me, "/api/v1/me/link", json!({"code": code})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let mine = app.get_json(&me, "/api/v1/me/volunteer").await;
    assert_eq!(
        (mine["id"].as_i64(), mine["phone"].as_str()),
        (Some(vid), Some("13600001111"))
    );
    assert_eq!(
        app.get_json(&me, "/api/v1/me/link").await,
        json!({"pending": false, "by_code": false, "typed": {}})
    );
    // The code opens nothing twice.
    let res = app.post(&me, "/api/v1/me/link", json!({"code": code})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The different phone waits for the team as a proposed correction, which it applies.
    let proposals = app.get_json(&unit, &format!("/api/v1/teams/{team}/corrections")).await;
    let proposals = proposals.as_array().unwrap();
    assert_eq!(proposals.len(), 1);
    assert_eq!(proposals[0]["data"], json!({"phone": "13900002222"}));
    let pid = proposals[0]["id"].as_i64().unwrap();
    let street = app.token("donghu").await;
    assert_eq!(
        app.post(
            &street,
            &format!("/api/v1/teams/{team}/corrections/{pid}"),
            json!({"decision": "apply"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{team}/corrections/{pid}"),
            json!({"decision": "apply"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let record = app
        .get_json(&unit, &format!("/api/v1/volunteers/{vid}?reveal=true"))
        .await;
    assert_eq!(record["phone"], "13900002222");
    let log = app
        .get_json(
            &app.token("admin").await,
            &format!("/api/v1/audit?object_type=pending_link&object_id={vid}"),
        )
        .await;
    assert!(
        items(&log).iter().any(|e| e["changes"].to_string().contains("code")),
        "{log}"
    );
}

#[tokio::test]
async fn codes_expire_allow_few_tries_and_are_sent_a_few_times_an_hour() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "验证码测试队").await;
    app.add_member(
        &unit,
        team,
        json!({"name": "钱多", "phone": "13600003333", "consent": "true"}),
    )
    .await;
    let (status, body) = join(
        &app,
        json!({"name": "钱多", "phone": "13600003333", "consent": "true", "username": "qianduo", "password": "Serve-People-2026"}),
    )
    .await;
    assert_eq!((status, body["pending"].as_bool()), (StatusCode::CREATED, Some(true)));
    let me = app.token_for("qianduo", "Serve-People-2026").await;
    let code = code_sent_to(&app, "13600003333").await.unwrap();
    let wrong = if code == "000000" { "000001" } else { "000000" };
    // Five wrong guesses use the code up; the right code is then refused too.
    for _ in 0..5 {
        let res = app.post(&me, "/api/v1/me/link", json!({"code": wrong})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app.post(&me, "/api/v1/me/link", json!({"code": code})).await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.code_tries"]);
    // A new code; once expired it is refused.
    assert_eq!(
        app.post(&me, "/api/v1/me/link/code", json!({})).await.status(),
        StatusCode::ACCEPTED
    );
    let code = code_sent_to(&app, "13600003333").await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    leifeng::on_tx!(&mut tx, c => sqlx::query("update one_time_codes set expires_at = 0").execute(&mut *c).await.map(|_| ()).unwrap());
    tx.commit().await.unwrap();
    let res = app.post(&me, "/api/v1/me/link", json!({"code": code})).await;
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.code_expired"]);
    // Sending is limited per account.
    let mut statuses = vec![];
    for _ in 0..6 {
        statuses.push(app.post(&me, "/api/v1/me/link/code", json!({})).await.status());
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn a_team_cannot_confirm_through_its_invitation_someone_another_team_keeps() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let community = app.token("chunxiao").await;
    let theirs = app.new_team(&community, "春晓居民队").await;
    let victim = app
        .add_member(
            &community,
            theirs,
            json!({"name": "孙丽", "phone": "13600004444", "residence": "春晓小区", "consent": "true"}),
        )
        .await;
    // The unit's leader invites, then signs up through the invitation as that person.
    let ours = app.new_team(&unit, "邀请队").await;
    let res = app
        .post(&unit, &format!("/api/v1/teams/{ours}/invitations"), json!({}))
        .await;
    let url = res.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_string();
    let invite = url.split("invite=").nth(1).unwrap().to_string();
    let (status, body) = join(
        &app,
        json!({"name": "孙丽", "phone": "13600004444", "consent": "true", "invite": invite,
               "username": "sunli", "password": "Serve-People-2026"}),
    )
    .await;
    assert_eq!((status, body["pending"].as_bool()), (StatusCode::CREATED, Some(true)));
    // The inviting team sees only what was typed, and may not confirm.
    let pending = app.get_json(&unit, &format!("/api/v1/teams/{ours}/pending")).await;
    let row = &pending.as_array().unwrap()[0];
    assert_eq!(
        (row["on_roster"].as_bool(), row["volunteer_no"].as_str()),
        (Some(false), Some(""))
    );
    assert_eq!(row["phone"], "");
    let user_id = row["user_id"].as_i64().unwrap();
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{ours}/pending/{user_id}"),
            json!({"decision": "confirm"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let me = app.token_for("sunli", "Serve-People-2026").await;
    assert_eq!(
        app.get(&me, "/api/v1/me/volunteer").await.status(),
        StatusCode::BAD_REQUEST
    );
    // The team that keeps the record confirms: linked, and the record unchanged.
    let pending = app
        .get_json(&community, &format!("/api/v1/teams/{theirs}/pending"))
        .await;
    assert_eq!(pending[0]["on_roster"], true);
    let res = app
        .post(
            &community,
            &format!("/api/v1/teams/{theirs}/pending/{user_id}"),
            json!({"decision": "confirm"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let mine = app.get_json(&me, "/api/v1/me/volunteer").await;
    assert_eq!(
        (mine["id"].as_i64(), mine["residence"].as_str()),
        (Some(victim), Some("春晓小区"))
    );
}

#[tokio::test]
async fn a_roster_entry_that_matches_another_teams_record_by_name_and_phone_is_a_new_record() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let community = app.token("chunxiao").await;
    let theirs = app.new_team(&community, "春晓居民二队").await;
    let id = resident_id(1975, 5, 5, 555);
    let victim = app
        .add_member(
            &community,
            theirs,
            json!({"name": "吴刚", "id_number": id, "phone": "13600005555", "employer": "春晓物业",
               "consent": "true", "id_consent": "true"}),
        )
        .await;
    let ours = app.new_team(&unit, "名册测试队").await;
    // Name and phone only: not taken to be the same person, so their ID number stays theirs.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{ours}/members"),
            json!({"name": "吴刚", "phone": "13600005555", "consent": "true"}),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert_ne!(body["volunteer_id"].as_i64(), Some(victim));
    assert!(!body.to_string().contains(&id[..10]), "{body}");
    // With the ID number: the same person, put on this roster, the record unchanged.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{ours}/members"),
            json!({"name": "吴刚", "id_number": id, "phone": "13600005556", "employer": "别处", "consent": "true", "id_consent": "true"}),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["volunteer_id"].as_i64(), Some(victim));
    let record = app
        .get_json(&community, &format!("/api/v1/volunteers/{victim}?reveal=true"))
        .await;
    assert_eq!(
        (record["phone"].as_str(), record["employer"].as_str()),
        (Some("13600005555"), Some("春晓物业"))
    );
    let proposals = app
        .get_json(&community, &format!("/api/v1/teams/{theirs}/corrections"))
        .await;
    assert_eq!(proposals[0]["data"]["employer"], "别处");
}

fn now() -> i64 {
    leifeng::db::now()
}

#[tokio::test]
async fn ids_in_a_request_body_are_checked_against_the_callers_scope() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let community = app.token("chunxiao").await;
    let ours = items(&app.get_json(&unit, "/api/v1/teams").await)[0]["id"]
        .as_i64()
        .unwrap();
    let mine = app
        .add_member(
            &unit,
            ours,
            json!({"name": "郑一", "phone": "13600006666", "consent": "true"}),
        )
        .await;
    let theirs = app.new_team(&community, "春晓居民三队").await;
    let stranger = app
        .add_member(
            &community,
            theirs,
            json!({"name": "王二", "phone": "13600007777", "consent": "true"}),
        )
        .await;
    let live = app
        .activity(&unit, ours, -600, 7200, json!({"open_to": "all"}), false)
        .await;

    // A leader signs up only people on the organising team's roster; an unknown id looks the same.
    for vid in [stranger, 99_999_999] {
        let res = app
            .post(
                &unit,
                &format!("/api/v1/activities/{live}/signups"),
                json!({"volunteer_id": vid}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.not_on_roster"]);
    }
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{live}/signups"),
            json!({"volunteer_id": mine}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let list = app.get_json(&unit, &format!("/api/v1/activities/{live}/signups")).await;
    assert!(!list.to_string().contains("王二"));

    // Attendance only for those on the list (or the leader's own people).
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{live}/attendance"),
            json!({"volunteer_ids": [stranger], "action": "sign_in"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_codes(&res.json().await.unwrap()),
        vec!["err.not_on_activity_list"]
    );
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{live}/attendance"),
            json!({"volunteer_ids": [mine, stranger], "action": "sign_in"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "all or nothing");
    let res = app
        .put(
            &unit,
            &format!("/api/v1/activities/{live}/attendance/{stranger}"),
            json!({"signed_in_at": format_local(now()), "reason": "补录"}),
        )
        .await;
    assert!(res.status().is_client_error());
    let list = app.get_json(&unit, &format!("/api/v1/activities/{live}/signups")).await;
    assert!(!list.to_string().contains("王二"));
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{live}/attendance"),
            json!({"volunteer_ids": [mine], "action": "sign_in"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());

    // A community's staff list only their own community's teams.
    let communities = items(
        &app.get_json(&app.token("admin").await, "/api/v1/communities?per_page=100")
            .await,
    );
    let me = app.get_json(&community, "/api/v1/me").await;
    let other = communities.iter().find(|c| c["id"] != me["community_id"]).unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.get(&community, &format!("/api/v1/teams?community_id={other}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // An activity is placed only in a community its team serves.
    let pairings = items(
        &app.get_json(&app.token("admin").await, "/api/v1/pairings?per_page=500")
            .await,
    );
    let unit_id = app.get_json(&unit, "/api/v1/me").await["unit_id"].as_i64().unwrap();
    let paired: Vec<i64> = pairings
        .iter()
        .filter(|p| p["unit_id"].as_i64() == Some(unit_id))
        .filter_map(|p| p["community_id"].as_i64())
        .collect();
    let outside = communities
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .find(|c| !paired.contains(c))
        .unwrap();
    let body = json!({
        "team_id": ours, "title": "越界活动", "category": "public_affairs", "dimension": "environment",
        "form": "scattered", "address": "某地", "starts_at": format_local(now() + 86400),
        "ends_at": format_local(now() + 90000), "capacity": 10, "community_id": outside,
    });
    let res = app.post(&unit, "/api/v1/activities", body.clone()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_codes(&res.json().await.unwrap()),
        vec!["err.community_out_of_reach"]
    );
    let mut inside = body;
    inside["community_id"] = json!(paired[0]);
    assert_eq!(
        app.post(&unit, "/api/v1/activities", inside).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_walk_in_never_lands_on_a_record_a_team_keeps() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let ours = items(&app.get_json(&unit, "/api/v1/teams").await)[0]["id"]
        .as_i64()
        .unwrap();
    let kept = app
        .add_member(
            &unit,
            ours,
            json!({"name": "冯七", "phone": "13600008888", "consent": "true"}),
        )
        .await;
    let live = app
        .activity(&unit, ours, -600, 7200, json!({"open_to": "all"}), false)
        .await;
    let code = app.get_json(&unit, &format!("/api/v1/activities/{live}/code")).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let phone = app.browser();
    let page = phone
        .get(app.url(&format!("/s/{live}?c={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let res = phone
        .post(app.url(&format!("/s/{live}/in")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("name", "冯七"),
            ("phone", "13600008888"),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{live}/signups")).await;
    let walk_in = list.as_array().unwrap().iter().find(|p| p["name"] == "冯七").unwrap();
    assert_ne!(walk_in["volunteer_id"].as_i64(), Some(kept), "a record of its own");
}
