//! The assessment under requests that run at once: rankings computed afresh side by side are all
//! answered (the later kept), and a double close freezes once and never answers a server error.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn fresh_rankings_at_once_are_all_answered_and_a_double_close_freezes_once() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let mut tasks = vec![];
    for _ in 0..6 {
        let (http, url, token) = (
            app.http.clone(),
            app.url("/api/v1/assessment?fresh=true"),
            admin.clone(),
        );
        tasks.push(tokio::spawn(async move {
            http.get(url).bearer_auth(token).send().await.unwrap().status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }

    let mut tasks = vec![];
    for _ in 0..3 {
        let (http, url, token) = (app.http.clone(), app.url("/api/v1/assessment/close"), admin.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = vec![];
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    let snapshot = app.get_json(&admin, "/api/v1/assessment/snapshot").await;
    assert_eq!(snapshot["frozen"], true);
}
