//! The workbench of each role (`GET /api/v1/me/todo` and the home page): the right items for a
//! scenario, agreement with the board, scope, and a volunteer's sign-ups.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::service::volunteers;
use leifeng::domain::service::format_local;

fn items(todo: &Value) -> Vec<Value> {
    todo["items"].as_array().unwrap().clone()
}

fn of_kind(todo: &Value, kind: &str) -> Vec<Value> {
    items(todo).into_iter().filter(|i| i["kind"] == kind).collect()
}

async fn unit_team(app: &TestApp, token: &str) -> i64 {
    app.get_json(token, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap()
}

const MILESTONES: [&str; 5] = ["formation", "roster", "traffic", "checkin", "plan"];

#[tokio::test]
async fn the_units_todo_agrees_with_the_board_and_lists_what_it_owes() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;

    // The same facts as the board: the overdue milestones of its row are its overdue items.
    let board = app.get_json(&unit, "/api/v1/board").await;
    let row = &board["rows"][0];
    let todo = app.get_json(&unit, "/api/v1/me/todo").await;
    assert_eq!(todo["role"], "unit");
    let overdue_on_board = MILESTONES.iter().filter(|m| row[**m]["status"] == "missing").count();
    let overdue_here = of_kind(&todo, "milestone")
        .iter()
        .filter(|i| i["state"] == "overdue")
        .count();
    assert_eq!(overdue_here, overdue_on_board, "{todo}");
    assert!(overdue_here > 0, "the demo unit is behind: {row}");
    for m in MILESTONES {
        assert_eq!(todo["board_row"][m]["status"], row[m]["status"], "{m}");
    }
    for i in items(&todo) {
        assert!(i["link"].as_str().unwrap().starts_with('/'), "{i}");
        assert!(["overdue", "due", "waiting"].contains(&i["state"].as_str().unwrap()));
    }
    assert!(todo["this_month"]["month"].is_string());

    // A dispatched action to answer, with its date and link.
    let dispatch = json!({"title": "工作台派单", "target": "站前", "category": "traffic", "dimension": "order",
        "address": "火车站站前广场", "starts_at": format_local(leifeng::db::now() + 2 * 86400),
        "ends_at": format_local(leifeng::db::now() + 2 * 86400 + 7200),
        "teams": [{"team_id": team, "required": 1}]});
    let res = app.post(&admin, "/api/v1/dispatches", dispatch).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let did = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // Hours to confirm: an activity that is over, with someone signed in by the leader.
    let members = volunteers(&app, 1, Some(team), "w").await;
    let past = app.activity(&unit, team, -4 * 3600, -3600, json!({}), false).await;
    let a = app.get_json(&unit, &format!("/api/v1/activities/{past}")).await;
    app.post(
        &unit,
        &format!("/api/v1/activities/{past}/signups"),
        json!({"volunteer_id": members[0].0}),
    )
    .await;
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/attendance"),
            json!({"volunteer_ids": [members[0].0], "action": "sign_in", "at": format_local(a["starts_at"].as_i64().unwrap())}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A roster returned with its reason.
    let returned = app.new_team(&unit, "退回测试队").await;
    app.add_member(
        &unit,
        returned,
        json!({"name": "退回甲", "phone": "13900001111", "id_number": leifeng::demo::resident_id(1990, 5, 17, 42), "consent": "true", "id_consent": "true"}),
    )
    .await;
    let res = app
        .post(&unit, &format!("/api/v1/teams/{returned}/roster/submit"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    // Submitted: waiting for the district, which has it to review.
    let todo = app.get_json(&unit, "/api/v1/me/todo").await;
    assert!(of_kind(&todo, "roster_in_review")
        .iter()
        .any(|i| i["link"] == format!("/teams/{returned}") && i["state"] == "waiting"));
    let district = app.get_json(&admin, "/api/v1/me/todo").await;
    assert_eq!(district["role"], "district");
    assert!(!of_kind(&district, "roster_to_review").is_empty(), "{district}");
    app.post(
        &admin,
        &format!("/api/v1/teams/{returned}/roster/review"),
        json!({"decision": "return", "reason": "请补充职务"}),
    )
    .await;

    let todo = app.get_json(&unit, "/api/v1/me/todo").await;
    let d = of_kind(&todo, "dispatch_to_answer");
    assert!(
        d.iter()
            .any(|i| i["link"] == format!("/dispatches/{did}") && i["due"].is_string()),
        "{todo}"
    );
    let h = of_kind(&todo, "hours_to_confirm");
    let h = h
        .iter()
        .find(|i| i["link"] == format!("/activities/{past}#attendance"))
        .expect("hours item");
    assert_eq!(h["state"], "due", "confirmed within working days of the end");
    let r = of_kind(&todo, "roster_returned");
    assert!(
        r.iter()
            .any(|i| i["detail"] == "请补充职务" && i["link"] == format!("/teams/{returned}")),
        "{todo}"
    );
    // Overdue first, then due by date, then waiting.
    let order: Vec<String> = items(&todo)
        .iter()
        .map(|i| i["state"].as_str().unwrap().to_string())
        .collect();
    let rank = |s: &str| ["overdue", "due", "waiting"].iter().position(|x| *x == s).unwrap();
    assert!(order.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])), "{order:?}");

    // A decline goes to the district's review.
    app.post(
        &unit,
        &format!("/api/v1/dispatches/{did}/teams/{team}/answer"),
        json!({"answer": "decline", "reason": "人手不足，当天另有任务"}),
    )
    .await;
    let district = app.get_json(&admin, "/api/v1/me/todo").await;
    assert!(
        of_kind(&district, "decline_to_review")
            .iter()
            .any(|i| i["link"] == format!("/dispatches/{did}")),
        "{district}"
    );
    let after = app.get_json(&unit, "/api/v1/me/todo").await;
    assert!(
        of_kind(&after, "dispatch_to_answer")
            .iter()
            .all(|i| i["link"] != format!("/dispatches/{did}")),
        "answered: no longer to do"
    );

    // The home page shows the same items with their links.
    let (web, _) = app.web_login("shuiwu").await;
    let html = web.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(a["title"].as_str().unwrap()),
        "home lists the hours to confirm"
    );
    assert!(html.contains("请补充职务"));
    assert!(
        !html.contains("<strong>1</strong><span>文明单位"),
        "no meaningless tiles"
    );
}

