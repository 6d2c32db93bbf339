//! 附件1 文明单位与社区结对表: the pairing table's columns, each with the field it holds.

use crate::domain::org::UnitLevel;
use crate::excel::{self, Column, SheetRow};

/// The columns an uploaded table is read by, in the order of [`Read`]'s fields.
pub const COLUMNS: &[Column] = &[
    Column {
        header: "文明单位",
        aliases: &["单位名称", "单位", "文明单位名称"],
        required: true,
    },
    Column {
        header: "单位级别",
        aliases: &["级别", "文明单位级别"],
        required: false,
    },
    Column {
        header: "街道",
        aliases: &["所在街道", "街道名称", "结对街道"],
        required: true,
    },
    Column {
        header: "社区",
        aliases: &["结对社区", "社区名称"],
        required: true,
    },
];

/// Indexes into [`COLUMNS`] (and a read row's cells).
pub const UNIT: usize = 0;
pub const STREET: usize = 2;
pub const COMMUNITY: usize = 3;

pub const TITLE: &str = "附件1 文明单位与社区结对表";
const HEADERS: [&str; 5] = ["序号", "文明单位", "单位级别", "街道", "社区"];
const WIDTHS: [f64; 5] = [6.0, 32.0, 10.0, 16.0, 20.0];
const KINDS: [excel::Kind; 1] = [excel::Kind::Int];

/// The sheet as written (template and export).
pub fn sheet() -> excel::Form<'static> {
    excel::Form::new("附件1", TITLE, &HEADERS, &WIDTHS).kinds(&KINDS)
}

/// One pairing as the table lists it.
pub struct Written<'a> {
    pub unit: &'a str,
    /// The unit's level, if known.
    pub level: Option<UnitLevel>,
    pub street: &'a str,
    pub community: &'a str,
}

/// The rows of the table, numbered from 1.
pub fn rows<'a>(pairings: impl IntoIterator<Item = Written<'a>>) -> Vec<Vec<String>> {
    pairings
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                p.unit.to_string(),
                p.level.map(UnitLevel::label).unwrap_or("").to_string(),
                p.street.to_string(),
                p.community.to_string(),
            ]
        })
        .collect()
}

/// What a read row of an uploaded table names (cleaned).
pub struct Read {
    pub unit: String,
    pub street: String,
    pub community: String,
}

impl Read {
    pub fn from_row(r: &SheetRow) -> Read {
        use crate::domain::text::clean_name;
        Read {
            unit: clean_name(&r.cells[UNIT]),
            street: clean_name(&r.cells[STREET]),
            community: clean_name(&r.cells[COMMUNITY]),
        }
    }
}
