//! Dates as people type them in Excel rosters: 1990-05-03, 1990年5月3日, 19900503, Excel serials, 出生年月.

use super::text::fold_width;

const FORMAT: &str = "err.date_format";
const INCOMPLETE: &str = "err.date_incomplete";
const INVALID: &str = "err.date_invalid";
const RANGE: &str = "err.date_range";
const YEAR_MONTH_FORMAT: &str = "err.year_month_format";

const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2100;
/// Excel's serial for 9999-12-31, the last day it can show.
const MAX_SERIAL: u32 = 2_958_465;

/// A full date, as (year, month, day), in any of the forms rosters use:
/// `1990-05-03`, `1990/5/3`, `1990.5.3`, `1990年5月3日` (or `3号`, or no suffix), `19900503`,
/// an Excel serial kept as text (`32996`, `32996.0`), in full-width digits or with spaces around,
/// and with a trailing `00:00:00` from a date-time cell.
pub fn parse_date(input: &str) -> Result<(i32, u32, u32), &'static str> {
    match shape(input).ok_or(FORMAT)? {
        Shape::Date(y, m, d) => checked(y, m, d),
        Shape::Serial(n) => from_serial(n),
        // A 出生年月 value in a date column is answered with what is missing, not "bad format".
        Shape::YearMonth(y, m) => {
            checked(y, m, 1)?;
            Err(INCOMPLETE)
        }
        Shape::Year => Err(INCOMPLETE),
    }
}

/// For 出生年月 columns: a year and month (`1990.05`, `1990.5`, `1990-05`, `1990/5`, `1990年5月`,
/// `199005`) gives `(year, month, None)`; anything `parse_date` accepts gives the day as well.
pub fn parse_year_month(input: &str) -> Result<(i32, u32, Option<u32>), &'static str> {
    match shape(input).ok_or(YEAR_MONTH_FORMAT)? {
        Shape::YearMonth(y, m) => checked(y, m, 1).map(|_| (y, m, None)),
        Shape::Date(y, m, d) => checked(y, m, d).map(|_| (y, m, Some(d))),
        Shape::Serial(n) => from_serial(n).map(|(y, m, d)| (y, m, Some(d))),
        Shape::Year => Err(YEAR_MONTH_FORMAT),
    }
}

/// The stored and displayed form, `1990-05-03`.
pub fn format_ymd((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// 0 for a month outside 1..=12, so that any day fails a `d <= days_in_month(y, m)` check.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// What the text looks like, before any calendar check.
enum Shape {
    Year,
    YearMonth(i32, u32),
    Date(i32, u32, u32),
    Serial(u32),
}

enum Tok<'a> {
    Num(&'a str),
    Sep(char),
}

fn shape(input: &str) -> Option<Shape> {
    use Tok::{Num, Sep};
    let s = fold_width(input);
    let toks = tokens(without_time(&s)?);
    match toks.as_slice() {
        [Num(n)] if n.len() == 8 => date(&n[..4], &n[4..6], &n[6..]),
        [Num(n)] if n.len() == 6 => year_month(&n[..4], &n[4..]),
        [Num(n)] => year_or_serial(n),
        [Num(y), Sep('年')] if y.len() == 4 => Some(Shape::Year),
        // A four-digit number before the separator is a year, so 1990.5 is May 1990, never a serial.
        [Num(y), Sep(s), Num(m)] if is_sep(*s) && y.len() == 4 => year_month(y, m),
        [Num(n), Sep('.'), Num(f)] if f.bytes().all(|b| b == b'0') => year_or_serial(n),
        [Num(y), Sep('年'), Num(m), Sep('月')] => year_month(y, m),
        [Num(y), Sep(s), Num(m), Sep(t), Num(d)] if s == t && is_sep(*s) => date(y, m, d),
        [Num(y), Sep('年'), Num(m), Sep('月'), Num(d)]
        | [Num(y), Sep('年'), Num(m), Sep('月'), Num(d), Sep('日' | '号')] => date(y, m, d),
        _ => None,
    }
}

fn is_sep(c: char) -> bool {
    matches!(c, '-' | '/' | '.')
}

/// Runs of ASCII digits, and every other character on its own, so that "1990--5" cannot
/// pass for "1990-5".
fn tokens(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() {
            start.get_or_insert(i);
        } else {
            if let Some(from) = start.take() {
                out.push(Tok::Num(&s[from..i]));
            }
            out.push(Tok::Sep(c));
        }
    }
    if let Some(from) = start {
        out.push(Tok::Num(&s[from..]));
    }
    out
}

/// Text copied from a date-time cell carries a time ("1990-05-03 00:00:00") that a date ignores;
/// anything else after a space is not a date.
fn without_time(s: &str) -> Option<&str> {
    match s.split_once(char::is_whitespace) {
        None => Some(s),
        Some((date, time)) => is_time(time.trim_start()).then_some(date),
    }
}

fn is_time(t: &str) -> bool {
    let parts: Vec<&str> = t.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().zip([23, 59, 59]).all(|(p, max)| {
            (1..=2).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|v| v <= max)
        })
}