#[tokio::test]
async fn a_unit_never_sees_another_units_items() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let own_unit = app.get_json(&unit, "/api/v1/me").await["unit_id"].clone();
    let teams = app.get_json(&admin, "/api/v1/teams?per_page=500").await;
    let other = teams["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["unit_id"].is_i64() && t["unit_id"] != own_unit && t["id"] != team)
        .expect("another unit's team")
        .clone();
    let other_unit = other["unit_id"].as_i64().unwrap();
    app.new_account(&admin, "otherunit", "unit_admin", json!({"unit_id": other_unit}))
        .await;
    let dispatch = json!({"title": "只派税务局", "target": "站前", "category": "traffic", "dimension": "order",
        "address": "火车站站前广场", "starts_at": format_local(leifeng::db::now() + 86400),
        "ends_at": format_local(leifeng::db::now() + 86400 + 3600),
        "teams": [{"team_id": team, "required": 1}]});
    let did = app
        .post(&admin, "/api/v1/dispatches", dispatch)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let mine = app.get_json(&unit, "/api/v1/me/todo").await;
    assert!(!of_kind(&mine, "dispatch_to_answer").is_empty());
    let theirs_token = app.token("otherunit").await;
    let theirs = app.get_json(&theirs_token, "/api/v1/me/todo").await;
    assert_eq!(theirs["role"], "unit");
    assert_eq!(theirs["board_row"]["id"], other_unit);
    let dispatch_link = format!("/dispatches/{did}");
    assert!(
        items(&theirs).iter().all(|i| i["link"] != dispatch_link.as_str()),
        "{theirs}"
    );
    let own_name = mine["board_row"]["name"].as_str().unwrap();
    assert!(!theirs.to_string().contains(own_name), "no trace of the other unit");
    // Its board row agrees with its board too.
    let board = app.get_json(&theirs_token, "/api/v1/board").await;
    for m in MILESTONES {
        assert_eq!(theirs["board_row"][m]["status"], board["rows"][0][m]["status"]);
    }
    // Not signed in: no workbench.
    assert_eq!(
        app.http.get(app.url("/api/v1/me/todo")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_street_district_police_and_community_see_their_own_work() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let street = app.token("donghu").await;
    let community = app.token("chunxiao").await;
    let police = app.token("jiaojing").await;

    // A check-in filed with a community of the street waits for the street to forward it.
    let team = app.new_team(&unit, "报到工作台队").await;
    let chunxiao = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;
    let res = app
        .post(
            &unit,
            "/api/v1/checkins",
            json!({"team_id": team, "community_id": chunxiao}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let todo = app.get_json(&street, "/api/v1/me/todo").await;
    assert_eq!(todo["role"], "street");
    assert!(
        of_kind(&todo, "checkin_to_forward")
            .iter()
            .any(|i| i["text"].as_str().unwrap().contains("报到工作台队") && i["link"] == "/checkins"),
        "{todo}"
    );
    // The unit waits for the street.
    let u = app.get_json(&unit, "/api/v1/me/todo").await;
    assert!(of_kind(&u, "checkin_in_flight").iter().any(|i| i["state"] == "waiting"));
    // Its units' and communities' overdue counts, each linking to the filtered board; they add
    // up to the board's own missing milestones in the street.
    let board = app.get_json(&street, "/api/v1/board").await;
    let on_board: i64 = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| MILESTONES.iter().filter(|m| r[**m]["status"] == "missing").count() as i64)
        .sum();
    let here: i64 = todo["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["overdue"].as_i64().unwrap())
        .sum();
    assert_eq!(here, on_board);
    for o in todo["orgs"].as_array().unwrap() {
        assert!(o["link"].as_str().unwrap().starts_with("/board?"), "{o}");
    }
    // Forwarded: the community has it to confirm.
    app.post(
        &street,
        &format!("/api/v1/checkins/{id}/move"),
        json!({"step": "forward"}),
    )
    .await;
    let c = app.get_json(&community, "/api/v1/me/todo").await;
    assert_eq!(c["role"], "community");
    assert!(!of_kind(&c, "checkin_to_confirm").is_empty(), "{c}");
    assert!(
        of_kind(&app.get_json(&street, "/api/v1/me/todo").await, "checkin_to_forward")
            .iter()
            .all(|i| !i["text"].as_str().unwrap().contains("报到工作台队"))
    );

    // The district: progress per milestone agrees with the board, and the audit trail's exports.
    app.get(&admin, "/api/v1/board/export.xlsx").await;
    let d = app.get_json(&admin, "/api/v1/me/todo").await;
    let board = app.get_json(&admin, "/api/v1/board").await;
    for p in d["progress"].as_array().unwrap() {
        let m = p["milestone"].as_str().unwrap();
        for s in ["done", "late", "missing", "open"] {
            let n = board["rows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r[m]["status"] == s)
                .count() as i64;
            assert_eq!(p[s].as_i64().unwrap(), n, "{m} {s}");
        }
    }
    assert_eq!(d["disclosures"][0]["action"], "export");
    let (web, _) = app.web_login("admin").await;
    let html = web.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<svg class=\"chart\"") && html.contains("<th scope=\"row\">"));

    // The police: the traffic lists submitted.
    let p = app.get_json(&police, "/api/v1/me/todo").await;
    assert_eq!(p["role"], "police");
    assert!(p["traffic_lists"].is_array());
}

#[tokio::test]
async fn a_volunteer_sees_sign_ups_waiting_places_hours_and_a_sign_out_without_hours_says_why() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let people = volunteers(&app, 2, Some(team), "v").await;
    let (first, second) = (&people[0], &people[1]);
    // One place: the first gets it, the second waits as number 1.
    let soon = app
        .activity(&unit, team, 2 * 86400, 2 * 86400 + 7200, json!({"capacity": 1}), false)
        .await;
    for (_, tok) in [first, second] {
        let res = app
            .post(tok, &format!("/api/v1/activities/{soon}/signups"), json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    }
    let todo = app.get_json(&second.1, "/api/v1/me/todo").await;
    assert_eq!(todo["role"], "volunteer");
    let v = &todo["volunteer"];
    let up = v["upcoming"].as_array().unwrap();
    assert_eq!(up[0]["activity_id"], soon);
    assert_eq!(up[0]["signup"], "waiting");
    assert_eq!(up[0]["waiting_position"], 1);
    assert!(of_kind(&todo, "signed_up").iter().any(|i| i["state"] == "waiting"));
    let page = app.get_json(&first.1, "/api/v1/me/signups").await;
    assert!(page["total"].as_i64().unwrap() >= 1 && page["page"] == 1);
    let mine = &page["items"];
    assert_eq!(mine[0]["activity_id"], soon);
    assert_eq!(mine[0]["signup"], "confirmed");
    assert!(mine[0]["waiting_position"].is_null());
    // Open for sign-up from the volunteer's team: listed until signed up.
    let open = app
        .activity(&unit, team, 3 * 86400, 3 * 86400 + 3600, json!({}), false)
        .await;
    let todo = app.get_json(&first.1, "/api/v1/me/todo").await;
    assert!(todo["volunteer"]["open"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == open));
    assert!(todo["volunteer"]["hours_total"].is_number() && todo["volunteer"]["stars"].is_number());

    // Under way now: the workbench offers the sign-in, then the sign-out.
    let live = app.activity(&unit, team, -600, 3 * 3600, json!({}), false).await;
    app.post(
        &unit,
        &format!("/api/v1/activities/{live}/signups"),
        json!({"volunteer_id": first.0}),
    )
    .await;
    let todo = app.get_json(&first.1, "/api/v1/me/todo").await;
    assert_eq!(todo["volunteer"]["now"]["activity_id"], live);
    assert_eq!(todo["volunteer"]["now_action"], "in");
    assert!(of_kind(&todo, "activity_now")
        .iter()
        .any(|i| i["link"] == format!("/activities/{live}")));
    let res = app
        .post(&first.1, &format!("/api/v1/activities/{live}/sign-in"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.json::<Value>().await.unwrap()["hours_note"].is_null());
    let todo = app.get_json(&first.1, "/api/v1/me/todo").await;
    assert_eq!(todo["volunteer"]["now_action"], "out");
    // Signed out at once: below the minimum share, no hours, and the answer says why.
    let res = app
        .post(&first.1, &format!("/api/v1/activities/{live}/sign-out"), json!({}))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["attendance"]["minutes"], 0);
    assert!(body["hours_note"].as_str().unwrap().contains("25%"), "{body}");

    // The page: 我的报名, and the home with its items.
    // The first test volunteer's username is `tv0`.
    let (web, _) = app.web_login("tv0").await;
    let html = web
        .get(app.url("/me/signups"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("/activities/{soon}")));
    // The API without a volunteer record says so.
    assert_eq!(
        app.get(&unit, "/api/v1/me/signups").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn staff_see_no_volunteer_sign_up_box_and_the_scan_page_says_why_no_hours() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let soon = app.activity(&unit, team, 86400, 86400 + 3600, json!({}), false).await;
    let (web, _) = app.web_login("donghu").await;
    let html = web
        .get(app.url(&format!("/activities/{soon}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("你的账号还没有关联志愿者档案"), "no box for staff");
    let (web, _) = app.web_login("volunteer").await;
    let html = web
        .get(app.url(&format!("/activities/{soon}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"signup\""), "a volunteer still has the box");
}
