//! Service: activities and their workflow, sign-up with capacity and a waiting list under
//! concurrency, sign-in and sign-out (codes, geofence, idempotence). Hours, walk-ins, two
//! servers, dispatched actions and monthly compliance are in `service_hours`; the helpers here
//! serve both.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app, TestApp, PASSWORD};
use leifeng::domain::service::format_local;

pub(crate) fn now() -> i64 {
    leifeng::db::now()
}

/// `YYYY-MM-DD HH:MM` (China time) `secs` from now.
pub(crate) fn when(secs: i64) -> String {
    format_local(now() + secs)
}

/// The demo unit 明湖区税务局's team (its staff account is `shuiwu`).
pub(crate) async fn unit_team(app: &TestApp, token: &str) -> i64 {
    let teams = app.get_json(token, "/api/v1/teams").await;
    teams["items"].as_array().unwrap()[0]["id"].as_i64().unwrap()
}

/// Test setup, not under test: `n` volunteers with accounts and API tokens, written with the
/// application's own audited functions and signed in through `auth::sign_in`; on `team` when given.
pub(crate) async fn volunteers(app: &TestApp, n: usize, team: Option<i64>, tag: &str) -> Vec<(i64, String)> {
    use leifeng::auth::SessionKind;
    use leifeng::db::volunteers;
    use leifeng::db::{audit::Actor, users};
    let actor = Actor::system("test");
    let hash = cheap_password_hash();
    let mut accounts = vec![];
    let mut tx = app.db.begin().await.unwrap();
    for i in 0..n {
        let f = leifeng::domain::volunteer::VolunteerFields {
            person: leifeng::domain::volunteer::Person {
                name: format!("测{tag}{i}"),
                birth_date: "1990-01-01".into(),
                phone: format!("135{:08}", i + 1000 * tag.len()),
                ..Default::default()
            },
            ..Default::default()
        };
        let v = volunteers::insert_volunteer(&mut tx, &actor, &f).await.unwrap();
        let account = users::AccountFields {
            username: format!("t{tag}{i}").to_lowercase(),
            display_name: f.name.clone(),
            role: "volunteer".into(),
            street_id: None,
            community_id: None,
            unit_id: None,
            active: true,
        };
        let a = users::create_account(&mut tx, &actor, &account, &hash).await.unwrap();
        volunteers::link_user(&mut tx, &actor, v.id, a.id).await.unwrap();
        if let Some(t) = team {
            volunteers::add_member(&mut tx, &actor, t, v.id, false).await.unwrap();
        }
        accounts.push((v.id, a.username));
    }
    tx.commit().await.unwrap();
    let mut out = vec![];
    for (id, username) in accounts {
        let session = leifeng::auth::sign_in(&app.db, &username, PASSWORD, SessionKind::Api, "test")
            .await
            .unwrap();
        out.push((id, session.token));
    }
    out
}

/// [`PASSWORD`] hashed with Argon2's cheapest parameters (a verification reads them from the
/// hash), so that signing in hundreds of test volunteers costs no time.
pub(crate) fn cheap_password_hash() -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};
    let salt = SaltString::from_b64("dGVzdHNhbHR0ZXN0c2FsdA").unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap())
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

