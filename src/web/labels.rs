//! Names of the fixed lists (service categories, the five goods) in the page's language. The
//! Chinese names in `domain` stay for the official forms and for reading uploads.

use crate::domain::campaign::CATEGORIES;
use crate::domain::service::DIMENSIONS;
use crate::i18n::{t, Lang};

/// A service category by its code (`public_affairs`), or "" for none.
pub fn category(lang: Lang, code: &str) -> String {
    label(lang, "category", code)
}

/// One of the five goods by its code (`environment`), or "" for none.
pub fn dimension(lang: Lang, code: &str) -> String {
    label(lang, "dimension", code)
}

/// The categories as (code, name), in the order of the campaign's notice.
pub fn categories(lang: Lang) -> Vec<(&'static str, String)> {
    CATEGORIES.iter().map(|(c, _, _)| (*c, category(lang, c))).collect()
}

/// The five goods as (code, name).
pub fn dimensions(lang: Lang) -> Vec<(&'static str, String)> {
    DIMENSIONS.iter().map(|(c, _)| (*c, dimension(lang, c))).collect()
}

/// A political status (`cpc_member`); its Chinese name stays the form's value.
pub fn political(lang: Lang, code: &str) -> String {
    label(lang, "politics", code)
}

/// An ID document type (`resident_id`).
pub fn id_type(lang: Lang, code: &str) -> String {
    label(lang, "id_type", code)
}

/// The weekday of a `YYYY-MM-DD` date (星期一, Monday), or "".
pub fn weekday(lang: Lang, day: &str) -> String {
    use chrono::Datelike;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| t(lang, &format!("weekday.{}", d.weekday().num_days_from_monday() + 1)))
        .unwrap_or_default()
}

fn label(lang: Lang, list: &str, code: &str) -> String {
    let key = format!("{list}.{code}");
    let s = t(lang, &key);
    if code.is_empty() || s == key {
        code.to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_and_goal_has_a_name_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            for (code, name) in categories(lang).into_iter().chain(dimensions(lang)) {
                assert_ne!(code, name, "{code} has no name in {lang:?}");
            }
        }
        for s in crate::domain::politics::PoliticalStatus::ALL {
            assert_eq!(political(Lang::Zh, s.code()), s.label());
            assert_ne!(political(Lang::En, s.code()), s.code());
        }
        for (code, name) in crate::domain::volunteer::ID_TYPES {
            assert_eq!(id_type(Lang::Zh, code), name);
            assert_ne!(id_type(Lang::En, code), code);
        }
        assert_eq!(category(Lang::Zh, "traffic"), "文明交通行为劝导服务");
        assert_eq!(weekday(Lang::Zh, "2026-11-30"), "星期一");
        assert_eq!(weekday(Lang::En, "2026-12-06"), "Sunday");
        assert_eq!(dimension(Lang::En, ""), "");
    }
}
