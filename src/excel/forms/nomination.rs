//! 推荐表 (the nomination form for commendation): its columns, each with the field it holds, and
//! the final list (表彰名单) written for the commendation decision.

use crate::excel::{self, Column, SheetRow};

/// The columns an uploaded form is read by, in the order of [`Read`]'s fields.
pub const COLUMNS: &[Column] = &[
    Column {
        header: "表彰类别",
        aliases: &["类别", "推荐类别", "奖项"],
        required: true,
    },
    Column {
        header: "推荐对象",
        aliases: &[
            "名称",
            "姓名",
            "推荐对象名称",
            "推荐对象（队伍/单位/社区名称或志愿者姓名）",
        ],
        required: true,
    },
    Column {
        header: "志愿者编号",
        aliases: &["编号"],
        required: false,
    },
    Column {
        header: "主要事迹",
        aliases: &["事迹", "先进事迹", "推荐理由"],
        required: true,
    },
];

/// Indexes into [`COLUMNS`] (and a read row's cells).
pub const CATEGORY: usize = 0;
pub const NOMINEE: usize = 1;
pub const VOLUNTEER_NO: usize = 2;
pub const DEED: usize = 3;

pub const TITLE: &str = "学雷锋志愿服务先进集体和个人推荐表";
const HEADERS: [&str; 7] = [
    "序号",
    "表彰类别",
    "推荐对象",
    "志愿者编号",
    "所在单位或社区",
    "推荐单位",
    "主要事迹",
];
const WIDTHS: [f64; 7] = [6.0, 16.0, 24.0, 14.0, 24.0, 20.0, 80.0];
const KINDS: [excel::Kind; 1] = [excel::Kind::Int];

/// The sheet as written (template and export).
pub fn sheet() -> excel::Form<'static> {
    excel::Form::new("推荐表", TITLE, &HEADERS, &WIDTHS).kinds(&KINDS)
}

/// One nomination as the form lists it.
pub struct Written<'a> {
    pub category: &'a str,
    pub nominee: &'a str,
    pub volunteer_no: &'a str,
    pub org: &'a str,
    pub by: &'a str,
    pub deed: &'a str,
}

/// The rows of the form, numbered from 1.
pub fn rows<'a>(items: impl IntoIterator<Item = Written<'a>>) -> Vec<Vec<String>> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            vec![
                (i + 1).to_string(),
                w.category.to_string(),
                w.nominee.to_string(),
                w.volunteer_no.to_string(),
                w.org.to_string(),
                w.by.to_string(),
                w.deed.to_string(),
            ]
        })
        .collect()
}

/// What a read row names (cleaned).
pub struct Read {
    pub category: String,
    pub nominee: String,
    pub volunteer_no: String,
    pub deed: String,
}

impl Read {
    pub fn from_row(r: &SheetRow) -> Read {
        use crate::domain::text::clean_name;
        Read {
            category: clean_name(&r.cells[CATEGORY]),
            nominee: clean_name(&r.cells[NOMINEE]),
            volunteer_no: r.cells[VOLUNTEER_NO].trim().to_uppercase(),
            deed: r.cells[DEED].trim().to_string(),
        }
    }
}

pub const FINAL_TITLE: &str = "学雷锋志愿服务先进集体和个人表彰名单";
const FINAL_HEADERS: [&str; 5] = ["序号", "表彰类别", "名称", "所在单位或社区", "荣誉证书编号"];
const FINAL_WIDTHS: [f64; 5] = [6.0, 18.0, 28.0, 28.0, 26.0];

/// The final list's sheet.
pub fn final_sheet() -> excel::Form<'static> {
    excel::Form::new("表彰名单", FINAL_TITLE, &FINAL_HEADERS, &FINAL_WIDTHS).kinds(&KINDS)
}
