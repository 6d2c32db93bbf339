//! The year-end tells people what happened: a nomination approved or rejected reaches the
//! nominating unit's or street's staff; an answered objection reaches the district and the
//! nominating organisation, and the objector by e-mail when they left an address; the finalised
//! honour roll reaches each commended team's staff and each commended volunteer's account.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use leifeng::db::notifications::last_body_to;
use leifeng::domain::notification::NoticeKind;

/// (kind, body, link) of `token`'s inbox.
async fn inbox(app: &TestApp, token: &str) -> Vec<(String, String, String)> {
    let v = app.get_json(token, "/api/v1/me/notifications?per_page=100").await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or("").to_string();
            (s("kind"), s("body"), s("link"))
        })
        .collect()
}

fn has(items: &[(String, String, String)], kind: &str, link: &str) -> bool {
    items.iter().any(|i| i.0 == kind && i.2 == link)
}

/// The inbox rows of `kind` queued for the account `user_id`.
async fn inbox_rows(app: &TestApp, kind: &str, user_id: i64) -> i64 {
    leifeng::on_db!(&app.db, pool => sqlx::query_scalar(
        "select count(*) from outbox where kind = $1 and user_id = $2 and channel = 'inbox'")
        .bind(kind).bind(user_id).fetch_one(pool).await.unwrap())
}

