//! 附件4 志愿者服务登记表: a team's registration with a paired community, as label and value rows.
//! Each item knows the field it is filled from; the first seven are the blank form's, and those
//! marked required must be filled in an upload.

use crate::db::checkins::CheckIn;
use crate::db::teams::Team;
use crate::domain::campaign::date_of;
use crate::domain::text::{clean_name, fold_width};
use crate::excel::{self, Form, Kind};

/// What the filled-in form is written from.
pub struct Filled<'a> {
    pub team: &'a Team,
    pub checkin: &'a CheckIn,
    pub members: usize,
    pub managers: usize,
}

/// One item of the form: its label, whether an upload must fill it, and its value.
pub struct Item {
    pub label: &'static str,
    pub required: bool,
    pub value: fn(&Filled) -> String,
}

const fn item(label: &'static str, required: bool, value: fn(&Filled) -> String) -> Item {
    Item { label, required, value }
}

/// The items in the form's order.
pub const ITEMS: [Item; 11] = [
    item("文明单位", false, |f| f.team.org_name.clone()),
    item("志愿服务队名称", true, |f| f.team.name.clone()),
    item("负责人", true, |f| {
        format!("{} {}", f.team.leader_name, f.team.leader_phone)
    }),
    item("联系人", true, |f| {
        format!("{} {}", f.team.contact_name, f.team.contact_phone)
    }),
    item("报到社区", true, |f| {
        format!("{} {}", f.checkin.street_name, f.checkin.community_name)
    }),
    item("志愿者人数", false, |f| {
        format!("{}（其中管理人员 {} 人）", f.members, f.managers)
    }),
    item("服务类别", false, |f| f.team.categories.labels()),
    item("报到时间", false, |f| date_of(f.checkin.filed_at)),
    item("街道转交", false, |f| {
        f.checkin.forwarded_at.map(date_of).unwrap_or_default()
    }),
    item("社区确认", false, |f| {
        f.checkin.confirmed_at.map(date_of).unwrap_or_default()
    }),
    item("长效活动方案", false, |f| f.checkin.plan_text.clone()),
];

/// The items of the blank form (what an upload is read for).
pub const BLANK_ITEMS: usize = 7;

/// The columns an upload is read by.
pub const UPLOAD_COLUMNS: &[excel::Column] = &[
    excel::Column {
        header: "项目",
        aliases: &["名称", "事项"],
        required: true,
    },
    excel::Column {
        header: "内容",
        aliases: &["填写内容", "情况"],
        required: true,
    },
];

/// The layout: label and value rows; the plan's long text wraps.
fn form() -> Form<'static> {
    Form::new("附件4", "附件4 志愿者服务登记表", &["项目", "内容"], &[18.0, 70.0])
        .kinds(&[Kind::Text, Kind::TextOrDate])
}

/// The form filled in.
pub fn write(f: &Filled) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = ITEMS.iter().map(|i| vec![i.label.to_string(), (i.value)(f)]).collect();
    excel::write_form(&form(), &rows)
}

/// The blank form.
pub fn template() -> anyhow::Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = ITEMS[..BLANK_ITEMS]
        .iter()
        .map(|i| vec![i.label.to_string(), String::new()])
        .collect();
    excel::write_form(&form(), &rows)
}

/// "张三 13812345678" → the name (as typed) and the phone (full-width digits read as digits).
pub fn person_and_phone(s: &str) -> (String, String) {
    let digits_at = s
        .find(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c))
        .unwrap_or(s.len());
    (clean_name(&s[..digits_at]), fold_width(&s[digits_at..]))
}
