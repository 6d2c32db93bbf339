//! Writing an official form: the title over a one- or two-level header, then the rows, laid out
//! to print like the paper form.

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

/// What a column holds, so that it is written as Excel's own kind of cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text, also in the empty rows below (a phone or ID number typed there stays text).
    Text,
    /// A whole number (序号, counts).
    Int,
    /// A day (`YYYY-MM-DD`) as a date cell shown 2026年4月18日; a month only (`YYYY-MM`) as text
    /// 1990年5月, which reads back as the month and not as its first day.
    Date,
    /// A month number shown 4月.
    Month,
    /// Text, but a day (`YYYY-MM-DD`) as a date cell (a form of label and value rows).
    TextOrDate,
}

/// An official form's layout: the sheet's name (附件2 …), the title over the table, the header
/// (with an optional upper level over some columns), widths and kinds of the columns.
pub struct Form<'a> {
    pub sheet: &'a str,
    pub title: &'a str,
    pub headers: &'a [&'a str],
    pub widths: &'a [f64],
    /// The kind of each column; a column without one is text.
    pub kinds: &'a [Kind],
    /// The upper header level: a label over the columns `first..=last`; the other columns' headers
    /// span both levels.
    pub groups: &'a [(&'a str, u16, u16)],
}

impl<'a> Form<'a> {
    pub fn new(sheet: &'a str, title: &'a str, headers: &'a [&'a str], widths: &'a [f64]) -> Form<'a> {
        Form {
            sheet,
            title,
            headers,
            widths,
            kinds: &[],
            groups: &[],
        }
    }

    pub fn kinds(self, kinds: &'a [Kind]) -> Form<'a> {
        Form { kinds, ..self }
    }

    pub fn groups(self, groups: &'a [(&'a str, u16, u16)]) -> Form<'a> {
        Form { groups, ..self }
    }

    fn kind(&self, col: usize) -> Kind {
        self.kinds.get(col).copied().unwrap_or(Kind::Text)
    }

    fn width(&self, col: usize) -> f64 {
        self.widths.get(col).copied().unwrap_or(16.0)
    }
}

/// Wider than this (in Excel's character widths) prints across an A4 page in landscape.
const PORTRAIT_WIDTH: f64 = 95.0;
const DATE_FORMAT: &str = "yyyy\"年\"m\"月\"d\"日\"";

