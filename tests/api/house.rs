//! The shape of the code (issue 9), read from the source like a newcomer would: SQL only in
//! `db/`, no layer importing the layers above it, no service function taking the request
//! context, and no file grown past what a reader can hold.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    rust_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The code of a file without its unit tests (tests may build what they check by hand).
fn without_tests(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

#[test]
fn all_sql_lives_in_db() {
    // The demo's own needs (back-dating, the bulk loader) live in `db/demo.rs` like the rest.
    let mut found = vec![];
    for (path, text) in src() {
        if path.starts_with("src/db/") {
            continue;
        }
        for needle in ["sqlx::query", "query_as", "query_scalar", "on_db!", "on_tx!"] {
            if without_tests(&text).contains(needle) {
                found.push(format!("{path}: {needle}"));
            }
        }
    }
    assert!(found.is_empty(), "SQL outside src/db/: {found:#?}");
}

#[test]
fn lower_layers_do_not_import_upper_ones() {
    // (layer, what it must not import)
    let rules: &[(&str, &[&str])] = &[
        (
            "src/domain/",
            &[
                "crate::db",
                "crate::auth",
                "crate::web",
                "crate::features",
                "crate::state",
                "crate::app",
                "crate::excel",
            ],
        ),
        (
            "src/db/",
            &[
                "crate::auth",
                "crate::web",
                "crate::features",
                "crate::state",
                "crate::app",
                "crate::excel",
            ],
        ),
        (
            "src/excel/",
            &["crate::web", "crate::features", "crate::state", "crate::app", "axum"],
        ),
        (
            "src/auth/",
            &["crate::web", "crate::features", "crate::state", "crate::app"],
        ),
        ("src/web/", &["crate::features", "crate::app"]),
        ("src/state.rs", &["crate::features", "crate::app"]),
    ];
    let mut found = vec![];
    for (path, text) in src() {
        for (layer, banned) in rules {
            if path.starts_with(layer) {
                for b in *banned {
                    if without_tests(&text).contains(b) {
                        found.push(format!("{path} imports {b}"));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "imports against the layering: {found:#?}");
}

#[test]
fn service_functions_take_who_acts_not_the_request() {
    let mut found = vec![];
    for (path, text) in src() {
        if path.starts_with("src/features/") && path.ends_with("/service.rs") && text.contains("Ctx") {
            found.push(path);
        }
    }
    assert!(
        found.is_empty(),
        "service files that take the request context: {found:#?}"
    );
}

#[test]
fn no_file_is_too_long_to_read() {
    const LIMIT: usize = 800;
    let mut found = vec![];
    for (path, text) in src() {
        let lines = text.lines().count();
        if lines > LIMIT {
            found.push(format!("{path}: {lines} lines"));
        }
    }
    assert!(found.is_empty(), "files over {LIMIT} lines: {found:#?}");
}

/// The name a `ToSchema` type takes in the OpenAPI document: its `#[schema(as = …)]` or its own.
fn schema_names(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut names = vec![];
    for (i, line) in lines.iter().enumerate() {
        if !(line.contains("derive(") && line.contains("ToSchema")) {
            continue;
        }
        let mut alias = None;
        for l in lines.iter().skip(i).take(12) {
            if let Some(rest) = l.split("schema(as = ").nth(1) {
                alias = rest.split(')').next().map(|s| s.trim().to_string());
            }
            let decl = l
                .trim_start()
                .strip_prefix("pub struct ")
                .or(l.trim_start().strip_prefix("pub enum "));
            if let Some(decl) = decl {
                let own: String = decl.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                names.push(alias.unwrap_or(own));
                break;
            }
        }
    }
    names
}

/// Two types under one schema name make the OpenAPI document describe one with the other's
/// fields (utoipa keeps the last): every request or answer must have a name of its own.
#[test]
fn every_schema_has_a_name_of_its_own() {
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut found = vec![];
    for (path, text) in src() {
        for name in schema_names(&text) {
            if let Some(first) = seen.insert(name.clone(), path.clone()) {
                found.push(format!("{name}: {first} and {path}"));
            }
        }
    }
    assert!(found.is_empty(), "schema names used twice: {found:#?}");
}
