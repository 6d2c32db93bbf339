//! 月报: which month and whose figures a monthly statistics form is for, and the rules a month
//! asked for follows (a real month, not in the future, in a campaign's year).

use chrono::{Datelike, NaiveDate};

use super::dates::{china, local};

/// A calendar month, as `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

/// Why a month was refused: the i18n key of the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonthProblem {
    /// Not `YYYY-MM` with a month 1–12.
    Malformed,
    /// After the month under way.
    Future,
    /// In a year no campaign was opened for.
    NoCampaign,
}

impl MonthProblem {
    pub fn key(self) -> &'static str {
        match self {
            MonthProblem::Malformed => "err.monthly_month",
            MonthProblem::Future => "err.monthly_future",
            MonthProblem::NoCampaign => "err.monthly_no_campaign",
        }
    }
}

impl YearMonth {
    /// Reads `YYYY-MM` (also `YYYY-M`); anything else is malformed.
    pub fn parse(input: &str) -> Result<YearMonth, MonthProblem> {
        let s = input.trim();
        let (y, m) = s.split_once('-').ok_or(MonthProblem::Malformed)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 || !(y.chars().chain(m.chars())).all(|c| c.is_ascii_digit()) {
            return Err(MonthProblem::Malformed);
        }
        let (year, month) = (
            y.parse::<i32>().map_err(|_| MonthProblem::Malformed)?,
            m.parse::<u32>().map_err(|_| MonthProblem::Malformed)?,
        );
        if !(1..=12).contains(&month) || year < 1900 {
            return Err(MonthProblem::Malformed);
        }
        Ok(YearMonth { year, month })
    }

    /// The month (China time) of the timestamp `t`.
    pub fn of(t: i64) -> YearMonth {
        let d = local(t).date();
        YearMonth {
            year: d.year(),
            month: d.month(),
        }
    }

    /// Refuses a month after the month of `now`, or in a year that is not among `campaign_years`.
    pub fn check(self, now: i64, campaign_years: &[i64]) -> Result<YearMonth, MonthProblem> {
        if self > YearMonth::of(now) {
            return Err(MonthProblem::Future);
        }
        if !campaign_years.contains(&(self.year as i64)) {
            return Err(MonthProblem::NoCampaign);
        }
        Ok(self)
    }

    /// `YYYY-MM`, as activities and sign-ins store their month.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> YearMonth {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month's span in China time, as timestamps `[start, end)`.
    pub fn span(self) -> (i64, i64) {
        let at = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|n| n.and_local_timezone(china()).single())
                .map(|d| d.timestamp())
                .unwrap_or_default()
        };
        (at(self.first_day()), at(self.next().first_day()))
    }
}

/// Whose figures: the district's, a street's (activities held in its communities; rosters of
/// its communities' teams and of the units paired into it) or a unit's (its teams').
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    District,
    Street(i64),
    Unit(i64),
}

impl Area {
    pub fn kind(self) -> &'static str {
        match self {
            Area::District => "district",
            Area::Street(_) => "street",
            Area::Unit(_) => "unit",
        }
    }
}

/// A count for people: `6,920`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// Minutes as hours for people, grouped, with the quarter hours kept: `6,920`, `12.25`.
pub fn grouped_hours(minutes: i64) -> String {
    let hundredths = (minutes as f64 * 100.0 / 60.0).round() as i64;
    let (whole, frac) = (hundredths / 100, hundredths % 100);
    match frac {
        0 => grouped(whole),
        f if f % 10 == 0 => format!("{}.{}", grouped(whole), f / 10),
        f => format!("{}.{:02}", grouped(whole), f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_strictly() {
        assert_eq!(YearMonth::parse("2026-03"), Ok(YearMonth { year: 2026, month: 3 }));
        assert_eq!(YearMonth::parse(" 2026-3 "), Ok(YearMonth { year: 2026, month: 3 }));
        for bad in [
            "2026-13",
            "2026-00",
            "2026",
            "26-03",
            "2026-03-01",
            "２０２６-03",
            "",
            "2026-+3",
        ] {
            assert_eq!(YearMonth::parse(bad), Err(MonthProblem::Malformed), "{bad}");
        }
    }

    #[test]
    fn a_month_must_be_past_or_under_way_and_in_a_campaign_year() {
        // 2026-03-15 12:00 China time.
        let now = 1_773_547_200;
        let m = |s| YearMonth::parse(s).unwrap();
        assert_eq!(m("2026-03").check(now, &[2026]), Ok(m("2026-03")));
        assert_eq!(m("2026-04").check(now, &[2026]), Err(MonthProblem::Future));
        assert_eq!(m("2024-12").check(now, &[2025, 2026]), Err(MonthProblem::NoCampaign));
    }

    #[test]
    fn a_month_spans_china_time_and_steps_over_years() {
        let m = YearMonth::parse("2026-12").unwrap();
        assert_eq!(m.next().key(), "2027-01");
        assert_eq!(m.next().prev(), m);
        assert_eq!(m.last_day().to_string(), "2026-12-31");
        let (a, b) = YearMonth::parse("2026-02").unwrap().span();
        assert_eq!(local(a).to_string(), "2026-02-01 00:00:00");
        assert_eq!(b - a, 28 * 86400);
    }

    #[test]
    fn numbers_read_like_a_notice() {
        assert_eq!(grouped(2314), "2,314");
        assert_eq!(grouped(118), "118");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped_hours(6920 * 60), "6,920");
        assert_eq!(grouped_hours(735), "12.25");
        assert_eq!(grouped_hours(90), "1.5");
    }
}
