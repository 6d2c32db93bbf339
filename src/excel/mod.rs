//! The official forms as Excel files: reading what people upload (title rows, merged cells,
//! columns in any order, line breaks in headers, full-width text) and writing the same layout.

pub mod limits;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::time::Instant;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::text::fold_width;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::upload;
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

/// An upload's report answers 200 when every row is fine, 422 when any row has a problem.
impl axum::response::IntoResponse for ImportReport {
    fn into_response(self) -> axum::response::Response {
        let status = if self.errors.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        };
        (status, axum::Json(self)).into_response()
    }
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
        Data::String(s) => fold_width(s),
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

/// Reads an uploaded sheet as [`read_sheet`] does, off the async runtime and within the upload
/// limits; every upload of a form goes through here. A file that cannot be read is refused on
/// the field `file` with a message naming the problem or the limit.
pub async fn read(state: &crate::app::AppState, bytes: &[u8], columns: &'static [Column]) -> AppResult<Vec<SheetRow>> {
    let bytes = bytes.to_vec();
    upload::off_runtime(&state.uploads, move |deadline| read_sheet(&bytes, columns, deadline))
        .await?
        .map_err(read_error)
}

/// Checks a zip-based Office attachment (.xlsx, .docx) that is stored rather than read: its
/// parts must unpack within the same limits, so a zip bomb is not kept and handed on.
pub async fn check_package(state: &crate::app::AppState, bytes: &[u8]) -> AppResult<()> {
    let bytes = bytes.to_vec();
    upload::off_runtime(&state.uploads, move |deadline| limits::inspect(&bytes, deadline))
        .await?
        .map_err(read_error)
}

/// The refusal of a file that could not be read, on the field `file`.
pub fn read_error(e: ReadError) -> AppError {
    AppError::Validation(vec![match e {
        ReadError::NotExcel => FieldError::new("file", "err.not_xlsx"),
        ReadError::Legacy => FieldError::new("file", "err.xls_legacy"),
        ReadError::Empty => FieldError::new("file", "err.empty_sheet"),
        ReadError::NoHeader(missing) => FieldError::new("file", "err.no_header").with("columns", missing.join("、")),
        ReadError::TooManyRows(n) => FieldError::new("file", "err.too_many_rows").with("max", n),
        ReadError::Limit(limit) => return upload::limit_error(&limit),
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

/// A workbook in the official layout: a title row over the header, then the rows.
pub fn write_table(title: &str, headers: &[&str], widths: &[f64], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let title_fmt = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let head_fmt = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell_fmt = Format::new().set_border(FormatBorder::Thin);
    let last_col = headers.len().saturating_sub(1) as u16;
    if last_col > 0 {
        ws.merge_range(0, 0, 0, last_col, title, &title_fmt)?;
    } else {
        ws.write_string_with_format(0, 0, title, &title_fmt)?;
    }
    ws.set_row_height(0, 28)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &head_fmt)?;
        ws.set_column_width(c as u16, widths.get(c).copied().unwrap_or(16.0))?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            // Everything as text: phone and ID numbers must not turn into 1.38E+10.
            ws.write_string_with_format(r as u32 + 2, c as u16, v, &cell_fmt)?;
        }
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(wb.save_to_buffer()?)
}

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An .xlsx file to download: `fallback` is a plain name for old clients, `name` the real one
/// (Chinese names travel as RFC 5987 `filename*`).
pub fn download(bytes: Vec<u8>, fallback: &str, name: &str) -> axum::response::Response {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        crate::web::urlencode(name)
    );
    (
        [
            (CONTENT_TYPE, XLSX_MIME.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

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