fn date(y: &str, m: &str, d: &str) -> Option<Shape> {
    match year_month(y, m)? {
        Shape::YearMonth(y, m) if (1..=2).contains(&d.len()) => Some(Shape::Date(y, m, d.parse().ok()?)),
        _ => None,
    }
}

fn year_month(y: &str, m: &str) -> Option<Shape> {
    if y.len() != 4 || !(1..=2).contains(&m.len()) {
        return None;
    }
    Some(Shape::YearMonth(y.parse().ok()?, m.parse().ok()?))
}

/// A bare number is an Excel serial, except that a four-digit one that could be a year is taken
/// for a year: "1990" typed alone means 1990, not Excel's 1905-06-12.
fn year_or_serial(n: &str) -> Option<Shape> {
    let v: u32 = n.parse().ok()?;
    if n.len() == 4 && (1900..=2100).contains(&v) {
        Some(Shape::Year)
    } else if (1..=MAX_SERIAL).contains(&v) {
        Some(Shape::Serial(v))
    } else {
        None
    }
}

fn checked(y: i32, m: u32, d: u32) -> Result<(i32, u32, u32), &'static str> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&y) {
        Err(RANGE)
    } else if d == 0 || d > days_in_month(y, m) {
        Err(INVALID)
    } else {
        Ok((y, m, d))
    }
}

/// Excel's 1900 date system: serial 1 is 1900-01-01, and serial 60 is a 29 February 1900 that
/// never was (kept for Lotus 1-2-3 compatibility), so every later serial runs one day ahead.
fn from_serial(n: u32) -> Result<(i32, u32, u32), &'static str> {
    let mut days = match n {
        60 => return Err(INVALID),
        61.. => n - 2,
        _ => n.saturating_sub(1),
    };
    let mut y = FIRST_YEAR;
    loop {
        let len = if is_leap(y) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        y += 1;
        if y > LAST_YEAR {
            return Err(RANGE);
        }
    }
    let mut m = 1;
    while days >= days_in_month(y, m) {
        days -= days_in_month(y, m);
        m += 1;
    }
    Ok((y, m, days + 1))
}

/// China time (UTC+8), the campaign's clock.
pub fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// A timestamp as China local date and time.
pub fn local(ts: i64) -> chrono::NaiveDateTime {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&china())
        .naive_local()
}

/// `YYYY-MM-DD HH:MM` in China time.
pub fn format_local(ts: i64) -> String {
    local(ts).format("%Y-%m-%d %H:%M").to_string()
}

/// `HH:MM` in China time (the end of an activity shown after its start).
pub fn format_local_time(ts: i64) -> String {
    local(ts).format("%H:%M").to_string()
}

