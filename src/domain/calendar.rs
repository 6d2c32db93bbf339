//! The concentrated activity days (集中活动日, 附件5): the Saturday of the third week of each month,
//! read as the third Saturday, from the month activities start to the end of the year.

use chrono::{Datelike, NaiveDate, Weekday};

/// The third Saturday of a month.
pub fn third_saturday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sat, 3)
}

/// The concentrated days of a campaign: one a month, from the month of `activities_start` to the
/// month of `activities_end` (both `YYYY-MM-DD`), each the month's third Saturday — unless that
/// falls before activities start, when the month is skipped.
pub fn concentrated_days(activities_start: &str, activities_end: &str) -> Vec<(u32, NaiveDate)> {
    let (Ok(start), Ok(end)) = (
        NaiveDate::parse_from_str(activities_start, "%Y-%m-%d"),
        NaiveDate::parse_from_str(activities_end, "%Y-%m-%d"),
    ) else {
        return vec![];
    };
    let mut out = vec![];
    let (mut y, mut m) = (start.year(), start.month());
    while (y, m) <= (end.year(), end.month()) {
        if let Some(d) = third_saturday(y, m).filter(|d| *d >= start && *d <= end) {
            out.push((m, d));
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// The Chinese name of a weekday, as the calendar form shows it.
pub fn weekday_cn(d: NaiveDate) -> &'static str {
    ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"][d.weekday().num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_saturdays() {
        assert_eq!(third_saturday(2026, 4), NaiveDate::from_ymd_opt(2026, 4, 18));
        assert_eq!(third_saturday(2026, 8), NaiveDate::from_ymd_opt(2026, 8, 15));
        // A month that starts on a Saturday.
        assert_eq!(third_saturday(2026, 8).map(|d| d.weekday()), Some(Weekday::Sat));
        assert_eq!(third_saturday(2022, 10), NaiveDate::from_ymd_opt(2022, 10, 15));
        assert_eq!(third_saturday(2026, 13), None);
    }

    #[test]
    fn one_day_a_month_from_the_start_of_activities() {
        let days = concentrated_days("2026-04-21", "2026-12-31");
        // April's third Saturday (04-18) comes before activities start, so May is the first.
        assert_eq!(
            days.first().map(|(m, d)| (*m, d.to_string())),
            Some((5, "2026-05-16".to_string()))
        );
        assert_eq!(days.len(), 8);
        assert!(days
            .iter()
            .all(|(_, d)| d.weekday() == Weekday::Sat && (15..=21).contains(&d.day())));
        assert_eq!(concentrated_days("2026-04-01", "2026-04-30").len(), 1);
        assert!(concentrated_days("bad", "2026-12-31").is_empty());
    }
}
