//! The events other capabilities queue in their own transactions reach the right people's
//! inboxes: a dispatch received, answered and reviewed; a check-in waiting (street, then
//! community), returned and confirmed; a sign-up waiting for the team's confirmation.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use leifeng::domain::service::format_local;

/// The inbox of `token`: (kind, subject, body, link), newest first.
async fn inbox(app: &TestApp, token: &str) -> Vec<(String, String, String, String)> {
    let v = app.get_json(token, "/api/v1/me/notifications?per_page=100").await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or("").to_string();
            (s("kind"), s("subject"), s("body"), s("link"))
        })
        .collect()
}

/// Messages of `kind` about one of ours (their body names one of `names`).
fn mine<'a>(
    items: &'a [(String, String, String, String)],
    kind: &str,
    names: &[&str],
) -> Vec<&'a (String, String, String, String)> {
    items
        .iter()
        .filter(|i| i.0 == kind && names.iter().any(|n| i.2.contains(n)))
        .collect()
}

fn of_kind<'a>(items: &'a [(String, String, String, String)], kind: &str) -> Vec<&'a (String, String, String, String)> {
    items.iter().filter(|i| i.0 == kind).collect()
}

#[tokio::test]
async fn a_dispatch_is_received_answered_and_reviewed_by_the_right_people() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "派单通知队").await;
    let dispatch = json!({"title": "通知派单", "target": "站前", "category": "traffic", "dimension": "order",
        "address": "火车站站前广场", "starts_at": format_local(leifeng::db::now() + 2 * 86400),
        "ends_at": format_local(leifeng::db::now() + 2 * 86400 + 7200),
        "teams": [{"team_id": team, "required": 1}]});
    let res = app.post(&admin, "/api/v1/dispatches", dispatch).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let did = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let link = format!("/dispatches/{did}");

    // Received: the team's unit staff.
    let u = inbox(&app, &unit).await;
    let got = of_kind(&u, "dispatch_received");
    assert!(got.iter().any(|i| i.3 == link && i.2.contains("通知派单")), "{u:?}");
    // Another org's staff hear nothing.
    let community = app.token("chunxiao").await;
    assert!(mine(&inbox(&app, &community).await, "dispatch_received", &["通知派单"]).is_empty());

    // Answered (declined): the district.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/dispatches/{did}/teams/{team}/answer"),
            json!({"answer": "decline", "reason": "人手不足，当天另有任务"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let d = inbox(&app, &admin).await;
    assert!(
        of_kind(&d, "dispatch_answered")
            .iter()
            .any(|i| i.3 == link && i.2.contains("派单通知队")),
        "{d:?}"
    );

    // Reviewed (the decline is rejected: answer again): the team's staff.
    let res = app
        .post(
            &admin,
            &format!("/api/v1/dispatches/{did}/teams/{team}/review"),
            json!({"decision": "reject", "note": "请另行安排"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let u = inbox(&app, &unit).await;
    assert!(of_kind(&u, "dispatch_reviewed").iter().any(|i| i.3 == link), "{u:?}");
}

#[tokio::test]
async fn a_check_in_waits_for_the_street_then_the_community_and_its_outcome_reaches_the_unit() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let street = app.token("donghu").await;
    let community = app.token("chunxiao").await;
    let chunxiao = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;

    let file = |team: i64| {
        let app = &app;
        let unit = unit.clone();
        async move {
            let res = app
                .post(
                    &unit,
                    "/api/v1/checkins",
                    json!({"team_id": team, "community_id": chunxiao}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::CREATED);
            res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let confirmed_team = app.new_team(&unit, "报到确认队").await;
    let returned_team = app.new_team(&unit, "报到退回队").await;
    let a = file(confirmed_team).await;
    let b = file(returned_team).await;

    // Filed: the street is told (once per check-in).
    let ours = ["报到确认队", "报到退回队"];
    let s = inbox(&app, &street).await;
    let waiting = mine(&s, "checkin_waiting", &ours);
    assert_eq!(waiting.len(), 2, "{s:?}");
    assert!(waiting.iter().all(|i| i.3 == "/checkins"));
    assert!(mine(&inbox(&app, &community).await, "checkin_waiting", &ours).is_empty());

    // Forwarded: the community is told.
    for id in [a, b] {
        let res = app
            .post(
                &street,
                &format!("/api/v1/checkins/{id}/move"),
                json!({"step": "forward"}),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
    assert_eq!(mine(&inbox(&app, &community).await, "checkin_waiting", &ours).len(), 2);

    // Confirmed and returned (with the reason): the unit's staff.
    let res = app
        .post(
            &community,
            &format!("/api/v1/checkins/{a}/move"),
            json!({"step": "confirm"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let res = app
        .post(
            &community,
            &format!("/api/v1/checkins/{b}/move"),
            json!({"step": "return", "reason": "报到材料缺少联系人电话"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let u = inbox(&app, &unit).await;
    assert!(
        of_kind(&u, "checkin_confirmed")
            .iter()
            .any(|i| i.2.contains("报到确认队")),
        "{u:?}"
    );
    assert!(
        of_kind(&u, "checkin_returned")
            .iter()
            .any(|i| i.2.contains("报到退回队") && i.2.contains("报到材料缺少联系人电话")),
        "{u:?}"
    );
}

#[tokio::test]
async fn a_sign_up_that_matches_a_roster_record_waits_and_the_team_is_told() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "报名待确认队").await;
    let id = leifeng::demo::resident_id(1987, 7, 7, 777);
    app.add_member(
        &unit,
        team,
        json!({"name": "吴待定", "id_number": id, "phone": "13600007777", "employer": "明湖区税务局",
           "consent": "true", "id_consent": "true"}),
    )
    .await;
    let res = app
        .join(
            &json!({"name": "吴待定", "id_number": id, "phone": "13600007777", "consent": "true",
               "id_consent": "true", "username": "wudaiding", "password": "Serve-People-2026"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["pending"], true, "{body}");
    let u = inbox(&app, &unit).await;
    let waiting = mine(&u, "signup_waiting", &["吴待定"]);
    assert_eq!(waiting.len(), 1, "{u:?}");
    assert_eq!(waiting[0].3, format!("/teams/{team}"));
}
