//! Names of the fixed lists (service categories, the five goods) in the page's language. The
//! Chinese names in `domain` stay for the official forms and for reading uploads.

use crate::domain::campaign::Category;
use crate::domain::org::UnitLevel;
use crate::domain::service::Dimension;
use crate::i18n::{t, Lang};

/// A service category's name.
pub fn category(lang: Lang, c: Category) -> String {
    label(lang, "category", c.code())
}

/// One of the five goods' name.
pub fn dimension(lang: Lang, d: Dimension) -> String {
    label(lang, "dimension", d.code())
}

/// A civilized unit's level (市级, city level).
pub fn unit_level(lang: Lang, l: UnitLevel) -> String {
    label(lang, "level", l.code())
}

/// The categories as (code, name), in the order of the campaign's notice.
pub fn categories(lang: Lang) -> Vec<(&'static str, String)> {
    Category::ALL
        .into_iter()
        .map(|c| (c.code(), category(lang, c)))
        .collect()
}

/// The five goods as (code, name).
pub fn dimensions(lang: Lang) -> Vec<(&'static str, String)> {
    Dimension::ALL
        .into_iter()
        .map(|d| (d.code(), dimension(lang, d)))
        .collect()
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
        for c in Category::ALL {
            assert_eq!(category(Lang::Zh, c), c.label());
        }
        for d in Dimension::ALL {
            assert_eq!(dimension(Lang::Zh, d), d.label());
        }
        for l in UnitLevel::ALL {
            assert_ne!(unit_level(Lang::En, l), l.code());
        }
        assert_eq!(weekday(Lang::Zh, "2026-11-30"), "星期一");
        assert_eq!(weekday(Lang::En, "2026-12-06"), "Sunday");
    }
}
