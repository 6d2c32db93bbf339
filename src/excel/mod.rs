//! The official forms as Excel files: reading what people upload (title rows, merged cells,
//! columns in any order, line breaks in headers, full-width text) and writing the same layout.
//!
//! [`read`] reads an uploaded sheet into rows, [`write`] writes a form's layout; the forms
//! themselves (which column holds which field) are in `forms/`. Nothing here builds an HTTP
//! response.

pub mod forms;
pub mod limits;
pub mod read;
pub mod write;

use serde::Serialize;
use utoipa::ToSchema;

pub use limits::Limit;
pub use read::{limit_error, read_error, read_sheet, Column, ReadError, SheetRow};
pub use write::{write_form, Form, Kind, XLSX_MIME};

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
    /// The report of an upload checked row by row: `rows` read, `accepted` without problems, the
    /// `errors` found, and one more when the sheet held no data row at all. Nothing written yet.
    pub fn checked(
        rows: usize,
        accepted: usize,
        dry_run: bool,
        mut errors: Vec<CellError>,
        lang: crate::i18n::Lang,
    ) -> ImportReport {
        if rows == 0 {
            errors.push(CellError {
                row: 0,
                column: String::new(),
                value: String::new(),
                message: crate::i18n::t(lang, "err.no_rows"),
            });
        }
        ImportReport {
            rows,
            accepted,
            created: 0,
            unchanged: 0,
            linked: 0,
            dry_run,
            errors,
            warnings: vec![],
            resubmission_needed: false,
        }
    }

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
