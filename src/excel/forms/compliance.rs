//! The month-by-unit compliance grid as a workbook: one column per month of activities under one
//! header, the year's totals under another.

use super::{write_list, Column};
use crate::db::compliance::{Grid, MonthCell, OrgCompliance};
use crate::domain::compliance::MonthStatus;
use crate::excel::Kind;
use crate::i18n::{t, Lang};

/// The title over the table (also the audit entry's label and the file's name).
pub fn title(g: &Grid, lang: Lang) -> String {
    format!("{} {}", g.campaign_year, t(lang, "compliance.title"))
}

fn cell_text(lang: Lang, c: &MonthCell) -> String {
    match c.status {
        MonthStatus::Future => String::new(),
        MonthStatus::Met => format!("✓ {}", c.held),
        MonthStatus::Open => t(lang, "compliance.open"),
        MonthStatus::Missed => "✗".into(),
    }
}

fn columns(g: &Grid, lang: Lang) -> Vec<Column<'static, OrgCompliance>> {
    let mut cols = vec![
        Column::new(t(lang, "board.no"), 6.0, Kind::Int, |i, _| i.to_string()),
        Column::new(t(lang, "board.kind"), 8.0, Kind::Text, move |_, r: &OrgCompliance| {
            t(lang, &format!("board.kind.{}", r.kind.as_str()))
        }),
        Column::new(t(lang, "field.name"), 28.0, Kind::Text, |_, r: &OrgCompliance| {
            r.name.clone()
        }),
        Column::new(t(lang, "field.street"), 14.0, Kind::Text, |_, r: &OrgCompliance| {
            r.street.clone()
        }),
    ];
    for (i, m) in g.months.iter().enumerate() {
        let month = chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .map(|d| format!("{:02}", chrono::Datelike::month(&d)))
            .unwrap_or_default();
        let header = t(lang, "compliance.month_col").replace("{m}", &month);
        cols.push(Column::new(header, 8.0, Kind::Text, move |_, r: &OrgCompliance| {
            r.months.get(i).map(|c| cell_text(lang, c)).unwrap_or_default()
        }));
    }
    cols.push(Column::new(
        t(lang, "compliance.met_of_due"),
        10.0,
        Kind::Text,
        |_, r: &OrgCompliance| format!("{}/{}", r.met, r.due),
    ));
    cols.push(Column::new(
        t(lang, "compliance.turnout_total"),
        12.0,
        Kind::Int,
        |_, r: &OrgCompliance| r.months.iter().map(|c| c.concentrated_turnout).sum::<i64>().to_string(),
    ));
    cols.push(Column::new(
        t(lang, "compliance.hours_overdue"),
        12.0,
        Kind::Int,
        |_, r: &OrgCompliance| {
            r.months
                .iter()
                .map(|c| c.hours_late + c.hours_missing)
                .sum::<i64>()
                .to_string()
        },
    ));
    cols
}

/// The grid as the caller sees it.
pub fn write(g: &Grid, lang: Lang) -> anyhow::Result<Vec<u8>> {
    // Two header levels: the months under one label, the year's totals under another.
    let (months_label, totals_label) = (t(lang, "compliance.month"), t(lang, "compliance.totals"));
    let first_month = 4u16;
    let first_total = first_month + g.months.len() as u16;
    let mut groups = vec![(totals_label.as_str(), first_total, first_total + 2)];
    if !g.months.is_empty() {
        groups.insert(0, (months_label.as_str(), first_month, first_total - 1));
    }
    write_list(
        &t(lang, "compliance.title"),
        &title(g, lang),
        &columns(g, lang),
        &groups,
        &g.rows,
    )
}
