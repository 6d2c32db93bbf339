//! Reading what people upload: title rows, merged cells, columns in any order, line breaks in
//! headers, full-width text, notes under the table; within the limits of [`super::limits`].

use std::collections::BTreeMap;
use std::io::Cursor;
use std::time::Instant;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};

use super::limits::{self, Limit};
use super::MAX_ROWS;
use crate::domain::text::fold_width;
use crate::error::{AppError, FieldError};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::excel::write::write_table;
    use rust_xlsxwriter::{Format, Workbook};

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