/// A workbook in the official layout, ready to print like the paper form: the title over the
/// header (one or two levels), then the rows; A4, landscape when wide, one page wide, the title
/// and header repeated on every page, page numbers in the footer, long text wrapped, numbers and
/// dates as real cells.
pub fn write_form(form: &Form, rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{ExcelDateTime, FormatAlign as A};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(form.sheet)?;
    let title_fmt = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(A::Center)
        .set_align(A::VerticalCenter)
        .set_text_wrap();
    let head_fmt = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(A::Center)
        .set_align(A::VerticalCenter)
        .set_text_wrap()
        .set_background_color(0xF2F2F2);
    let text_fmt = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(A::VerticalCenter)
        .set_text_wrap()
        .set_num_format("@");
    let int_fmt = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(A::Center)
        .set_align(A::VerticalCenter)
        .set_num_format("0");
    let date_fmt = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(A::Center)
        .set_align(A::VerticalCenter)
        .set_num_format(DATE_FORMAT);
    // A date among text values sits where the text does.
    let inline_date_fmt = date_fmt.clone().set_align(A::Left);
    let month_fmt = int_fmt.clone().set_num_format("0\"月\"");
    let text_column = Format::new().set_num_format("@");

    let cols = form.headers.len().max(1) as u16;
    let last_col = cols - 1;
    if last_col > 0 {
        ws.merge_range(0, 0, 0, last_col, form.title, &title_fmt)?;
    } else {
        ws.write_string_with_format(0, 0, form.title, &title_fmt)?;
    }
    ws.set_row_height(0, 32)?;
    // The header: one row, or two when some columns share an upper label.
    let header_last: u32 = if form.groups.is_empty() { 1 } else { 2 };
    for (c, h) in form.headers.iter().enumerate() {
        let c16 = c as u16;
        let grouped = form.groups.iter().any(|(_, a, b)| (*a..=*b).contains(&c16));
        if header_last == 2 && !grouped {
            ws.merge_range(1, c16, 2, c16, h, &head_fmt)?;
        } else {
            ws.write_string_with_format(header_last, c16, *h, &head_fmt)?;
        }
        ws.set_column_width(c16, form.width(c))?;
        if matches!(form.kind(c), Kind::Text | Kind::TextOrDate) {
            ws.set_column_format(c16, &text_column)?;
        }
    }
    for (label, a, b) in form.groups {
        if a == b {
            ws.write_string_with_format(1, *a, *label, &head_fmt)?;
        } else {
            ws.merge_range(1, *a, 1, *b, label, &head_fmt)?;
        }
    }
    let first_data = header_last + 1;
    for (r, row) in rows.iter().enumerate() {
        let r = first_data + r as u32;
        // Wrapped text needs a taller row: Excel and LibreOffice do not always fit it on opening.
        let lines = row
            .iter()
            .enumerate()
            .filter(|(c, _)| matches!(form.kind(*c), Kind::Text | Kind::TextOrDate))
            .map(|(c, v)| lines_in(v, form.width(c)))
            .max()
            .unwrap_or(1);
        if lines > 1 {
            ws.set_row_height(r, 15.0 * lines as f64 + 2.0)?;
        }
        for (c, v) in row.iter().enumerate() {
            let c16 = c as u16;
            match form.kind(c) {
                Kind::Int | Kind::Month => match v.trim().parse::<i64>() {
                    Ok(n) => {
                        let f = if form.kind(c) == Kind::Month {
                            &month_fmt
                        } else {
                            &int_fmt
                        };
                        ws.write_number_with_format(r, c16, n as f64, f)?;
                    }
                    Err(_) => {
                        ws.write_string_with_format(r, c16, v, &text_fmt)?;
                    }
                },
                Kind::TextOrDate if !is_day(v) => {
                    ws.write_string_with_format(r, c16, v, &text_fmt)?;
                }
                Kind::Date | Kind::TextOrDate => match crate::domain::dates::parse_date(v) {
                    Ok((y, m, d)) if v.len() == 10 => {
                        let day = ExcelDateTime::from_ymd(y as u16, m as u8, d as u8)?;
                        let f = if form.kind(c) == Kind::Date {
                            &date_fmt
                        } else {
                            &inline_date_fmt
                        };
                        ws.write_datetime_with_format(r, c16, &day, f)?;
                    }
                    _ => {
                        // A month only, as 1990年5月: a date cell would read back as the 1st.
                        let shown = match v.split_once('-') {
                            Some((y, m)) if v.len() == 7 => format!("{y}年{}月", m.trim_start_matches('0')),
                            _ => v.clone(),
                        };
                        ws.write_string_with_format(r, c16, &shown, &text_fmt)?;
                    }
                },
                Kind::Text => {
                    ws.write_string_with_format(r, c16, v, &text_fmt)?;
                }
            }
        }
    }
    ws.set_freeze_panes(first_data, 0)?;
    // Printing: A4 (paper size 9), one page wide, as many pages long as it takes.
    ws.set_paper_size(9);
    let total_width: f64 = (0..cols as usize).map(|c| form.width(c)).sum();
    if total_width > PORTRAIT_WIDTH {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, header_last)?;
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_header(format!("&L&9{}", form.sheet.replace('&', "&&")));
    ws.set_footer("&C&9第 &P 页，共 &N 页");
    Ok(wb.save_to_buffer()?)
}

/// How many lines a text takes in a wrapped cell `width` characters wide (a CJK character is two).
fn lines_in(text: &str, width: f64) -> usize {
    let room = (width - 1.0).max(2.0);
    text.split('\n')
        .map(|line| {
            let units: f64 = line.chars().map(|c| if c.is_ascii() { 1.1 } else { 2.0 }).sum();
            ((units / room).ceil() as usize).max(1)
        })
        .sum()
}

/// `YYYY-MM-DD`.
fn is_day(v: &str) -> bool {
    v.len() == 10 && crate::domain::dates::parse_date(v).is_ok()
}

/// A one-level form with every column text, for the reader's tests.
#[cfg(test)]
pub(crate) fn write_table(
    title: &str,
    headers: &[&str],
    widths: &[f64],
    rows: &[Vec<String>],
) -> anyhow::Result<Vec<u8>> {
    write_form(&Form::new("Sheet1", title, headers, widths), rows)
}

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_takes_more_lines() {
        assert_eq!(lines_in("", 10.0), 1);
        assert_eq!(lines_in("张三", 10.0), 1);
        // 40 CJK characters are 80 units: 9 lines of 9 units in a column 10 wide.
        assert_eq!(lines_in(&"字".repeat(40), 10.0), 9);
        assert_eq!(lines_in("一\n二\n三", 10.0), 3);
    }
}
