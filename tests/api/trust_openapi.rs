//! The API contract: the OpenAPI document names every route the router serves, each operation
//! once, with its parameters, its statuses and the one error body; every list answers one shape.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

async fn document(app: &TestApp) -> Value {
    let res = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Each operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((m.to_string(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// Every `.route(`, `.route_service(` or `.nest(` in `src/` whose path is under `/api`: an API
/// route added beside the annotated ones (`routes!`), which the document would not know about.
fn api_routes_outside_the_document(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            api_routes_outside_the_document(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for call in [".route(", ".route_service(", ".nest(", ".nest_service("] {
            for (at, _) in text.match_indices(call) {
                let rest = text[at + call.len()..].trim_start();
                if rest.starts_with("\"/api") {
                    let line = text[..at].lines().count();
                    found.push(format!("{}:{line}", path.display()));
                }
            }
        }
    }
}

#[test]
fn api_routes_are_declared_only_from_their_annotation() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = vec![];
    api_routes_outside_the_document(&src, &mut found);
    assert!(
        found.is_empty(),
        "API routes added with .route() are missing from the OpenAPI document; declare them with \
         #[utoipa::path] and routes!(...): {found:?}"
    );
}

#[tokio::test]
async fn every_documented_operation_is_served_with_exactly_the_documented_methods() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() > 80, "{} paths", paths.len());
    for (path, item) in paths {
        assert!(
            item.get("patch").is_none(),
            "{path}: the probe below relies on no PATCH"
        );
        // A path the router serves answers a method it lacks with 405 and the methods it has;
        // a path it does not serve answers 404.
        let url = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let res = app.http.patch(app.url(&url)).send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{path} is documented but not routed"
        );
        let allow: BTreeSet<String> = res.headers()["allow"]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| m != "head")
            .collect();
        let documented: BTreeSet<String> = METHODS
            .iter()
            .filter(|m| item.get(**m).is_some())
            .map(|m| m.to_string())
            .collect();
        assert_eq!(allow, documented, "{path}: the methods routed and documented differ");
    }
}

#[tokio::test]
async fn each_operation_is_named_once_with_its_parameters_statuses_and_error_body() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    let ops = operations(&doc);
    assert!(ops.len() > 100, "{} operations", ops.len());
    let mut ids = HashSet::new();
    let public: HashSet<&str> = [
        "/api/v1/auth/login",
        "/api/v1/join",
        "/api/v1/certificates/{number}/verify",
        "/api/v1/calendar",
        "/api/v1/openapi.json",
        "/api/v1/auth/password/forgot",
        "/api/v1/auth/password/reset",
        "/api/v1/notice",
        "/api/v1/notice/objections",
        "/api/v1/honours",
        "/api/v1/honours/{year}",
        "/api/v1/needs/ask",
        "/api/v1/public/home",
        "/api/v1/public/activities",
        "/api/v1/public/reports",
        "/api/v1/public/reports/{id}",
        "/api/v1/needs/wall",
        "/api/v1/needs/track/{token}",
        "/api/v1/needs/track/{token}/rate",
    ]
    .into();
    for (method, path, op) in &ops {
        let at = format!("{method} {path}");
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{at}: no operationId"));
        assert!(ids.insert(id.to_string()), "{at}: operationId {id} repeats");

        // Path parameters: exactly the template's names, required.
        let template: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let in_path: BTreeSet<&str> = params
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(in_path, template, "{at}: path parameters");
        assert!(params
            .iter()
            .filter(|p| p["in"] == "path")
            .all(|p| p["required"] == true));

        // Security: the public endpoints say so; the others inherit bearer and may answer 401.
        let is_public = op["security"] == serde_json::json!([{}]);
        assert_eq!(is_public, public.contains(path.as_str()), "{at}: security");
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.keys().any(|s| s.starts_with('2')), "{at}: no success status");
        let mut expected = vec!["400", "403", "404", "422"];
        if !is_public {
            expected.push("401");
        }
        if op.get("requestBody").is_some() {
            expected.extend(["413", "415"]);
        }
        for status in expected {
            assert!(responses.contains_key(status), "{at}: {status} not listed");
        }
        // Every error answer carries the error body (an import's 422 may also be its report).
        for (status, res) in responses.iter().filter(|(s, _)| s.starts_with('4')) {
            let schema = &res["content"]["application/json"]["schema"]["$ref"];
            let ok = schema == "#/components/schemas/ErrorBody"
                || (status == "422" && path.ends_with("/import") && schema == "#/components/schemas/ImportRefused");
            assert!(ok, "{at}: {status} answers {schema}");
        }
    }
    let refused = &doc["components"]["schemas"]["ImportRefused"]["oneOf"];
    assert_eq!(refused.as_array().map(|a| a.len()), Some(2), "ImportRefused: {refused}");
}

#[tokio::test]
async fn every_list_answers_items_total_page_and_per_page() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let admin = app.token("admin").await;
    // A volunteer's own lists are asked as the demo volunteer (an office account has no record).
    let volunteer = app.token("volunteer").await;
    let mut lists = vec![];
    for (method, path, op) in operations(&doc) {
        if method != "get" || path.contains('{') {
            continue;
        }
        let Some(schema) = op["responses"]["200"]["content"]["application/json"].get("schema") else {
            continue;
        };
        let schema = resolve(&doc, schema);
        // A collection of the API never answers a bare array...
        assert_ne!(schema["type"], "array", "{path} answers a bare array");
        // The workbench is one answer whose `items` are the things to do, not a page of a list.
        if schema["properties"].get("items").is_none() || path == "/api/v1/me/todo" {
            continue;
        }
        // ...but a page, documented and answered alike.
        let required: BTreeSet<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            required,
            BTreeSet::from(["items", "total", "page", "per_page"]),
            "{path}: documented shape"
        );
        let has_per_page = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "per_page" && p["in"] == "query"));
        let url = if has_per_page {
            format!("{path}?page=1&per_page=1")
        } else {
            format!("{path}?page=1")
        };
        let caller = if path.starts_with("/api/v1/me/signups") {
            &volunteer
        } else {
            &admin
        };
        let body = app.get_json(caller, &url).await;
        let keys: BTreeSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["items", "total", "page", "per_page"]),
            "{path}: {body}"
        );
        assert_eq!(body["page"], 1, "{path}");
        if has_per_page {
            assert_eq!(body["per_page"], 1, "{path}");
            assert!(body["items"].as_array().unwrap().len() <= 1, "{path}: per_page ignored");
        }
        lists.push(path);
    }
    for path in [
        "/api/v1/teams",
        "/api/v1/checkins",
        "/api/v1/dispatches",
        "/api/v1/trainings",
        "/api/v1/traffic",
        "/api/v1/campaigns",
        "/api/v1/calendar",
        "/api/v1/streets",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/activities",
    ] {
        assert!(
            lists.contains(&path.to_string()),
            "{path} is not a paged list: {lists:?}"
        );
    }
}
