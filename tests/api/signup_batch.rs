//! Sign-ups written together (group commit on SQLite): each press gets its own answer, a double
//! submit inside one shared transaction is still one sign-up with one audit entry, and the
//! places are never oversubscribed.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::spawn_app;
use crate::service::volunteers;

#[tokio::test]
async fn people_pressing_twice_at_once_are_each_signed_up_once() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let teams = app.get_json(&unit, "/api/v1/teams").await;
    let team = teams["items"][0]["id"].as_i64().unwrap();
    let id = app
        .activity(&unit, team, 86400, 86400 + 7200, json!({"capacity": 5}), false)
        .await;
    let people = volunteers(&app, 30, None, "gc").await;
    let mut tasks = vec![];
    for (vid, tok) in people.iter().cloned() {
        for _ in 0..2 {
            let (http, url, tok) = (
                app.http.clone(),
                app.url(&format!("/api/v1/activities/{id}/signups")),
                tok.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let r = http.post(url).bearer_auth(tok).json(&json!({})).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                let body = r.json::<Value>().await.unwrap();
                assert_eq!(body["volunteer_id"].as_i64(), Some(vid));
                let taken = body["taken"].as_i64().unwrap();
                assert!((0..=5).contains(&taken), "{body}");
                (vid, body["outcome"].as_str().unwrap().to_string())
            }));
        }
    }
    let mut by_person: HashMap<i64, Vec<String>> = HashMap::new();
    for t in tasks {
        let (vid, outcome) = t.await.unwrap();
        by_person.entry(vid).or_default().push(outcome);
    }
    let mut fresh: HashMap<String, usize> = HashMap::new();
    for (vid, outcomes) in by_person {
        // One press signed them up; the other found them on the list, in the same state.
        let (again, first): (Vec<String>, Vec<String>) = outcomes.into_iter().partition(|o| o.starts_with("already_"));
        assert_eq!((first.len(), again.len()), (1, 1), "volunteer {vid}");
        assert_eq!(again[0], format!("already_{}", first[0]), "volunteer {vid}");
        *fresh.entry(first[0].clone()).or_default() += 1;
    }
    assert_eq!(fresh.get("confirmed"), Some(&5), "{fresh:?}");
    assert_eq!(fresh.get("waiting"), Some(&25), "{fresh:?}");
    assert_eq!(
        app.get_json(&unit, &format!("/api/v1/activities/{id}")).await["taken"],
        5
    );
    let admin = app.token("admin").await;
    let log = app
        .get_json(
            &admin,
            &format!("/api/v1/audit?object_type=activity&object_id={id}&per_page=200"),
        )
        .await;
    let sign_ups = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "sign_up")
        .count();
    assert_eq!(sign_ups, 30, "{log}");
}
