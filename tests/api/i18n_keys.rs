//! Every i18n key the code or a template names exists in both languages.
//!
//! Keys are named as string literals: `t(lang, "nav.home")`, `ctx.t("err.x")`,
//! `FieldError::new("name", "err.required")`, `AppError::BadRequest("err.bad_value")`,
//! `title_key: "teams.title"`, `{{ t("nav.home") }}` in a template. The scan takes every quoted
//! literal shaped like a key (`prefix.word[.word…]`, lower case) whose prefix is one the tables
//! use, in `src/**/*.rs` and `templates/**/*.html`. Keys built at run time (`format!("status.{s}")`)
//! are not seen here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn table(file: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/i18n").join(file);
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, _)| k.trim().to_string())
        .collect()
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// File names and other dotted words that are not keys.
const NOT_KEYS: &[&str] = &[
    "html", "rs", "txt", "xlsx", "xls", "csv", "svg", "png", "js", "css", "json", "db", "sql",
];

/// The quoted literals of `text` shaped like an i18n key with one of `prefixes`.
fn keys_in(text: &str, prefixes: &BTreeSet<&str>) -> Vec<String> {
    let mut out = vec![];
    for quote in ['"', '\''] {
        for (i, piece) in text.split(quote).enumerate() {
            // Odd pieces are between quotes (a rough cut; a key has no quote or backslash).
            if i % 2 == 0 || piece.len() > 80 {
                continue;
            }
            let Some((prefix, rest)) = piece.split_once('.') else {
                continue;
            };
            let word = |w: &str| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            };
            // A literal ending in `_` is the start of a key joined at run time
            // (`'activity.when_' ~ a.when`).
            if prefixes.contains(prefix)
                && rest.split('.').all(word)
                && !rest.ends_with('_')
                && !NOT_KEYS.contains(&rest.rsplit('.').next().unwrap())
            {
                out.push(piece.to_string());
            }
        }
    }
    out
}

#[test]
fn every_key_named_in_code_or_templates_is_in_both_languages() {
    let zh = table("zh-CN.txt");
    let en = table("en.txt");
    let prefixes: BTreeSet<&str> = zh
        .iter()
        .chain(&en)
        .filter_map(|k| k.split_once('.'))
        .map(|(p, _)| p)
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = vec![];
    files(&root.join("src"), "rs", &mut sources);
    files(&root.join("templates"), "html", &mut sources);
    assert!(sources.len() > 50, "the sources were found");
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut seen = 0;
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        for key in keys_in(&text, &prefixes) {
            seen += 1;
            let name = path.strip_prefix(root).unwrap().display().to_string();
            if !zh.contains(&key) {
                missing
                    .entry(format!("{key} (zh-CN)"))
                    .or_default()
                    .insert(name.clone());
            }
            if !en.contains(&key) {
                missing.entry(format!("{key} (en)")).or_default().insert(name);
            }
        }
    }
    assert!(seen > 500, "keys were found in the sources ({seen})");
    assert!(missing.is_empty(), "i18n keys used but missing: {missing:#?}");
}

#[test]
fn the_scan_finds_keys_where_they_are_named() {
    let prefixes: BTreeSet<&str> = ["err", "nav"].into_iter().collect();
    let rust = r#"t(lang, "nav.home"); FieldError::new("name", "err.required"); render("form.html"); "err.{x}"; "errand.x"; "err.when_""#;
    assert_eq!(keys_in(rust, &prefixes), vec!["nav.home", "err.required"]);
    assert_eq!(keys_in("{{ t('nav.teams') }}", &prefixes), vec!["nav.teams"]);
}
