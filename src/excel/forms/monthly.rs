//! 月报表: the month's statistics of the district, a street or a unit in the official layout —
//! the title, who reports and for which period, the 填报单位/填报人/填报日期 line, then a bordered
//! table under a two-level merged header: the totals, the seven categories and the three forms
//! (activities, 人次, hours), the concentrated day, participation, and the needs when recorded.
//! Printed like the other forms (see `excel::write_form`): A4 portrait, one page wide, the title
//! and header repeated on every page, page numbers in the footer.

use rust_xlsxwriter::{Format, FormatAlign as A, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::db::monthly::{Line, Monthly};
use crate::i18n::{t, tf, Lang};

/// The columns: the group, the item, then activities, 人次 and hours.
const WIDTHS: [f64; 5] = [12.0, 30.0, 14.0, 14.0, 20.0];
/// The rows printed on every page: the title, the three lines under it and the two header rows.
const HEADER_LAST: u32 = 4;

/// A day as the form writes it (2026年3月1日; 2026-03-01).
pub fn day(lang: Lang, ymd: &str) -> String {
    let mut parts = ymd.splitn(3, '-');
    let (y, mm, dd) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let params = [
        ("y", y.to_string()),
        ("m", mm.trim_start_matches('0').to_string()),
        ("d", dd.trim_start_matches('0').to_string()),
        ("mm", mm.to_string()),
        ("dd", dd.to_string()),
    ];
    tf(lang, "monthly.day", &params)
}

/// The month as the form's title names it (2026年3月; March 2026).
pub fn month_label(lang: Lang, month: &str) -> String {
    let (y, m) = month.split_once('-').unwrap_or((month, ""));
    let name = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|d| d.format("%B").to_string())
        .unwrap_or_default();
    let params = [
        ("y", y.to_string()),
        ("m", m.trim_start_matches('0').to_string()),
        ("name", name),
    ];
    tf(lang, "monthly.month_label", &params)
}

/// The title over the table (also the file's name and the audit entry's label).
pub fn title(m: &Monthly, lang: Lang) -> String {
    let params = [
        ("district", m.district_name.clone()),
        ("month", month_label(lang, &m.month)),
    ];
    tf(lang, "monthly.form_title", &params)
}

struct Formats {
    title: Format,
    line: Format,
    fit: Format,
    head: Format,
    label: Format,
    group: Format,
    int: Format,
    hours: Format,
    value: Format,
    note: Format,
}

fn formats() -> Formats {
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(A::VerticalCenter);
    Formats {
        title: Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(A::Center)
            .set_align(A::VerticalCenter)
            .set_text_wrap(),
        line: Format::new().set_align(A::VerticalCenter),
        fit: Format::new().set_align(A::VerticalCenter).set_shrink(),
        head: cell
            .clone()
            .set_bold()
            .set_align(A::Center)
            .set_text_wrap()
            .set_background_color(0xF2F2F2),
        label: cell.clone().set_text_wrap(),
        group: cell.clone().set_bold().set_align(A::Center).set_text_wrap(),
        int: cell.clone().set_align(A::Center).set_num_format("#,##0"),
        hours: cell.clone().set_align(A::Center).set_num_format("#,##0.00"),
        value: cell.set_align(A::Center),
        note: Format::new().set_text_wrap().set_align(A::Top).set_font_size(9),
    }
}

/// A group label merged down its rows (or written in one).
fn group(ws: &mut Worksheet, first: u32, last: u32, label: &str, f: &Format) -> Result<(), XlsxError> {
    if last > first {
        ws.merge_range(first, 0, last, 0, label, f)?;
    } else {
        ws.write_string_with_format(first, 0, label, f)?;
    }
    Ok(())
}

/// One line of activities, 人次 and hours.
fn line(ws: &mut Worksheet, r: u32, l: &Line, f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, 1, &l.label, &f.label)?;
    ws.write_number_with_format(r, 2, l.held as f64, &f.int)?;
    ws.write_number_with_format(r, 3, l.person_times as f64, &f.int)?;
    ws.write_number_with_format(r, 4, l.hours, &f.hours)?;
    Ok(())
}

/// One item whose value spans the three figure columns (a day, or a count).
fn item(ws: &mut Worksheet, r: u32, label: &str, value: Item, f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, 1, label, &f.label)?;
    match value {
        Item::Count(n) => {
            ws.merge_range(r, 2, r, 4, "", &f.int)?;
            ws.write_number_with_format(r, 2, n as f64, &f.int)?;
        }
        Item::Text(s) => {
            ws.merge_range(r, 2, r, 4, &s, &f.value)?;
        }
    }
    Ok(())
}

enum Item {
    Count(i64),
    Text(String),
}