/// A day's month as activities and sign-ins store it (`YYYY-MM`).
pub fn month_key(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// Reads `YYYY-MM-DD HH:MM` (or the `T` of an HTML datetime-local field) as China time.
pub fn parse_local(input: &str) -> Option<i64> {
    // Seconds, if any, are dropped; anything else (full-width text included) simply fails.
    let s: String = input.trim().replace('T', " ").chars().take(16).collect();
    chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M")
        .ok()
        .and_then(|n| n.and_local_timezone(china()).single())
        .map(|d| d.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAY_3: (i32, u32, u32) = (1990, 5, 3);

    #[test]
    fn every_accepted_date_form() {
        for s in [
            "1990-05-03",
            "1990-5-3",
            "1990/5/3",
            "1990/05/03",
            "1990.5.3",
            "1990.05.03",
            "1990年5月3日",
            "1990年05月03日",
            "1990年5月3号",
            "1990年5月3",
            "19900503",
            "１９９０－０５－０３",
            "１９９０年５月３日",
            "１９９００５０３",
            "  1990-05-03  ",
            "\u{3000}1990/5/3\u{3000}",
            "32996",
            "32996.0",
            "32996.00",
            "３２９９６",
            " 32996 ",
            "1990-05-03 00:00:00",
            "1990/5/3 0:00",
            "1990年5月3日 00:00",
        ] {
            assert_eq!(parse_date(s), Ok(MAY_3), "{s:?}");
        }
    }

    #[test]
    fn excel_serials_follow_the_1900_system() {
        assert_eq!(parse_date("1"), Ok((1900, 1, 1)));
        assert_eq!(parse_date("31"), Ok((1900, 1, 31)));
        assert_eq!(parse_date("59"), Ok((1900, 2, 28)));
        assert_eq!(parse_date("60"), Err("err.date_invalid"));
        assert_eq!(parse_date("61"), Ok((1900, 3, 1)));
        assert_eq!(parse_date("366"), Ok((1900, 12, 31)));
        assert_eq!(parse_date("367"), Ok((1901, 1, 1)));
        assert_eq!(parse_date("25569"), Ok((1970, 1, 1)));
        assert_eq!(parse_date("36526"), Ok((2000, 1, 1)));
        assert_eq!(parse_date("36585"), Ok((2000, 2, 29)));
        assert_eq!(parse_date("45658"), Ok((2025, 1, 1)));
        assert_eq!(parse_date("73415"), Ok((2100, 12, 31)));
        assert_eq!(parse_date("73416"), Err("err.date_range"));
        assert_eq!(parse_date("2958465"), Err("err.date_range"));
        assert_eq!(parse_date("2958466"), Err("err.date_format"));
        assert_eq!(parse_date("0"), Err("err.date_format"));
        assert_eq!(parse_date("0.0"), Err("err.date_format"));
        assert_eq!(parse_date("99999999999999999999"), Err("err.date_format"));
        assert_eq!(parse_date("32996.5"), Err("err.date_format"));
        assert_eq!(parse_date("-32996"), Err("err.date_format"));
    }

    #[test]
    fn every_serial_is_the_day_after_the_one_before() {
        let mut prev = (1900, 2, 28);
        for n in 61..=73415 {
            let (y, m, d) = prev;
            let next = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            let got = from_serial(n).unwrap();
            assert_eq!(got, next, "serial {n}");
            assert_eq!(parse_date(&format_ymd(got)), Ok(got));
            prev = got;
        }
    }

    #[test]
    fn year_month_only_in_a_date_column_says_the_day_is_missing() {
        for s in [
            "1990.5",
            "1990.05",
            "1990.10",
            "1990-05",
            "1990/5",
            "1990年5月",
            "199005",
            "1990",
            "1990年",
        ] {
            assert_eq!(parse_date(s), Err("err.date_incomplete"), "{s:?}");
        }
        assert_eq!(parse_date("1990.13"), Err("err.date_invalid"));
    }

    #[test]
    fn rejections() {
        assert_eq!(parse_date("1990-13-01"), Err("err.date_invalid"));
        assert_eq!(parse_date("1990-00-10"), Err("err.date_invalid"));
        assert_eq!(parse_date("1990-02-30"), Err("err.date_invalid"));
        assert_eq!(parse_date("1990-04-31"), Err("err.date_invalid"));
        assert_eq!(parse_date("1990-05-00"), Err("err.date_invalid"));
        assert_eq!(parse_date("19901301"), Err("err.date_invalid"));
        assert_eq!(parse_date("1899-12-31"), Err("err.date_range"));
        assert_eq!(parse_date("2101-01-01"), Err("err.date_range"));
        assert_eq!(parse_date("00000000"), Err("err.date_range"));
        for s in [
            "abc",
            "",
            "   ",
            "1990.5.3.1",
            "1990-5/3",
            "1990--5-3",
            "90-5-3",
            "1990-005-03",
            "1990-05-003",
            "03/05/1990",
            "1990年5月3日日",
            "1990年-5月3日",
            "1990 5 3",
            "1990-05-03 25:00",
            "1990-05-03 noon",
            "1990-05-03T00:00",
            "1990-05-03x",
            "1990５月3日",
        ] {
            assert_eq!(parse_date(s), Err("err.date_format"), "{s:?}");
        }
    }

    #[test]
    fn leap_years() {
        assert_eq!(parse_date("2000-02-29"), Ok((2000, 2, 29)));
        assert_eq!(parse_date("2024-02-29"), Ok((2024, 2, 29)));
        assert_eq!(parse_date("1900-02-29"), Err("err.date_invalid"));
        assert_eq!(parse_date("2023-02-29"), Err("err.date_invalid"));
        assert_eq!(parse_date("2100-02-29"), Err("err.date_invalid"));
        assert!(is_leap(2000) && is_leap(2024) && is_leap(1904));
        assert!(!is_leap(1900) && !is_leap(2023) && !is_leap(2100));
    }

    #[test]
    fn days_in_each_month() {
        let common = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        for (m, want) in (1..=12).zip(common) {
            assert_eq!(days_in_month(1990, m), want, "month {m}");
        }
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1990, 0), 0);
        assert_eq!(days_in_month(1990, 13), 0);
    }

    #[test]
    fn every_year_month_form() {
        for s in [
            "1990.05",
            "1990.5",
            "1990-05",
            "1990-5",
            "1990/5",
            "1990/05",
            "1990年5月",
            "1990年05月",
            "199005",
            "１９９０．０５",
            " 1990.5 ",
        ] {
            assert_eq!(parse_year_month(s), Ok((1990, 5, None)), "{s:?}");
        }
        assert_eq!(parse_year_month("1990.10"), Ok((1990, 10, None)));
        assert_eq!(parse_year_month("1990.1"), Ok((1990, 1, None)));
        assert_eq!(parse_year_month("2100.12"), Ok((2100, 12, None)));
    }

    #[test]
    fn year_month_falls_back_to_full_dates() {
        for s in [
            "1990-05-03",
            "1990/5/3",
            "1990.5.3",
            "1990年5月3日",
            "19900503",
            "32996",
            "32996.0",
        ] {
            assert_eq!(parse_year_month(s), Ok((1990, 5, Some(3))), "{s:?}");
        }
    }

    #[test]
    fn year_month_rejections() {
        assert_eq!(parse_year_month("1990.13"), Err("err.date_invalid"));
        assert_eq!(parse_year_month("1990.0"), Err("err.date_invalid"));
        assert_eq!(parse_year_month("199013"), Err("err.date_invalid"));
        assert_eq!(parse_year_month("1990-02-30"), Err("err.date_invalid"));
        assert_eq!(parse_year_month("1990-13-01"), Err("err.date_invalid"));
        assert_eq!(parse_year_month("60"), Err("err.date_invalid"));
        assert_eq!(parse_year_month("1899.12"), Err("err.date_range"));
        assert_eq!(parse_year_month("189912"), Err("err.date_range"));
        assert_eq!(parse_year_month("2101.01"), Err("err.date_range"));
        for s in [
            "abc",
            "",
            "1990",
            "1990年",
            "1990.5.3.1",
            "1990..5",
            "90.5",
            "1990.123",
            "5月",
        ] {
            assert_eq!(parse_year_month(s), Err("err.year_month_format"), "{s:?}");
        }
    }

    #[test]
    fn formatting() {
        assert_eq!(format_ymd(MAY_3), "1990-05-03");
        assert_eq!(format_ymd((2000, 12, 31)), "2000-12-31");
        assert_eq!(format_ymd((1900, 1, 1)), "1900-01-01");
    }
}
