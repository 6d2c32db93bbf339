//! The official forms as Excel files: reading what people upload (title rows, merged cells,
//! columns in any order, line breaks in headers, full-width text) and writing the same layout.

pub mod forms;
pub mod limits;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::time::Instant;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use rust_xlsxwriter::{Format, FormatBorder, Workbook};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::text::fold_width;
use crate::error::{AppError, FieldError};
pub use limits::Limit;

/// The largest upload accepted, and the most data rows.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 20_000;

/// One problem in an uploaded sheet, located as Excel shows it.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct CellError {
    /// The row number as Excel shows it (1-based).
    pub row: usize,
    /// The column header the cell is under.
    pub column: String,
    /// What the cell holds.
    pub value: String,
    /// What is wrong and how to fix it, in the caller's language.
    pub message: String,
}

/// What an import answers, dry run or not.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// Data rows read (blank rows and the lines above the header are not counted).
    pub rows: usize,
    /// Rows without problems.
    pub accepted: usize,
    /// Rows written (0 on a dry run or when any row has a problem).
    pub created: usize,
    /// Rows that were already recorded and were left as they are.
    pub unchanged: usize,
    /// Rows that matched a person already on record (by ID number, else name and phone) and
    /// were linked to it rather than copied.
    pub linked: usize,
    pub dry_run: bool,
    pub errors: Vec<CellError>,
    /// Values accepted (and imported) but doubtful, located like errors: the clerk should check
    /// them. Only warnings still answer 200.
    pub warnings: Vec<CellError>,
    /// The roster had been submitted or accepted and this upload changes it: it goes back to
    /// draft and must be submitted again (said on the dry run, before anything is written).
    pub resubmission_needed: bool,
}

impl ImportReport {
    /// Each problem as a sentence, row and column first.
    pub fn messages(&self, lang: crate::i18n::Lang) -> Vec<String> {
        self.errors
            .iter()
            .map(|e| {
                let params = [
                    ("row", e.row.to_string()),
                    ("column", e.column.clone()),
                    ("value", e.value.clone()),
                    ("message", e.message.clone()),
                ];
                crate::i18n::tf(lang, "import.cell", &params)
            })
            .collect()
    }
}

/// What an import may answer with 422: the report of the rows with problems, or an error body
/// when the upload itself is refused (no file, not an Excel file, a missing column).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImportRefused {
    Report(ImportReport),
    Error(crate::error::ErrorBody),
}

/// A data row: its Excel row number and each expected column's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetRow {
    pub row: usize,
    pub cells: Vec<String>,
}

/// Why a file could not be read at all.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    NotExcel,
    /// An old binary .xls file: it cannot be read within bounds, so it is refused with a
    /// request to save it as .xlsx.
    Legacy,
    Empty,
    /// The header row was not found; these columns are missing.
    NoHeader(Vec<String>),
    TooManyRows(usize),
    /// The file goes over a limit on what reading it may cost.
    Limit(Limit),
}

/// A column the importer looks for: its header in the template and other headers people use.
pub struct Column {
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        // As typed (full-width punctuation kept); each field folds what it reads as a number or code.
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // A date cell shows as the date (a time of day, if any, is dropped).
        Data::DateTime(dt) => {
            let serial = dt.as_f64().floor() as i64;
            crate::domain::dates::parse_date(&serial.to_string())
                .map(crate::domain::dates::format_ymd)
                .unwrap_or_else(|_| serial.to_string())
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(_) => String::new(),
    }
}

/// A header as compared: no spaces, line breaks or punctuation around it, full-width folded.
fn normalise_header(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：' | '(' | ')' | '（' | '）'))
        .collect()
}