/// The form filled in from `m`, by `filled_by` on `filled_on` (`YYYY-MM-DD`).
pub fn write(m: &Monthly, lang: Lang, filled_by: &str, filled_on: &str) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(t(lang, "monthly.sheet"))?;
    let f = formats();
    for (c, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    // The title, who reports and for when, and the 填报 line.
    ws.merge_range(0, 0, 0, 4, &title(m, lang), &f.title)?;
    ws.set_row_height(0, 36)?;
    let reporting = tf(lang, "monthly.reporting", &[("name", m.area_name.clone())]);
    let period = tf(
        lang,
        "monthly.period_line",
        &[("start", day(lang, &m.period_start)), ("end", day(lang, &m.period_end))],
    );
    // Each line's text gets the width it needs in print (LibreOffice clips at the merged
    // range): the period over the three figure columns, 填报人 over two, the date shrunk to fit.
    ws.merge_range(1, 0, 1, 1, &reporting, &f.line)?;
    ws.merge_range(1, 2, 1, 4, &period, &f.line)?;
    let unit = tf(lang, "monthly.filled_unit", &[("name", m.area_name.clone())]);
    let by = tf(lang, "monthly.filled_by", &[("name", filled_by.to_string())]);
    let on = tf(lang, "monthly.filled_on", &[("day", day(lang, filled_on))]);
    ws.merge_range(2, 0, 2, 1, &unit, &f.line)?;
    ws.merge_range(2, 2, 2, 3, &by, &f.line)?;
    ws.write_string_with_format(2, 4, &on, &f.fit)?;
    // The header: 项目 over two rows, the month's figures under one label.
    ws.merge_range(3, 0, 4, 1, &t(lang, "monthly.col.item"), &f.head)?;
    ws.merge_range(3, 2, 3, 4, &t(lang, "monthly.col.month"), &f.head)?;
    ws.write_string_with_format(4, 2, t(lang, "monthly.col.held"), &f.head)?;
    ws.write_string_with_format(4, 3, t(lang, "monthly.col.person_times"), &f.head)?;
    ws.write_string_with_format(4, 4, t(lang, "monthly.col.hours"), &f.head)?;
    ws.set_row_height(4, 30)?;

    let mut r = HEADER_LAST + 1;
    // The totals across both columns of 项目.
    ws.merge_range(r, 0, r, 1, &t(lang, "monthly.total"), &f.group)?;
    ws.write_number_with_format(r, 2, m.total.held as f64, &f.int)?;
    ws.write_number_with_format(r, 3, m.total.person_times as f64, &f.int)?;
    ws.write_number_with_format(r, 4, m.total.hours, &f.hours)?;
    r += 1;
    for (key, lines) in [("monthly.by_category", &m.by_category), ("monthly.by_form", &m.by_form)] {
        let first = r;
        for l in lines.iter() {
            line(ws, r, l, &f)?;
            r += 1;
        }
        group(ws, first, r - 1, &t(lang, key), &f.group)?;
    }
    // The concentrated day.
    let first = r;
    let shown = m
        .concentrated_day
        .as_deref()
        .map(|d| day(lang, d))
        .unwrap_or_else(|| t(lang, "monthly.no_day"));
    item(ws, r, &t(lang, "monthly.cd_day"), Item::Text(shown), &f)?;
    item(
        ws,
        r + 1,
        &t(lang, "monthly.cd_people"),
        Item::Count(m.concentrated_people),
        &f,
    )?;
    item(
        ws,
        r + 2,
        &t(lang, "monthly.cd_teams"),
        Item::Count(m.concentrated_teams),
        &f,
    )?;
    r += 3;
    group(ws, first, r - 1, &t(lang, "monthly.concentrated"), &f.group)?;
    // Participation.
    let first = r;
    item(
        ws,
        r,
        &t(lang, "monthly.volunteers_active"),
        Item::Count(m.volunteers_active),
        &f,
    )?;
    item(
        ws,
        r + 1,
        &t(lang, "monthly.teams_active"),
        Item::Count(m.teams_active),
        &f,
    )?;
    item(
        ws,
        r + 2,
        &t(lang, "monthly.new_registrations"),
        Item::Count(m.new_registrations),
        &f,
    )?;
    r += 3;
    group(ws, first, r - 1, &t(lang, "monthly.participation"), &f.group)?;
    // Needs (四单), once they are recorded.
    if let Some(n) = &m.needs {
        let first = r;
        item(ws, r, &t(lang, "monthly.needs_received"), Item::Count(n.received), &f)?;
        item(
            ws,
            r + 1,
            &t(lang, "monthly.needs_fulfilled"),
            Item::Count(n.fulfilled),
            &f,
        )?;
        r += 2;
        group(ws, first, r - 1, &t(lang, "monthly.needs"), &f.group)?;
    }
    // How the figures were counted, and the signatures.
    r += 1;
    ws.merge_range(r, 0, r, 4, &t(lang, "monthly.notes"), &f.note)?;
    ws.set_row_height(r, 64)?;
    r += 2;
    ws.merge_range(r, 0, r, 4, &t(lang, "monthly.signatures"), &f.line)?;

    // Printing: A4 portrait (paper size 9), one page wide, title and header on every page.
    ws.set_paper_size(9);
    ws.set_portrait();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, HEADER_LAST)?;
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_header(format!("&L&9{}", t(lang, "monthly.sheet").replace('&', "&&")));
    ws.set_footer("&C&9第 &P 页，共 &N 页");
    Ok(wb.save_to_buffer()?)
}
