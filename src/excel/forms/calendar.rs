//! 附件5 全区志愿服务集中活动日安排表: the concentrated days of a campaign year.

use super::{write_list, Column};
use crate::db::calendar::ConcentratedDay;
use crate::domain::calendar::weekday_cn;
use crate::excel::Kind;

/// The weekday of a day (`YYYY-MM-DD`), as the form writes it.
pub fn weekday(day: &str) -> &'static str {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(weekday_cn)
        .unwrap_or("")
}

fn columns() -> Vec<Column<'static, ConcentratedDay>> {
    vec![
        Column::new("月份", 8.0, Kind::Month, |_, d: &ConcentratedDay| d.month.to_string()),
        Column::new("日期", 16.0, Kind::Date, |_, d: &ConcentratedDay| d.day.clone()),
        Column::new("星期", 8.0, Kind::Text, |_, d: &ConcentratedDay| {
            weekday(&d.day).to_string()
        }),
        Column::new("活动主题", 34.0, Kind::Text, |_, d: &ConcentratedDay| {
            d.theme.clone()
        }),
        Column::new("备注", 28.0, Kind::Text, |_, d: &ConcentratedDay| {
            if d.moved_reason.is_empty() {
                String::new()
            } else {
                format!("原定 {}，{}", d.planned_day, d.moved_reason)
            }
        }),
    ]
}

/// The year's days as the form.
pub fn write(year: i64, days: &[ConcentratedDay]) -> anyhow::Result<Vec<u8>> {
    let title = format!("附件5 {year}年全区志愿服务集中活动日安排表");
    write_list("附件5", &title, &columns(), &[], days)
}