/// Reads the first sheet: finds the header row among the first 20 rows, maps the columns by
/// header whatever their order, fills merged cells down, and returns the data rows until the
/// end (blank rows and a signature line under the table are skipped).
///
/// Only .xlsx is read, within the limits of [`limits`] and by `deadline`; only the cells present
/// are kept, so memory follows what the file holds, never the size it declares.
pub fn read_sheet(bytes: &[u8], columns: &[Column], deadline: Instant) -> Result<Vec<SheetRow>, ReadError> {
    limits::inspect(bytes, deadline)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| ReadError::NotExcel)?;
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Err(ReadError::Empty);
    };
    let merges = match wb.worksheet_merge_cells(&name) {
        Some(Ok(m)) => m,
        _ => vec![],
    };
    let mut grid = read_cells(&mut wb, &name, deadline)?;
    let (Some(&start_row), Some(&end_row)) = (grid.keys().next(), grid.keys().next_back()) else {
        return Err(ReadError::Empty);
    };
    let start_col = grid
        .values()
        .filter_map(|r| r.keys().next())
        .min()
        .copied()
        .unwrap_or(0);
    let end_col = grid
        .values()
        .filter_map(|r| r.keys().next_back())
        .max()
        .copied()
        .unwrap_or(0);
    // A merged cell holds its value in its top-left corner only: give it to every cell it covers
    // (within the cells present, as far as the merged-area limit allows).
    let inside = |r: u32, c: u32| (start_row..=end_row).contains(&r) && (start_col..=end_col).contains(&c);
    let mut merged = 0u64;
    for m in merges {
        if !inside(m.start.0, m.start.1) {
            continue;
        }
        let value = grid
            .get(&m.start.0)
            .and_then(|row| row.get(&m.start.1))
            .cloned()
            .unwrap_or_default();
        let (last_row, last_col) = (m.end.0.min(end_row), m.end.1.min(end_col));
        if last_row < m.start.0 || last_col < m.start.1 {
            continue;
        }
        merged += u64::from(last_row - m.start.0 + 1) * u64::from(last_col - m.start.1 + 1);
        if merged > limits::MAX_MERGED_CELLS {
            return Err(Limit::Merged.into());
        }
        for r in m.start.0..=last_row {
            let row = grid.entry(r).or_default();
            for c in m.start.1..=last_col {
                if value.is_empty() {
                    row.remove(&c);
                } else {
                    row.insert(c, value.clone());
                }
            }
        }
    }
    // A row as the columns from the first to the last one used (at most the column limit).
    let dense = |r: u32| -> Vec<String> {
        let mut out = vec![String::new(); (end_col - start_col + 1) as usize];
        if let Some(row) = grid.get(&r) {
            for (c, v) in row {
                out[(c - start_col) as usize] = v.clone();
            }
        }
        out
    };
    let find = |row: &[String]| -> Vec<Option<usize>> {
        columns
            .iter()
            .map(|c| {
                row.iter().position(|h| {
                    let h = normalise_header(h);
                    !h.is_empty() && (h == c.header || c.aliases.contains(&h.as_str()))
                })
            })
            .collect()
    };
    let top: Vec<(u32, Vec<String>)> = (start_row..=end_row).take(20).map(|r| (r, dense(r))).collect();
    let mut best: Option<(u32, Vec<Option<usize>>)> = None;
    for (r, row) in &top {
        let found = find(row);
        let required_ok = columns.iter().zip(&found).all(|(c, f)| !c.required || f.is_some());
        if required_ok {
            best = Some((*r, found));
            break;
        }
    }
    let Some((header_row, positions)) = best else {
        // Name what is missing against the row that matched most.
        let most = top
            .iter()
            .map(|(_, r)| find(r))
            .max_by_key(|f| f.iter().filter(|x| x.is_some()).count());
        let missing = columns
            .iter()
            .zip(most.unwrap_or_default().iter().chain(std::iter::repeat(&None)))
            .filter(|(c, f)| c.required && f.is_none())
            .map(|(c, _)| c.header.to_string())
            .collect();
        return Err(ReadError::NoHeader(missing));
    };
    let mut out = vec![];
    for &r in grid.range(header_row + 1..).map(|(r, _)| r) {
        let row = dense(r);
        let cells: Vec<String> = positions
            .iter()
            .map(|p| p.and_then(|p| row.get(p)).cloned().unwrap_or_default())
            .collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        // A note or a signature under the table ("填表人：…  审核人：…"), or a line merged across
        // the whole table, is not a person.
        let filled: Vec<&String> = row.iter().filter(|c| !c.is_empty()).collect();
        let merged_line = filled.len() > 1 && filled.iter().all(|c| *c == filled[0]);
        if merged_line || filled.first().is_some_and(|c| is_footer(c)) {
            continue;
        }
        out.push(SheetRow {
            row: r as usize + 1,
            cells,
        });
        if out.len() > MAX_ROWS {
            return Err(ReadError::TooManyRows(MAX_ROWS));
        }
    }
    Ok(out)
}

