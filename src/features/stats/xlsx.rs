//! A chart's numbers as .xlsx: its table, one row per bar group; the export is logged.

use super::charts::{charts, Chart};
use super::service::{stats, StatsParams};
use crate::auth::Acting;
use crate::db::audit::{Op, Subject};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::excel::forms::{write_list, Column};
use crate::excel::Kind;
use crate::i18n::t;

/// A chart's table as a workbook (its columns hold closures, so it is written apart from any await).
fn workbook(chart: &Chart, title: &str, lang: crate::i18n::Lang) -> anyhow::Result<Vec<u8>> {
    type Row = (String, Vec<i64>);
    let mut cols: Vec<Column<Row>> = vec![Column::new(chart.title.clone(), 24.0, Kind::Text, |_, r: &Row| {
        r.0.clone()
    })];
    for (i, name) in chart.series.iter().enumerate() {
        cols.push(Column::new(name.clone(), 12.0, Kind::Int, move |_, r: &Row| {
            r.1.get(i).map(|v| v.to_string()).unwrap_or_default()
        }));
    }
    write_list(&t(lang, "stats.title"), title, &cols, &[], &chart.rows)
}

/// The chart `id` of the caller's figures as .xlsx, with its file name.
pub async fn export(db: &Db, by: &Acting, params: &StatsParams, id: &str) -> AppResult<(Vec<u8>, String)> {
    let s = stats(db, by, params).await?;
    let streets = crate::db::stats::street_names(db).await?;
    let chart: Chart = charts(&s, by.lang, &streets)
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    let title = format!("{} {} · {}", s.year, t(by.lang, "stats.title"), chart.title);
    let bytes = workbook(&chart, &title, by.lang)?;
    let details = serde_json::json!({"chart": id, "scope": s.scope, "scope_id": s.scope_id, "rows": chart.rows.len()});
    crate::features::campaign::service::log(db, by, Op::Export, Subject::new("stats", None, &title), &details).await?;
    Ok((bytes, format!("{title}.xlsx")))
}