async fn category(app: &TestApp, token: &str, kind: &str) -> i64 {
    let o = app.get_json(token, "/api/v1/commendations").await;
    o["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// The eligible candidates of a category for `token`, as ids.
async fn eligible(app: &TestApp, token: &str, category: i64) -> Vec<i64> {
    app.get_json(
        token,
        &format!("/api/v1/commendations/candidates?category_id={category}&per_page=500"),
    )
    .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["eligible"] == true)
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn nominate(app: &TestApp, token: &str, category: i64, nominee: i64) -> i64 {
    let res = app
        .post(
            token,
            "/api/v1/commendations/nominations",
            json!({"category_id": category, "nominee_id": nominee, "deed": "常年坚持参加社区志愿服务。"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn object(app: &TestApp, ip: &str, nomination: i64, contact: &str) {
    let res = app
        .http
        .post(app.url("/api/v1/notice/objections"))
        .header("x-forwarded-for", ip)
        .json(&json!({"nomination_id": nomination, "name": "赵六", "contact": contact, "text": "请核实。"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn nominations_objections_and_the_honour_roll_reach_the_right_people() {
    let app = spawn_app().await;
    for s in [
        "delete from honour_certificates",
        "delete from objections",
        "delete from commendation_notices",
        "delete from nominations",
        // The demo's own commendation told people too; its messages may carry the ids reused here.
        "delete from outbox",
    ] {
        app.sql(s).await;
    }
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let street = app.token("donghu").await;
    let community = app.token("chunxiao").await;
    let (teams, volunteers, communities) = (
        category(&app, &admin, "team").await,
        category(&app, &admin, "volunteer").await,
        category(&app, &admin, "community").await,
    );
    // Room for every nomination below, and no bar from the demo's open inspection findings.
    for c in [teams, volunteers, communities] {
        let res = app
            .put(
                &admin,
                &format!("/api/v1/commendations/categories/{c}"),
                json!({"quota_per_nominator": 5, "quota": 5, "min_hours": 0, "no_open_findings": false}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    // The unit nominates one of its teams and two volunteers; the street one of its communities.
    let team = eligible(&app, &unit, teams).await[0];
    let team_n = nominate(&app, &unit, teams, team).await;
    let people = eligible(&app, &unit, volunteers).await;
    assert!(people.len() >= 2, "{people:?}");
    // A volunteer with an account, so the honour reaches someone (the demo links some).
    let mut with_account = None;
    for v in &people {
        let u: Option<i64> = leifeng::on_db!(&app.db, pool => sqlx::query_scalar(
            "select user_id from volunteers where id = $1").bind(*v).fetch_one(pool).await.unwrap());
        if let Some(u) = u {
            with_account = Some((*v, u));
            break;
        }
    }
    let (honoured, honoured_user) = match with_account {
        Some(x) => x,
        None => {
            // None linked: link the demo volunteer's account to the first one.
            let v = people[0];
            app.sql("update volunteers set user_id = null where user_id = (select id from users where username = 'volunteer')").await;
            app.sql(&format!(
                "update volunteers set user_id = (select id from users where username = 'volunteer') where id = {v}"
            ))
            .await;
            let u: i64 = leifeng::on_db!(&app.db, pool => sqlx::query_scalar(
                "select id from users where username = 'volunteer'").fetch_one(pool).await.unwrap());
            (v, u)
        }
    };
    let refused = *people.iter().find(|v| **v != honoured).unwrap();
    let honoured_n = nominate(&app, &unit, volunteers, honoured).await;
    let refused_n = nominate(&app, &unit, volunteers, refused).await;
    let places = eligible(&app, &street, communities).await;
    let place_n = nominate(&app, &street, communities, places[0]).await;

    // Decided: the nominating unit's and street's staff are told, each of their own only.
    let review = |id: i64, body: Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let res = app
                .post(&admin, &format!("/api/v1/commendations/nominations/{id}/review"), body)
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        }
    };
    for id in [team_n, honoured_n, place_n] {
        review(id, json!({"decision": "approve"})).await;
    }
    review(refused_n, json!({"decision": "reject", "reason": "服务时长材料不全"})).await;
    let link = |id: i64| format!("/commendations/nominations/{id}");
    let u = inbox(&app, &unit).await;
    assert!(has(&u, "nomination_approved", &link(team_n)), "{u:?}");
    assert!(has(&u, "nomination_approved", &link(honoured_n)));
    assert!(u
        .iter()
        .any(|i| i.0 == "nomination_rejected" && i.2 == link(refused_n) && i.1.contains("服务时长材料不全")));
    assert!(!has(&u, "nomination_approved", &link(place_n)), "not the unit's");
    let s = inbox(&app, &street).await;
    assert!(has(&s, "nomination_approved", &link(place_n)), "{s:?}");
    assert!(!has(&s, "nomination_approved", &link(team_n)), "not the street's");

    // Objections, one with an e-mail address and one with a phone, answered by the district.
    let res = app.post(&admin, "/api/v1/commendations/notice", json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    object(&app, "198.51.100.7", team_n, "objector@example.org").await;
    object(&app, "198.51.100.8", place_n, "13812345678").await;
    let objections = app.get_json(&admin, "/api/v1/commendations/objections").await["items"].clone();
    for o in objections.as_array().unwrap() {
        let res = app
            .post(
                &admin,
                &format!("/api/v1/commendations/objections/{}/answer", o["id"]),
                json!({"outcome": "dismissed", "answer": "经核实，事迹属实。"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let d = inbox(&app, &admin).await;
    assert!(has(&d, "objection_answered", &link(team_n)), "{d:?}");
    assert!(has(&d, "objection_answered", &link(place_n)));
    let u = inbox(&app, &unit).await;
    assert!(has(&u, "objection_answered", &link(team_n)));
    assert!(!has(&u, "objection_answered", &link(place_n)), "not the unit's");
    assert!(has(&inbox(&app, &street).await, "objection_answered", &link(place_n)));
    // The objector who left an e-mail address is answered by e-mail; a phone gets nothing.
    let mail = last_body_to(&app.db, "objector@example.org", NoticeKind::ObjectionReply)
        .await
        .unwrap()
        .expect("the objector is e-mailed");
    assert!(
        mail.contains("经核实，事迹属实。") && mail.contains("不予采纳"),
        "{mail}"
    );
    assert!(last_body_to(&app.db, "13812345678", NoticeKind::ObjectionReply)
        .await
        .unwrap()
        .is_none());

    // Finalised: the commended team's staff, the community's staff and the volunteer are told.
    app.sql("update commendation_notices set published_on = '2000-01-03', ends_on = '2000-01-07'")
        .await;
    let res = app.post(&admin, "/api/v1/commendations/finalise", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["commended"], 3);
    let certs: Vec<String> = done["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("/honours/certificates/{}", c.as_str().unwrap()))
        .collect();
    let honour_links = |items: &[(String, String, String)]| -> Vec<String> {
        items
            .iter()
            .filter(|i| i.0 == "honour_conferred")
            .map(|i| i.2.clone())
            .collect()
    };
    let u = honour_links(&inbox(&app, &unit).await);
    assert_eq!(u.len(), 1, "the unit's staff hear of their team: {u:?}");
    assert!(certs.contains(&u[0]));
    assert_eq!(inbox_rows(&app, "honour_conferred", honoured_user).await, 1);
    let placed = honour_links(&inbox(&app, &community).await);
    let chunxiao_commended = places[0]
        == leifeng::on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
            "select community_id from users where username = 'chunxiao'").fetch_one(pool).await.unwrap());
    assert_eq!(placed.len(), usize::from(chunxiao_commended), "{placed:?}");
    // The rejected volunteer hears nothing of an honour; the street's staff neither.
    assert!(honour_links(&inbox(&app, &street).await).is_empty());
}