/// The filled cells of a worksheet as text, by row then column, read one at a time: a cell past
/// the row or column limit, too many cells, or the deadline stops the reading.
fn read_cells<RS: std::io::Read + std::io::Seek>(
    wb: &mut Xlsx<RS>,
    name: &str,
    deadline: Instant,
) -> Result<BTreeMap<u32, BTreeMap<u32, String>>, ReadError> {
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(XlsxError::NotAWorksheet(_)) => return Err(ReadError::Empty),
        Err(_) => return Err(ReadError::NotExcel),
    };
    let mut grid: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    let mut seen = 0usize;
    while let Some(cell) = reader.next_cell().map_err(|_| ReadError::NotExcel)? {
        seen += 1;
        if seen > limits::MAX_CELLS {
            return Err(Limit::Cells.into());
        }
        if seen.is_multiple_of(1024) && Instant::now() > deadline {
            return Err(Limit::Time.into());
        }
        let (r, c) = cell.get_position();
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        if r >= limits::MAX_SHEET_ROWS || c >= limits::MAX_COLUMNS {
            return Err(Limit::Beyond(limits::cell_name(r, c)).into());
        }
        grid.entry(r)
            .or_default()
            .insert(c, cell_text(&Data::from(cell.get_value().clone())));
    }
    Ok(grid)
}

/// The refusal of an upload that went over a limit, on the field `file`.
pub fn limit_error(limit: &Limit) -> AppError {
    let (key, params) = limit.message();
    let mut e = FieldError::new("file", key);
    for (name, value) in params {
        e = e.with(name, value);
    }
    AppError::Validation(vec![e])
}

/// The refusal of a file that could not be read, on the field `file`.
pub fn read_error(e: ReadError) -> AppError {
    AppError::Validation(vec![match e {
        ReadError::NotExcel => FieldError::new("file", "err.not_xlsx"),
        ReadError::Legacy => FieldError::new("file", "err.xls_legacy"),
        ReadError::Empty => FieldError::new("file", "err.empty_sheet"),
        ReadError::NoHeader(missing) => FieldError::new("file", "err.no_header").with("columns", missing.join("、")),
        ReadError::TooManyRows(n) => FieldError::new("file", "err.too_many_rows").with("max", n),
        ReadError::Limit(limit) => return limit_error(&limit),
    }])
}

