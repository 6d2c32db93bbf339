//! The concentrated days as an iCalendar (RFC 5545) feed.

use crate::db::calendar::ConcentratedDay;
use crate::db::campaigns::Campaign;

/// A TEXT value escaped per RFC 5545 §3.3.11: backslash, `;`, `,` and line breaks.
fn ics_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
}

/// One content line, folded per RFC 5545 §3.1: no physical line longer than 75 octets (the
/// leading space of a continuation counts), never inside a UTF-8 character, CRLF after each.
fn ics_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut octets = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if octets + n > 75 {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += n;
    }
    out.push_str("\r\n");
    out
}

/// The feed of a campaign's days, stamped `now`.
pub fn feed(
    district: &str,
    campaign: &Campaign,
    days: &[ConcentratedDay],
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Leifeng//Concentrated days//ZH".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("X-WR-CALNAME:{}", ics_escape(&format!("{district}志愿服务集中活动日"))),
        "X-WR-TIMEZONE:Asia/Shanghai".into(),
    ];
    for d in days {
        let day = chrono::NaiveDate::parse_from_str(&d.day, "%Y-%m-%d").ok();
        let date = day.map(|x| x.format("%Y%m%d").to_string()).unwrap_or_default();
        let next = day
            .map(|x| (x + chrono::Days::new(1)).format("%Y%m%d").to_string())
            .unwrap_or_default();
        let summary = if d.theme.is_empty() {
            "志愿服务集中活动日".to_string()
        } else {
            format!("志愿服务集中活动日：{}", d.theme)
        };
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:leifeng-{}-{}@concentrated-day", campaign.year, d.month));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;VALUE=DATE:{date}"));
        lines.push(format!("DTEND;VALUE=DATE:{next}"));
        lines.push(format!("SUMMARY:{}", ics_escape(&summary)));
        if !d.moved_reason.is_empty() {
            lines.push(format!(
                "DESCRIPTION:{}",
                ics_escape(&format!("由 {} 调整：{}", d.planned_day, d.moved_reason))
            ));
        }
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| ics_line(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::{ics_escape, ics_line};

    #[test]
    fn text_is_escaped() {
        assert_eq!(ics_escape("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
        // Full-width punctuation is text, not syntax: left as typed.
        assert_eq!(ics_escape("清洁，家园；"), "清洁，家园；");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let line = format!("SUMMARY:{}", "志愿服务集中活动日，".repeat(6));
        let folded = ics_line(&line);
        assert!(folded.ends_with("\r\n"));
        let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 1);
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "{} octets: {p}", p.len());
            assert_eq!(i > 0, p.starts_with(' '));
        }
        // Unfolding gives the line back.
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        assert_eq!(ics_line("END:VEVENT"), "END:VEVENT\r\n");
        let exactly = "X".repeat(75);
        assert_eq!(ics_line(&exactly), format!("{exactly}\r\n"));
        assert_eq!(ics_line(&"X".repeat(76)), format!("{exactly}\r\n X\r\n"));
    }
}
