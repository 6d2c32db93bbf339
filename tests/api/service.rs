//! Service: activities and their workflow, sign-up with capacity and a waiting list under
//! concurrency, sign-in and sign-out (codes, geofence, idempotence, walk-ins, two servers), hours
//! and corrections, the service record and certificates, dispatched actions, monthly compliance.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{csrf_of, error_fields, spawn_app, spawn_on, TestApp, PASSWORD};
use leifeng::domain::service::format_local;

fn now() -> i64 {
    leifeng::db::now()
}

/// `YYYY-MM-DD HH:MM` (China time) `secs` from now.
fn when(secs: i64) -> String {
    format_local(now() + secs)
}

/// The demo unit 明湖区税务局's team (its staff account is `shuiwu`).
async fn unit_team(app: &TestApp, token: &str) -> i64 {
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
fn cheap_password_hash() -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};
    let salt = SaltString::from_b64("dGVzdHNhbHR0ZXN0c2FsdA").unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap())
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

fn codes(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| d.iter().map(|e| e["code"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

async fn sign(app: &TestApp, token: &str, id: i64, what: &str, body: Value) -> (StatusCode, Value) {
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

#[tokio::test]
async fn hours_are_confirmed_corrected_with_history_and_certified() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let volunteer = app.token("volunteer").await;
    let me = app.get_json(&volunteer, "/api/v1/me/volunteer").await;
    let v = me["id"].as_i64().unwrap();
    let others = volunteers(&app, 2, Some(team), "h").await;
    // Recorded after the fact: from four hours ago to one hour ago.
    let past = app.activity(&unit, team, -4 * 3600, -3600, json!({}), false).await;
    let a = app.get_json(&unit, &format!("/api/v1/activities/{past}")).await;
    let (start, end) = (a["starts_at"].as_i64().unwrap(), a["ends_at"].as_i64().unwrap());
    for who in [v, others[0].0, others[1].0] {
        let res = app
            .post(
                &unit,
                &format!("/api/v1/activities/{past}/signups"),
                json!({"volunteer_id": who}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // The volunteer may no longer scan: it is over.
    let (_, body) = sign(&app, &volunteer, past, "sign-in", json!({})).await;
    assert_eq!(codes(&body), vec!["err.signin_closed"]);
    // The leader signs two in at the start; one out 30 minutes early; the other stays signed in.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/attendance"),
            json!({"volunteer_ids": [v, others[0].0], "action": "sign_in", "at": format_local(start)}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["changed"], 2);
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/attendance"),
            json!({"volunteer_ids": [v], "action": "sign_out", "at": format_local(end - 1800)}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["changed"], 1);
    let res = app
        .post(&unit, &format!("/api/v1/activities/{past}/hours/confirm"), json!({}))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (
            body["confirmed"].as_i64(),
            body["no_shows"].as_i64(),
            body["auto_signed_out"].as_i64()
        ),
        (Some(2), Some(1), Some(1)),
        "{body}"
    );
    assert_eq!(body["late"], false);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{past}/signups")).await;
    let by: HashMap<i64, &Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["volunteer_id"].as_i64().unwrap(), p))
        .collect();
    assert_eq!(by[&v]["minutes"], 150);
    assert_eq!(by[&others[0].0]["auto_signed_out"], true);
    assert_eq!(by[&others[0].0]["minutes"], 180);
    assert_eq!(by[&others[1].0]["signup"], "no_show");
    assert_eq!(
        app.get_json(&unit, &format!("/api/v1/activities/{past}")).await["status"],
        "completed"
    );

    // Corrections: a reason is required, hours cannot exceed the span, the old value is kept.
    let path = format!("/api/v1/activities/{past}/attendance/{v}");
    let res = app.put(&unit, &path, json!({"hours": "2"})).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app.put(&unit, &path, json!({"hours": "3.5", "reason": "x"})).await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.hours_exceed_span"]);
    let res = app
        .put(
            &unit,
            &path,
            json!({"signed_out_at": format_local(end), "reason": "签退时扫码失败，现场名单为证"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["minutes"], 180);
    let history = app
        .get_json(&unit, &format!("/api/v1/activities/{past}/corrections"))
        .await;
    let minutes = history
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "minutes")
        .unwrap();
    assert_eq!(
        (minutes["old_value"].as_str(), minutes["new_value"].as_str()),
        (Some("150"), Some("180"))
    );
    assert_eq!(minutes["reason"], "签退时扫码失败，现场名单为证");

    // The volunteer's record shows it; a certificate states it and verifies.
    let record = app.get_json(&volunteer, "/api/v1/me/service").await;
    let line = record["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["activity_id"] == past)
        .unwrap();
    assert_eq!(line["minutes"], 180);
    assert_eq!(line["organiser"], "明湖区税务局");
    let total = record["total_minutes"].as_i64().unwrap();
    let res = app
        .post(&volunteer, &format!("/api/v1/volunteers/{v}/certificates"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cert: Value = res.json().await.unwrap();
    assert_eq!(cert["statement"]["minutes"], total);
    let number = cert["number"].as_str().unwrap().to_string();
    // One's own record (one statement on PostgreSQL) says what the district sees of it.
    let own = app.get_json(&volunteer, "/api/v1/me/service").await;
    let admin = app.token("admin").await;
    let seen = app.get_json(&admin, &format!("/api/v1/volunteers/{v}/service")).await;
    assert_eq!(own["certificates"][0]["number"], number.as_str(), "{own}");
    for k in [
        "lines",
        "years",
        "total_minutes",
        "stars",
        "next_star_hours",
        "certificates",
        "honours",
    ] {
        assert_eq!(own[k], seen[k], "{k}");
    }
    for k in ["id", "volunteer_no", "teams", "trainings", "consent_at"] {
        assert_eq!(own["volunteer"][k], seen["volunteer"][k], "{k}");
    }
    assert_eq!(
        (
            own["volunteer"]["unmasked"].as_bool(),
            own["volunteer"]["may_reveal"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let path = cert["verify_path"].as_str().unwrap().to_string();
    let check = path.split("s=").nth(1).unwrap().to_string();
    let ok: Value = app
        .http
        .get(app.url(&format!("/api/v1/certificates/{number}/verify?s={check}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["name"], "王*明");
    let page = app.http.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("王*明"));
    // Edited numbers or check codes, and edited statements, do not verify.
    let mut forged = number.clone();
    forged.replace_range(5..6, if &number[5..6] == "A" { "B" } else { "A" });
    for url in [
        format!("/api/v1/certificates/{forged}/verify"),
        format!("/api/v1/certificates/{number}/verify?s=0000000000000000"),
    ] {
        let body: Value = app.http.get(app.url(&url)).send().await.unwrap().json().await.unwrap();
        assert_eq!(body["valid"], false, "{url}");
    }
    let res = app
        .http
        .get(app.url(&format!("/verify/{forged}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let mut tx = app.db.begin().await.unwrap();
    leifeng::on_tx!(&mut tx, c => sqlx::query("update certificates set statement = replace(statement, '王小明', '王大明') where number = $1")
        .bind(&number).execute(&mut *c).await.map(|r| r.rows_affected()).unwrap());
    tx.commit().await.unwrap();
    let body: Value = app
        .http
        .get(app.url(&format!("/api/v1/certificates/{number}/verify")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["valid"], false);
    // Nobody else issues the volunteer's certificates.
    let res = app
        .post(&others[1].1, &format!("/api/v1/volunteers/{v}/certificates"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A summary and photos, checked by content.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/summary"),
            json!({"summary": "清理楼道 12 处", "people_served": 80}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let form = reqwest::multipart::Form::new().text("alt", "志愿者在清扫楼道").part(
        "file",
        reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("x.jpg"),
    );
    let res = app
        .http
        .post(app.url(&format!("/api/v1/activities/{past}/photos")))
        .bearer_auth(&unit)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.not_an_image"]);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82".to_vec();
    // Without a text alternative the photo is refused, naming the field.
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(png.clone()).file_name("a.png"));
    let res = app
        .http
        .post(app.url(&format!("/api/v1/activities/{past}/photos")))
        .bearer_auth(&unit)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(png).file_name("a.png"))
        .text("alt", "志愿者清理楼道杂物");
    let res = app
        .http
        .post(app.url(&format!("/api/v1/activities/{past}/photos")))
        .bearer_auth(&unit)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let url = res.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_string();
    let img = app.http.get(app.url(&url)).send().await.unwrap();
    assert_eq!(img.headers()["content-type"], "image/png");

    // The district's rules: validated, and they change how hours are counted.
    let admin = app.token("admin").await;
    let mut rules = app.get_json(&admin, "/api/v1/service-rules").await;
    assert_eq!(rules["stars"], json!([100, 300, 600, 1000, 1500]));
    rules["stars"] = json!([300, 100, 600, 1000, 1500]);
    let res = app.put(&admin, "/api/v1/service-rules", rules.clone()).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["stars"]);
    let res = app.put(&unit, "/api/v1/service-rules", rules).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_walk_in_signs_in_and_out_from_the_poster_page() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let live = app.activity(&unit, team, -600, 7200, json!({}), false).await;
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
    assert!(page.contains("name=\"consent\""));
    let csrf = csrf_of(&page);
    // Without the poster's code (a guessed address): refused.
    let res = phone
        .post(app.url(&format!("/s/{live}/in")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "路过的李四"),
            ("phone", "13912345678"),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Without consent: refused, nothing recorded.
    let res = phone
        .post(app.url(&format!("/s/{live}/in")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("name", "路过的李四"),
            ("phone", "13912345678"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("同意"));
    let res = phone
        .post(app.url(&format!("/s/{live}/in")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("name", "路过的李四"),
            ("phone", "139-1234-5678"),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = phone
        .get(app.url(&format!("/s/{live}?c={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("已签到"), "{page}");
    let res = phone
        .post(app.url(&format!("/s/{live}/out")))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{live}/signups")).await;
    let walkin = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "路过的李四")
        .unwrap();
    assert_eq!(walkin["method"], "walk_in");
    assert!(walkin["signed_out_at"].is_i64());
    // A photo of the code from another activity does not open this one's page for signing.
    let other = app.activity(&unit, team, -600, 7200, json!({}), false).await;
    let page = phone
        .get(app.url(&format!("/s/{other}?c={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("签到码已过期或不正确"));
    assert!(!page.contains("name=\"consent\""));
}

#[tokio::test]
async fn two_servers_on_one_database_share_places_and_sign_ins() {
    let a = spawn_app().await;
    let b = spawn_on(&a.db_url).await;
    let unit = a.token("shuiwu").await;
    let team = unit_team(&a, &unit).await;
    let id = a
        .activity(&unit, team, 86400, 90000, json!({"capacity": 3}), false)
        .await;
    let people = volunteers(&a, 30, None, "d").await;
    let mut tasks = vec![];
    for (i, (_, tok)) in people.iter().enumerate() {
        let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
        let (http, tok) = (a.http.clone(), tok.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{base}/api/v1/activities/{id}/signups"))
                .bearer_auth(tok)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()["outcome"] == "confirmed"
        }));
    }
    let mut confirmed = 0;
    for t in tasks {
        confirmed += t.await.unwrap() as usize;
    }
    assert_eq!(confirmed, 3);
    let live = a.activity(&unit, team, -600, 7200, json!({}), false).await;
    let code = a.get_json(&unit, &format!("/api/v1/activities/{live}/code")).await["code"].clone();
    let (st, first) = sign(&a, &people[0].1, live, "sign-in", json!({ "code": code })).await;
    assert_eq!((st, first["changed"].clone()), (StatusCode::OK, json!(true)));
    let (st, second) = sign(&b, &people[0].1, live, "sign-in", json!({ "code": code })).await;
    assert_eq!((st, second["changed"].clone()), (StatusCode::OK, json!(false)));
}

#[tokio::test]
async fn a_dispatched_action_is_answered_reviewed_and_fulfilled() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let teams = app.get_json(&admin, "/api/v1/teams?per_page=500").await;
    let other = teams["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .find(|t| *t != team)
        .unwrap();
    let members = volunteers(&app, 3, Some(team), "p").await;
    let input = json!({"title": "站前广场文明劝导", "target": "火车站周边", "category": "traffic", "dimension": "order",
        "address": "火车站站前广场", "starts_at": when(2 * 86400), "ends_at": when(2 * 86400 + 7200),
        "teams": [{"team_id": team, "required": 2}, {"team_id": other, "required": 4}]});
    let res = app.post(&unit, "/api/v1/dispatches", input.clone()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(&admin, "/api/v1/dispatches", json!({"title": "x", "teams": []}))
        .await;
    let fields = error_fields(&res.json().await.unwrap());
    assert!(
        fields.contains(&"teams".to_string()) && fields.contains(&"target".to_string()),
        "{fields:?}"
    );
    let res = app.post(&admin, "/api/v1/dispatches", input).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The unit sees only its own line.
    let mine = app.get_json(&unit, &format!("/api/v1/dispatches/{id}")).await;
    assert_eq!(mine["teams"].as_array().unwrap().len(), 1);
    let answer = format!("/api/v1/dispatches/{id}/teams/{team}/answer");
    let res = app
        .post(
            &unit,
            &answer,
            json!({"answer": "accept", "volunteer_ids": [members[0].0]}),
        )
        .await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.head_count_short"]);
    let res = app
        .post(
            &unit,
            &answer,
            json!({"answer": "accept", "volunteer_ids": [members[0].0, members[1].0]}),
        )
        .await;
    let line: Value = res.json().await.unwrap();
    assert_eq!(
        (line["answer"].as_str(), line["named"].as_i64()),
        (Some("accepted"), Some(2))
    );
    let activity_id = line["activity_id"].as_i64().unwrap();
    let act = app.get_json(&unit, &format!("/api/v1/activities/{activity_id}")).await;
    assert_eq!(
        (act["form"].as_str(), act["status"].as_str(), act["taken"].as_i64()),
        (Some("dispatched"), Some("published"), Some(2))
    );
    let res = app
        .post(&unit, &answer, json!({"answer": "decline", "reason": "x"}))
        .await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.dispatch_answered"]);
    // The other team declines; the district rejects the decline; the team must answer again.
    let answer2 = format!("/api/v1/dispatches/{id}/teams/{other}/answer");
    let res = app.post(&admin, &answer2, json!({"answer": "decline"})).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app
        .post(&admin, &answer2, json!({"answer": "decline", "reason": "全员外出培训"}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["answer"], "declined");
    let review = format!("/api/v1/dispatches/{id}/teams/{other}/review");
    let res = app.post(&admin, &review, json!({"decision": "reject"})).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["note"]);
    let res = app
        .post(
            &admin,
            &review,
            json!({"decision": "reject", "note": "培训可调整，请派人"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["review"], "rejected");
    let view = app.get_json(&admin, &format!("/api/v1/dispatches/{id}")).await;
    assert_eq!(
        (
            view["required"].as_i64(),
            view["named"].as_i64(),
            view["present"].as_i64()
        ),
        (Some(6), Some(2), Some(0))
    );
    let html = app
        .get(&admin, &format!("/dispatches/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("培训可调整"));
}

#[tokio::test]
async fn monthly_compliance_is_computed_scoped_and_exported() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let grid = app.get_json(&admin, "/api/v1/compliance").await;
    let rows = grid["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50, "30 units and 20 communities");
    let months = grid["months"].as_array().unwrap().len();
    assert_eq!(months, 9, "activities run from late April to December");
    let statuses: Vec<&str> = rows
        .iter()
        .flat_map(|r| {
            r["months"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["status"].as_str().unwrap())
        })
        .collect();
    assert!(
        statuses.contains(&"met") && statuses.contains(&"missed"),
        "{statuses:?}"
    );
    // Met months are exactly those with an activity held.
    for r in rows {
        for c in r["months"].as_array().unwrap() {
            assert_eq!(c["status"] == "met", c["held"].as_i64().unwrap() > 0, "{c}");
        }
    }
    // The milestone board carries the same facts: months met of months due, hours confirmed late.
    let board = app.get_json(&admin, "/api/v1/board").await;
    for b in board["rows"].as_array().unwrap() {
        let g = rows
            .iter()
            .find(|r| r["kind"] == b["kind"] && r["id"] == b["id"])
            .unwrap();
        let progress = format!("{}/{}", g["met"], g["due"]);
        assert_eq!(
            b["activities"]["progress"].as_str(),
            Some(progress.as_str()),
            "{}",
            b["name"]
        );
        let late: i64 = g["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["hours_late"].as_i64().unwrap() + c["hours_missing"].as_i64().unwrap())
            .sum();
        assert_eq!(
            b["hours"]["status"] == "late" || b["hours"]["status"] == "missing",
            late > 0,
            "{}",
            b["name"]
        );
    }
    let flagged = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["hours"]["status"] == "late")
        .count();
    assert!(flagged > 0, "the demo has hours confirmed late");
    let unit = app.token("shuiwu").await;
    let own = app.get_json(&unit, "/api/v1/compliance").await;
    assert_eq!(own["rows"].as_array().unwrap().len(), 1);
    let id = own["rows"][0]["id"].as_i64().unwrap();
    let one = app.get_json(&unit, &format!("/api/v1/units/{id}/compliance")).await;
    assert_eq!(one["name"], "明湖区税务局");
    assert!(one["roster"].as_i64().unwrap() > 0);
    assert_eq!(
        app.get(&unit, &format!("/api/v1/units/{}/compliance", id + 1))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&app.token("volunteer").await, "/api/v1/compliance")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let xlsx = app.get(&admin, "/compliance.xlsx").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), 53, "title, two header rows and 50 rows");
    let audit = app.get_json(&admin, "/api/v1/audit?action=export").await;
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["object_type"] == "compliance"));
}

#[tokio::test]
async fn whoever_is_still_signed_in_at_the_end_is_signed_out_and_flagged() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let people = volunteers(&app, 1, Some(team), "e").await;
    // Over longer ago than the sign-out grace (two hours by default).
    let past = app.activity(&unit, team, -5 * 3600, -3 * 3600, json!({}), false).await;
    let a = app.get_json(&unit, &format!("/api/v1/activities/{past}")).await;
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/attendance"),
            json!({"volunteer_ids": [people[0].0], "action": "sign_in", "at": format_local(a["starts_at"].as_i64().unwrap())}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The minute job each instance runs; twice at once signs out once.
    let (x, y) = tokio::join!(
        leifeng::features::attendance::close_ended(&app.db),
        leifeng::features::attendance::close_ended(&app.db)
    );
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{past}/signups")).await;
    let line = &list.as_array().unwrap()[0];
    assert_eq!(line["auto_signed_out"], true);
    assert_eq!(line["signed_out_at"], a["ends_at"]);
    assert_eq!(line["minutes"], 120);
    let audit = app
        .get_json(&app.token("admin").await, "/api/v1/audit?per_page=20")
        .await;
    let auto: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "auto_sign_out" && e["object_id"] == past)
        .collect();
    assert_eq!(auto.len(), 1);
    assert_eq!(auto[0]["username"], "(auto-sign-out)");
}

#[tokio::test]
async fn a_sign_up_checks_the_age_limit_and_lists_count_every_page() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    // The test volunteers were born in 1990: too old for this one, of age for the other.
    let young = app
        .activity(&unit, team, 86400, 86400 + 7200, json!({"max_age": 30}), false)
        .await;
    let adult = app
        .activity(
            &unit,
            team,
            3 * 86400,
            3 * 86400 + 7200,
            json!({"min_age": 18, "max_age": 60}),
            false,
        )
        .await;
    let people = volunteers(&app, 1, None, "age").await;
    let (status, body) = sign(&app, &people[0].1, young, "signups", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(codes(&body), vec!["err.signup_age"]);
    let (status, body) = sign(&app, &people[0].1, adult, "signups", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "confirmed");
    assert_eq!((body["taken"].as_i64(), body["capacity"].as_i64()), (Some(1), Some(10)));

    // Every page of a list tells the same total, also one past the end; the viewer's own
    // sign-up comes with the line.
    let first = app.get_json(&people[0].1, "/api/v1/activities?per_page=1").await;
    let total = first["total"].as_i64().unwrap();
    assert!(total >= 2, "{first}");
    let second = app.get_json(&people[0].1, "/api/v1/activities?per_page=1&page=2").await;
    assert_eq!(second["total"].as_i64(), Some(total));
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    let past = app
        .get_json(
            &people[0].1,
            &format!("/api/v1/activities?per_page=1&page={}", total + 1),
        )
        .await;
    assert_eq!(past["total"].as_i64(), Some(total));
    assert!(past["items"].as_array().unwrap().is_empty());
    let all = app.get_json(&people[0].1, "/api/v1/activities?per_page=200").await;
    let mine = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == adult)
        .unwrap();
    assert_eq!(mine["my_signup"], "confirmed");
}
