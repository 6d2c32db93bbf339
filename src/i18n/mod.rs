//! User-facing text in zh-CN (the default) and English, looked up by key.
//!
//! The strings live in `zh-CN.txt` and `en.txt` beside this file, one `key = text` per line;
//! `{name}` in a text is filled from the parameters given.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads a stored or requested language code; anything unknown is zh-CN.
    pub fn parse(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The preferred language of an `Accept-Language` header (zh-CN unless English comes first).
    pub fn from_accept_language(header: &str) -> Lang {
        header.split(',').next().map(Lang::parse).unwrap_or_default()
    }
}

type Table = HashMap<&'static str, &'static str>;

fn parse_table(text: &'static str) -> Table {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

static ZH: LazyLock<Table> = LazyLock::new(|| parse_table(include_str!("zh-CN.txt")));
static EN: LazyLock<Table> = LazyLock::new(|| parse_table(include_str!("en.txt")));

/// The text for `key`; falls back to Chinese, then to the key itself so a missing string shows.
pub fn t(lang: Lang, key: &str) -> String {
    let table = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    table
        .get(key)
        .or_else(|| ZH.get(key))
        .map(|s| s.to_string())
        .unwrap_or_else(|| key.to_string())
}

/// The text for `key` with `{name}` placeholders filled.
pub fn tf(lang: Lang, key: &str, params: &[(&str, String)]) -> String {
    let mut s = t(lang, key);
    for (k, v) in params {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let mut missing: Vec<_> = ZH
            .keys()
            .filter(|k| !EN.contains_key(*k))
            .map(|k| format!("en lacks {k}"))
            .collect();
        missing.extend(
            EN.keys()
                .filter(|k| !ZH.contains_key(*k))
                .map(|k| format!("zh-CN lacks {k}")),
        );
        missing.sort();
        assert!(missing.is_empty(), "{missing:#?}");
    }

    #[test]
    fn params_are_filled() {
        assert!(tf(Lang::En, "err.locked", &[("minutes", "15".into())]).contains("15"));
    }

    #[test]
    fn accept_language_prefers_first() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,zh;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }
}
