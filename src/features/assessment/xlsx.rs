//! The ranking as a workbook: one row per score, a column per indicator's points.

use super::score::{Ranking, Score};
use crate::excel::forms::{write_list, Column};
use crate::excel::Kind;
use crate::i18n::{t, Lang};

/// The title over the table (also the audit entry's label and the file's name).
pub fn title(r: &Ranking, lang: Lang) -> String {
    format!("{} {}", r.campaign_year, t(lang, "assessment.title"))
}

fn columns(r: &Ranking, lang: Lang) -> Vec<Column<'static, Score>> {
    let mut cols = vec![
        Column::new(t(lang, "assessment.kind"), 8.0, Kind::Text, move |_, s: &Score| {
            t(lang, &format!("assessment.kind.{}", s.kind.as_str()))
        }),
        Column::new(t(lang, "assessment.category"), 18.0, Kind::Text, move |_, s: &Score| {
            category(lang, s)
        }),
        Column::new(t(lang, "assessment.rank"), 8.0, Kind::Text, |_, s: &Score| {
            format!("{}/{}", s.rank, s.rank_of)
        }),
        Column::new(t(lang, "field.name"), 28.0, Kind::Text, |_, s: &Score| s.name.clone()),
        Column::new(t(lang, "field.street"), 14.0, Kind::Text, |_, s: &Score| {
            s.street.clone()
        }),
    ];
    for (i, item) in r.scheme.iter().enumerate() {
        let header = t(lang, &format!("assessment.ind.{}", item.indicator));
        cols.push(Column::new(header, 10.0, Kind::Text, move |_, s: &Score| {
            s.lines.get(i).map(|l| l.points.to_string()).unwrap_or_default()
        }));
    }
    cols.push(Column::new(
        t(lang, "assessment.adjustments"),
        10.0,
        Kind::Text,
        |_, s: &Score| s.adjustments.to_string(),
    ));
    cols.push(Column::new(
        t(lang, "assessment.total"),
        10.0,
        Kind::Text,
        |_, s: &Score| s.total.to_string(),
    ));
    cols
}

/// A score's category as shown (a team's: the kind of organisation it belongs to).
pub fn category(lang: Lang, s: &Score) -> String {
    if let Some(k) = s.category.strip_prefix("team:") {
        return t(lang, &format!("assessment.team_of.{k}"));
    }
    if s.kind != crate::domain::assessment::SubjectKind::Unit {
        return s.category.clone();
    }
    // A unit's: its level (stored as a code) and its kind.
    match s.category.split_once(" · ") {
        Some((level, kind)) => format!("{} · {kind}", level_label(lang, level)),
        None => level_label(lang, &s.category),
    }
}

/// The ranking as the caller sees it.
pub fn write(r: &Ranking, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let mut heading = title(r, lang);
    let when = if r.frozen {
        "assessment.frozen_on"
    } else {
        "assessment.computed_on"
    };
    heading.push_str(&format!(" ({})", t(lang, when).replace("{at}", &r.computed_on)));
    write_list(
        &t(lang, "assessment.title"),
        &heading,
        &columns(r, lang),
        &[],
        &r.scores,
    )
}

/// A unit level's name in `lang` (the code itself if it is not one).
fn level_label(lang: Lang, code: &str) -> String {
    crate::domain::org::UnitLevel::parse(code)
        .map_or_else(|| code.to_string(), |l| crate::web::labels::unit_level(lang, l))
}
