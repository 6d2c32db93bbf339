//! Request ids: every answer names its request in `X-Request-Id`, to find it in the log.

use reqwest::header::HeaderValue;
use reqwest::{Response, StatusCode};

use crate::helpers::{fresh_database, spawn_on};

fn id_of(res: &Response) -> String {
    res.headers()
        .get("x-request-id")
        .unwrap_or_else(|| panic!("X-Request-Id on {}", res.url()))
        .to_str()
        .unwrap()
        .to_string()
}

fn plain(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[tokio::test]
async fn every_answer_carries_its_own_request_id_and_a_plain_incoming_one_is_kept() {
    let db = fresh_database().await;
    let app = spawn_on(&db).await;
    let get = |path: &str| app.http.get(app.url(path)).send();

    // Answers, pages, API refusals and unknown routes all carry one; each request its own.
    let mut ids = std::collections::BTreeSet::new();
    for (path, status) in [
        ("/healthz", StatusCode::OK),
        ("/healthz", StatusCode::OK),
        ("/login", StatusCode::OK),
        ("/api/v1/units", StatusCode::UNAUTHORIZED),
        ("/no-such-page?token=secret", StatusCode::NOT_FOUND),
    ] {
        let res = get(path).await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let id = id_of(&res);
        assert!(plain(&id), "{id:?}");
        assert!(ids.insert(id), "a new id for each request");
    }

    // A caller's (or proxy's) plain id is kept, on success and on refusal.
    for (path, id) in [
        ("/healthz", "trace-42.abc_DEF"),
        ("/api/v1/units", "0f8fad5b-d9cb-469f-a165-70867728950e"),
    ] {
        let res = app
            .http
            .get(app.url(path))
            .header("x-request-id", id)
            .send()
            .await
            .unwrap();
        assert_eq!(id_of(&res), id);
    }

    // Anything else is replaced by a new id: too long, spaces, markup, quotes, non-ASCII, empty.
    let long = "a".repeat(65);
    let bad: [&[u8]; 6] = [
        long.as_bytes(),
        b"has space",
        b"<script>alert(1)</script>",
        b"ab\"cd",
        "标识".as_bytes(),
        b"",
    ];
    for id in bad {
        let res = app
            .http
            .get(app.url("/healthz"))
            .header("x-request-id", HeaderValue::from_bytes(id).unwrap())
            .send()
            .await
            .unwrap();
        let got = id_of(&res);
        assert_ne!(got.as_bytes(), id);
        assert!(plain(&got), "{got:?}");
        assert!(ids.insert(got));
    }
}
