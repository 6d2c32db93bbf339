//! The assessment under requests that run at once: rankings computed afresh side by side are all
//! answered (the later kept), and a double close freezes once and never answers a server error.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn fresh_rankings_at_once_are_all_answered_and_a_double_close_freezes_once() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let fresh = vec![(Method::GET, "/api/v1/assessment?fresh=true".into(), json!(null)); 6];
    for status in app.at_once(&admin, fresh).await {
        assert_eq!(status, StatusCode::OK);
    }
    let close = vec![(Method::POST, "/api/v1/assessment/close".into(), json!({})); 3];
    let statuses = app.at_once(&admin, close).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    let snapshot = app.get_json(&admin, "/api/v1/assessment/snapshot").await;
    assert_eq!(snapshot["frozen"], true);
}
