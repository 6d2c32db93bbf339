//! The official forms, one file each: every column knows its header, its width, its kind of cell
//! and the field it is written from (and, where the form is uploaded, the columns it is read by).

pub mod board;
pub mod calendar;
pub mod checkin;
pub mod compliance;
pub mod monthly;
pub mod nomination;
pub mod pairing;
pub mod roster;
pub mod traffic;

use super::{write_form, Form, Kind};

/// How a column writes a row's value, from the row's number (counted from 1) and the row.
pub type Value<'a, T> = Box<dyn Fn(usize, &T) -> String + 'a>;

/// One column of a list form: its header, width and kind, and how a row's value is written
/// (from the row's number, counted from 1, and the row).
pub struct Column<'a, T> {
    pub header: String,
    pub width: f64,
    pub kind: Kind,
    pub value: Value<'a, T>,
}

impl<'a, T> Column<'a, T> {
    pub fn new(
        header: impl Into<String>,
        width: f64,
        kind: Kind,
        value: impl Fn(usize, &T) -> String + 'a,
    ) -> Column<'a, T> {
        Column {
            header: header.into(),
            width,
            kind,
            value: Box::new(value),
        }
    }
}

/// A list form: the sheet's name, the title, the columns, the upper header level over some of
/// them, and one row per item.
pub fn write_list<T>(
    sheet: &str,
    title: &str,
    columns: &[Column<T>],
    groups: &[(&str, u16, u16)],
    items: &[T],
) -> anyhow::Result<Vec<u8>> {
    let headers: Vec<&str> = columns.iter().map(|c| c.header.as_str()).collect();
    let widths: Vec<f64> = columns.iter().map(|c| c.width).collect();
    let kinds: Vec<Kind> = columns.iter().map(|c| c.kind).collect();
    let rows: Vec<Vec<String>> = items
        .iter()
        .enumerate()
        .map(|(i, x)| columns.iter().map(|c| (c.value)(i + 1, x)).collect())
        .collect();
    let form = Form::new(sheet, title, &headers, &widths).kinds(&kinds).groups(groups);
    write_form(&form, &rows)
}