fn is_footer(text: &str) -> bool {
    let t = text.trim();
    const NOTES: [&str; 15] = [
        "填表人",
        "制表人",
        "审核人",
        "负责人签字",
        "单位负责人",
        "签字",
        "盖章",
        "单位（盖章）",
        "联系电话：",
        "填报日期",
        "填表日期",
        "日期：",
        "备注：",
        "说明：",
        "注：",
    ];
    NOTES.iter().any(|k| t.starts_with(k))
}

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
fn write_table(title: &str, headers: &[&str], widths: &[f64], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
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

    const COLS: &[Column] = &[
        Column {
            header: "文明单位",
            aliases: &["单位名称", "单位"],
            required: true,
        },
        Column {
            header: "街道",
            aliases: &["所在街道"],
            required: true,
        },
        Column {
            header: "社区",
            aliases: &["结对社区", "社区名称"],
            required: true,
        },
    ];

    fn read_now(bytes: &[u8], columns: &[Column]) -> Result<Vec<SheetRow>, ReadError> {
        read_sheet(bytes, columns, Instant::now() + limits::TIME_BUDGET)
    }

    #[test]
    fn reads_back_what_it_writes_with_title_and_footer() {
        let rows = vec![
            vec!["1".into(), "区税务局".into(), "东湖街道".into(), "春晓社区".into()],
            vec!["2".into(), "区一中".into(), "东湖街道".into(), "秋实社区".into()],
        ];
        let bytes = write_table("附件1", &["序号", "文明单位", "街道", "社区"], &[], &rows).unwrap();
        let read = read_now(&bytes, COLS).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].row, 3);
        assert_eq!(read[1].cells, vec!["区一中", "东湖街道", "秋实社区"]);
    }

    #[test]
    fn header_with_line_break_and_other_order() {
        let rows = vec![
            vec!["春晓社区".into(), "区税务局".into(), "东湖街道".into()],
            vec!["填表人：张三".into()],
        ];
        let bytes = write_table("t", &["结对\n社区", "单位 名称", "所在街道"], &[], &rows).unwrap();
        let read = read_now(&bytes, COLS).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].cells, vec!["区税务局", "东湖街道", "春晓社区"]);
    }

    #[test]
    fn merged_cells_fill_the_cells_they_cover() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["文明单位", "街道", "社区"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.merge_range(1, 0, 2, 0, "区税务局", &Format::new()).unwrap();
        ws.write_string(1, 1, "东湖街道").unwrap();
        ws.write_string(2, 1, "东湖街道").unwrap();
        ws.write_string(1, 2, "春晓社区").unwrap();
        ws.write_string(2, 2, "秋实社区").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let read = read_now(&bytes, COLS).unwrap();
        assert_eq!(read[1].cells, vec!["区税务局", "东湖街道", "秋实社区"]);
    }

    #[test]
    fn notes_and_merged_lines_under_the_table_are_not_rows() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["文明单位", "街道", "社区"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "区税务局").unwrap();
        ws.write_string(1, 1, "东湖街道").unwrap();
        ws.write_string(1, 2, "春晓社区").unwrap();
        ws.merge_range(3, 0, 3, 2, "张三  2026年4月19日", &Format::new())
            .unwrap();
        ws.write_string(4, 0, "填表人：张三").unwrap();
        ws.write_string(4, 2, "审核人：李四").unwrap();
        let read = read_now(&wb.save_to_buffer().unwrap(), COLS).unwrap();
        assert_eq!(read.len(), 1);
    }

    #[test]
    fn date_cells_read_as_dates() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["文明单位", "街道", "社区"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let d = rust_xlsxwriter::ExcelDateTime::parse_from_str("1990-05-03T08:00:00").unwrap();
        ws.write_datetime_with_format(1, 0, &d, &Format::new().set_num_format("yyyy-mm-dd hh:mm"))
            .unwrap();
        ws.write_string(1, 1, "东湖街道").unwrap();
        ws.write_string(1, 2, "春晓社区").unwrap();
        let read = read_now(&wb.save_to_buffer().unwrap(), COLS).unwrap();
        assert_eq!(read[0].cells[0], "1990-05-03");
    }

    #[test]
    fn missing_header_is_named_and_garbage_is_refused() {
        let bytes = write_table("t", &["单位", "街道"], &[], &[]).unwrap();
        assert_eq!(read_now(&bytes, COLS), Err(ReadError::NoHeader(vec!["社区".into()])));
        assert_eq!(read_now(b"not a spreadsheet", COLS).unwrap_err(), ReadError::NotExcel);
    }
}