pub(crate) fn codes(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| d.iter().map(|e| e["code"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

pub(crate) async fn sign(app: &TestApp, token: &str, id: i64, what: &str, body: Value) -> (StatusCode, Value) {
    let res = app.post(token, &format!("/api/v1/activities/{id}/{what}"), body).await;
    (res.status(), res.json().await.unwrap())
}

#[tokio::test]
async fn an_activity_is_checked_planned_published_and_cancelled() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;

    let res = app.post(&unit, "/api/v1/activities", json!({})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&res.json().await.unwrap());
    for f in [
        "team_id",
        "title",
        "category",
        "dimension",
        "form",
        "address",
        "starts_at",
        "ends_at",
        "capacity",
    ] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
    let res = app
        .post(
            &unit,
            "/api/v1/activities",
            json!({"team_id": team, "title": "x", "category": "公共事务", "dimension": "environment",
                   "form": "scattered", "address": "x", "starts_at": when(7200), "ends_at": when(3600),
                   "capacity": 0, "risky": true, "geofence_m": 100, "lat": "91"}),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    let fields = error_fields(&body);
    for f in ["ends_at", "capacity", "risk_statement", "geofence_m", "lat"] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
    // A concentrated action falls on the month's concentrated day.
    let res = app
        .post(
            &unit,
            "/api/v1/activities",
            json!({"team_id": team, "title": "x", "category": "traffic", "dimension": "order",
                   "form": "concentrated", "address": "x", "starts_at": when(86400 * 2 + 60),
                   "ends_at": when(86400 * 2 + 3660), "capacity": 5}),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    let days = app.get_json(&unit, "/api/v1/calendar").await;
    let month: i64 = when(86400 * 2 + 60)[5..7].parse().unwrap();
    let day = days["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["month"] == month)
        .map(|d| d["day"].clone());
    if day.as_ref().and_then(|d| d.as_str()) != Some(&when(86400 * 2 + 60)[..10]) && day.is_some() {
        assert_eq!(codes(&body), vec!["err.not_concentrated_day"], "{body}");
    }

    // A risky activity waits for its insurance.
    let id = app
        .activity(
            &unit,
            team,
            2 * 86400,
            2 * 86400 + 7200,
            json!({"risky": true, "risk_statement": "河边作业，有落水风险"}),
            true,
        )
        .await;
    assert_eq!(
        app.http
            .get(app.url(&format!("/api/v1/activities/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{id}/status"),
            json!({"action": "publish"}),
        )
        .await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["insurance"]);
    let mut a = app.get_json(&unit, &format!("/api/v1/activities/{id}")).await;
    assert_eq!(a["status"], "draft");
    a["insurance"] = json!("人保意外险 PA2026-001");
    a["starts_at"] = json!(when(2 * 86400));
    a["ends_at"] = json!(when(2 * 86400 + 7200));
    a["lat"] = json!(null);
    a["lng"] = json!(null);
    let res = app.put(&unit, &format!("/api/v1/activities/{id}"), a).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{id}/status"),
            json!({"action": "publish"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "published");

    // Now the public sees it, in the list and on its page.
    let public: Value = app
        .http
        .get(app.url("/api/v1/activities?per_page=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(public["items"].as_array().unwrap().iter().any(|x| x["id"] == id));
    let html = app
        .http
        .get(app.url(&format!("/activities/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("河边作业"));
    // Others may not change it.
    let community = app.token("chunxiao").await;
    let res = app
        .post(
            &community,
            &format!("/api/v1/activities/{id}/status"),
            json!({"action": "cancel", "reason": "x"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let volunteer = app.token("volunteer").await;
    let res = app
        .post(&volunteer, "/api/v1/activities", json!({"team_id": team}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A draft cancelled before it was ever published stays private.
    let quiet = app
        .activity(&unit, team, 86400 * 5, 86400 * 5 + 3600, json!({}), true)
        .await;
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{quiet}/status"),
            json!({"action": "cancel", "reason": "内部调整"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let anon = app
        .http
        .get(app.url(&format!("/api/v1/activities/{quiet}")))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::NOT_FOUND);
    let all: Value = app
        .http
        .get(app.url("/api/v1/activities?when=all&per_page=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!all["items"].as_array().unwrap().iter().any(|x| x["id"] == quiet));

    // Cancelling needs a reason; then nobody can sign up.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{id}/status"),
            json!({"action": "cancel"}),
        )
        .await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{id}/status"),
            json!({"action": "cancel", "reason": "暴雨"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "cancelled");
    let res = app
        .post(&volunteer, &format!("/api/v1/activities/{id}/signups"), json!({}))
        .await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.signup_not_open"]);
    let audit = app
        .get_json(
            &app.token("admin").await,
            &format!("/api/v1/audit?object_type=activity&object_id={id}"),
        )
        .await;
    assert!(audit["total"].as_i64().unwrap() >= 4, "{audit}");
}

#[tokio::test]
async fn sign_ups_fill_places_then_the_waiting_list_in_order() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let id = app
        .activity(&unit, team, 86400, 86400 + 7200, json!({"capacity": 2}), false)
        .await;
    let people = volunteers(&app, 3, None, "w").await;
    let mut outcomes = vec![];
    for (_, tok) in &people {
        let res = app
            .post(tok, &format!("/api/v1/activities/{id}/signups"), json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        outcomes.push(
            res.json::<Value>().await.unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(outcomes, ["confirmed", "confirmed", "waiting"]);
    // A double submit changes nothing.
    let res = app
        .post(&people[0].1, &format!("/api/v1/activities/{id}/signups"), json!({}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["outcome"], "already_confirmed");
    // The first cancels: the waiting one moves up.
    let res = app
        .delete(
            &people[0].1,
            &format!("/api/v1/activities/{id}/signups/{}", people[0].0),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["promoted_volunteer_id"], people[2].0);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{id}/signups")).await;
    let status: HashMap<i64, String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["volunteer_id"].as_i64().unwrap(),
                p["signup"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(status[&people[0].0], "cancelled");
    assert_eq!(status[&people[2].0], "confirmed");
    assert_eq!(
        app.get_json(&unit, &format!("/api/v1/activities/{id}")).await["taken"],
        2
    );
    // Someone else's sign-up is not theirs to cancel.
    let res = app
        .delete(
            &people[0].1,
            &format!("/api/v1/activities/{id}/signups/{}", people[1].0),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Team only; not yet open; a clash with another sign-up.
    let team_only = app
        .activity(
            &unit,
            team,
            86400 * 3,
            86400 * 3 + 3600,
            json!({"open_to": "team"}),
            false,
        )
        .await;
    let res = app
        .post(
            &people[0].1,
            &format!("/api/v1/activities/{team_only}/signups"),
            json!({}),
        )
        .await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.signup_team_only"]);
    let later = app
        .activity(
            &unit,
            team,
            86400 * 4,
            86400 * 4 + 3600,
            json!({"signup_opens_at": when(86400)}),
            false,
        )
        .await;
    let res = app
        .post(&people[0].1, &format!("/api/v1/activities/{later}/signups"), json!({}))
        .await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.signup_not_yet"]);
    // More places: the waiting list moves up in order.
    let more = app
        .activity(&unit, team, 86400 * 6, 86400 * 6 + 3600, json!({"capacity": 1}), false)
        .await;
    for (_, tok) in &people {
        app.post(tok, &format!("/api/v1/activities/{more}/signups"), json!({}))
            .await;
    }
    let mut a = app.get_json(&unit, &format!("/api/v1/activities/{more}")).await;
    a["capacity"] = json!(2);
    a["starts_at"] = json!(format_local(a["starts_at"].as_i64().unwrap()));
    a["ends_at"] = json!(format_local(a["ends_at"].as_i64().unwrap()));
    let res = app.put(&unit, &format!("/api/v1/activities/{more}"), a).await;
    assert_eq!(res.json::<Value>().await.unwrap()["taken"], 2);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{more}/signups")).await;
    let status: Vec<(i64, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["volunteer_id"].as_i64().unwrap(),
                p["signup"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(status.contains(&(people[1].0, "confirmed".to_string())), "{status:?}");
    assert!(status.contains(&(people[2].0, "waiting".to_string())), "{status:?}");

    let clash = app
        .activity(&unit, team, 86400 + 1800, 86400 + 5400, json!({}), false)
        .await;
    let res = app
        .post(&people[1].1, &format!("/api/v1/activities/{clash}/signups"), json!({}))
        .await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.signup_clash"]);
}

#[tokio::test]
async fn two_hundred_people_pressing_at_once_never_overbook() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let id = app
        .activity(&unit, team, 86400, 86400 + 7200, json!({"capacity": 7}), false)
        .await;
    let people = volunteers(&app, 200, None, "c").await;
    let mut tasks = vec![];
    for (_, tok) in people.clone() {
        let (http, url) = (app.http.clone(), app.url(&format!("/api/v1/activities/{id}/signups")));
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).bearer_auth(tok).json(&json!({})).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_string()
        }));
    }
    let mut count: HashMap<String, usize> = HashMap::new();
    for t in tasks {
        *count.entry(t.await.unwrap()).or_default() += 1;
    }
    assert_eq!(count.get("confirmed"), Some(&7), "{count:?}");
    assert_eq!(count.get("waiting"), Some(&193), "{count:?}");
    // One person pressing again and again at once: nothing more is counted or recorded.
    let admin = app.token("admin").await;
    let trail = format!("/api/v1/audit?object_type=activity&object_id={id}");
    let recorded = app.get_json(&admin, &trail).await["total"].as_i64().unwrap();
    let mut presses = vec![];
    for _ in 0..8 {
        let (http, url, tok) = (
            app.http.clone(),
            app.url(&format!("/api/v1/activities/{id}/signups")),
            people[0].1.clone(),
        );
        presses.push(tokio::spawn(async move {
            let r = http.post(url).bearer_auth(tok).json(&json!({})).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let body = r.json::<Value>().await.unwrap();
            assert_eq!((body["taken"].as_i64(), body["capacity"].as_i64()), (Some(7), Some(7)));
            body["outcome"].as_str().unwrap().to_string()
        }));
    }
    for p in presses {
        assert!(p.await.unwrap().starts_with("already_"));
    }
    let log = app.get_json(&admin, &trail).await;
    assert_eq!(log["total"].as_i64(), Some(recorded));
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "sign_up");
    let changes: Value = serde_json::from_str(entry["changes"].as_str().unwrap()).unwrap();
    assert_eq!(changes["added_by"], "self");
    assert_eq!(changes["status"], "waiting");
    let a = app.get_json(&unit, &format!("/api/v1/activities/{id}")).await;
    assert_eq!(a["taken"], 7);
    // Cancellations at once: each freed place goes to exactly one person from the waiting list.
    let list = app.get_json(&unit, &format!("/api/v1/activities/{id}/signups")).await;
    let confirmed: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["signup"] == "confirmed")
        .map(|p| p["volunteer_id"].as_i64().unwrap())
        .collect();
    let mut tasks = vec![];
    for v in confirmed.iter().take(3) {
        let tok = people.iter().find(|(id, _)| id == v).unwrap().1.clone();
        let (http, url) = (
            app.http.clone(),
            app.url(&format!("/api/v1/activities/{id}/signups/{v}")),
        );
        tasks.push(tokio::spawn(async move {
            http.delete(url).bearer_auth(tok).send().await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let list = app.get_json(&unit, &format!("/api/v1/activities/{id}/signups")).await;
    let n = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["signup"] == "confirmed")
        .count();
    assert_eq!(n, 7);
    assert_eq!(
        app.get_json(&unit, &format!("/api/v1/activities/{id}")).await["taken"],
        7
    );
}

#[tokio::test]
async fn sign_in_is_checked_idempotent_and_refused_clearly() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let people = volunteers(&app, 2, Some(team), "s").await;
    let (v, tok) = people[0].clone();
    let live = app.activity(&unit, team, -1800, 7200, json!({}), false).await;
    // Listed by the leader (sign-up has closed at the start); then the volunteer scans, twice.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{live}/signups"),
            json!({"volunteer_id": v}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["outcome"], "confirmed");
    let (st, first) = sign(&app, &tok, live, "sign-in", json!({})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(first["changed"], true);
    let (_, again) = sign(&app, &tok, live, "sign-in", json!({})).await;
    assert_eq!(again["changed"], false);
    assert_eq!(again["attendance"]["signed_in_at"], first["attendance"]["signed_in_at"]);
    // Twenty scans at once from a second volunteer count once.
    // The second is not on the list: without the poster's code a script may not sign them in;
    // with it (they are there, scanning), the open activity takes them.
    let tok2 = people[1].1.clone();
    let (_, body) = sign(&app, &tok2, live, "sign-in", json!({})).await;
    assert_eq!(codes(&body), vec!["err.signin_not_listed"]);
    let live_code = app.get_json(&unit, &format!("/api/v1/activities/{live}/code")).await["code"].clone();
    let mut tasks = vec![];
    for _ in 0..20 {
        let (http, url, t) = (
            app.http.clone(),
            app.url(&format!("/api/v1/activities/{live}/sign-in")),
            tok2.clone(),
        );
        let body = json!({ "code": live_code });
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).bearer_auth(t).json(&body).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()["changed"] == true
        }));
    }
    let mut changed = 0;
    for t in tasks {
        changed += t.await.unwrap() as usize;
    }
    assert_eq!(changed, 1);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{live}/signups")).await;
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .filter(|p| p["signed_in_at"].is_i64())
            .count(),
        2
    );
    // Sign-out twice: the second changes nothing; minutes follow the rules (30 min of 2.5 h is below 25 %).
    let (_, out) = sign(&app, &tok, live, "sign-out", json!({})).await;
    assert_eq!(out["changed"], true);
    assert_eq!(out["attendance"]["minutes"], 0);
    let (_, out2) = sign(&app, &tok, live, "sign-out", json!({})).await;
    assert_eq!(out2["changed"], false);

    // Before it opens; cancelled; not listed on a team-only activity; stale or forged codes; outside the fence.
    let early = app.activity(&unit, team, 5 * 3600, 7 * 3600, json!({}), false).await;
    let (st, body) = sign(&app, &tok, early, "sign-in", json!({})).await;
    assert_eq!(
        (st, codes(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["err.signin_too_early".to_string()]
        )
    );
    let cancelled = app.activity(&unit, team, -600, 3600, json!({}), false).await;
    app.post(
        &unit,
        &format!("/api/v1/activities/{cancelled}/status"),
        json!({"action": "cancel", "reason": "雨"}),
    )
    .await;
    let (_, body) = sign(&app, &tok, cancelled, "sign-in", json!({})).await;
    assert_eq!(codes(&body), vec!["err.signin_cancelled"]);
    let outsider = volunteers(&app, 1, None, "o").await;
    let closed = app
        .activity(&unit, team, -600, 3600, json!({"open_to": "team"}), false)
        .await;
    let (_, body) = sign(&app, &outsider[0].1, closed, "sign-in", json!({})).await;
    assert_eq!(codes(&body), vec!["err.signin_not_listed"]);
    let (_, body) = sign(&app, &tok, closed, "sign-out", json!({})).await;
    assert_eq!(codes(&body), vec!["err.not_signed_in"]);

    let rotating = app
        .activity(&unit, team, -600, 3600, json!({"code_rotates": true}), false)
        .await;
    let (_, body) = sign(&app, &tok, rotating, "sign-in", json!({})).await;
    assert_eq!(codes(&body), vec!["err.code_missing"]);
    let (_, body) = sign(&app, &tok, rotating, "sign-in", json!({"code": "0123456789"})).await;
    assert_eq!(codes(&body), vec!["err.code_stale"]);
    let code = app
        .get_json(&unit, &format!("/api/v1/activities/{rotating}/code"))
        .await;
    assert_eq!(code["rotates_every"], 30);
    let (st, _) = sign(&app, &tok, rotating, "sign-in", json!({"code": code["code"]})).await;
    assert_eq!(st, StatusCode::OK);
    // A code from another activity is no code for this one.
    let other = app.get_json(&unit, &format!("/api/v1/activities/{live}/code")).await;
    let fixed = app.activity(&unit, team, -600, 3600, json!({}), false).await;
    let (_, body) = sign(&app, &tok, fixed, "sign-in", json!({"code": other["code"]})).await;
    assert_eq!(codes(&body), vec!["err.code_stale"]);

    let fenced = app
        .activity(
            &unit,
            team,
            -600,
            3600,
            json!({"lat": "30.2741", "lng": "120.1551", "geofence_m": 200}),
            false,
        )
        .await;
    let (_, body) = sign(&app, &tok, fenced, "sign-in", json!({})).await;
    assert_eq!(codes(&body), vec!["err.position_needed"]);
    let (_, body) = sign(&app, &tok, fenced, "sign-in", json!({"lat": 30.29, "lng": 120.1551})).await;
    assert_eq!(codes(&body), vec!["err.outside_geofence"]);
    assert!(body["error"]["details"][0]["message"].as_str().unwrap().contains("200"));
    let (_, body) = sign(&app, &tok, fenced, "sign-in", json!({"lat": f64::NAN, "lng": 120.1553})).await;
    assert_eq!(codes(&body), vec!["err.position_needed"]);
    let fenced_code = app.get_json(&unit, &format!("/api/v1/activities/{fenced}/code")).await["code"].clone();
    let (st, _) = sign(
        &app,
        &tok,
        fenced,
        "sign-in",
        json!({"lat": 30.2745, "lng": 120.1553, "code": fenced_code}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    // A malformed body is a clear 400, not a crash.
    let res = app
        .http
        .post(app.url(&format!("/api/v1/activities/{fixed}/sign-in")))
        .bearer_auth(&tok)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // No token: 401.
    let res = app
        .http
        .post(app.url(&format!("/api/v1/activities/{fixed}/sign-in")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
