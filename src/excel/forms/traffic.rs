//! 附件3 文明交通行为劝导志愿者登记表: the traffic-persuasion volunteers of a unit (or everyone's).

use super::{write_list, Column};
use crate::db::traffic::TrafficVolunteer;
use crate::domain::politics::PoliticalStatus;
use crate::excel::{self, Kind};
use crate::i18n::{t, Lang};

pub const SHEET: &str = "附件3";
pub const TITLE: &str = "附件3 文明交通行为劝导志愿者登记表";

/// The columns an upload is read by: who to pick from the unit's rosters.
pub const UPLOAD_COLUMNS: &[excel::Column] = &[
    excel::Column {
        header: "姓名",
        aliases: &["名字"],
        required: true,
    },
    excel::Column {
        header: "证件号码",
        aliases: &["身份证号", "身份证号码", "公民身份号码"],
        required: false,
    },
    excel::Column {
        header: "联系电话",
        aliases: &["手机", "手机号", "手机号码", "电话", "联系方式"],
        required: true,
    },
];

fn columns() -> Vec<Column<'static, TrafficVolunteer>> {
    vec![
        Column::new("序号", 6.0, Kind::Int, |i, _| i.to_string()),
        Column::new("姓名", 10.0, Kind::Text, |_, x: &TrafficVolunteer| {
            x.volunteer.name.clone()
        }),
        Column::new("性别", 6.0, Kind::Text, |_, x: &TrafficVolunteer| {
            match x.volunteer.sex.as_str() {
                "M" => "男",
                "F" => "女",
                _ => "",
            }
            .to_string()
        }),
        Column::new("出生年月", 15.0, Kind::Date, |_, x: &TrafficVolunteer| {
            x.volunteer.birth_date.clone()
        }),
        Column::new("政治面貌", 12.0, Kind::Text, |_, x: &TrafficVolunteer| {
            PoliticalStatus::from_code(&x.volunteer.political_status)
                .map(|s| s.label().to_string())
                .unwrap_or_default()
        }),
        Column::new("证件号码", 21.0, Kind::Text, |_, x: &TrafficVolunteer| {
            x.volunteer.id_number.clone().unwrap_or_default()
        }),
        Column::new("联系电话", 14.0, Kind::Text, |_, x: &TrafficVolunteer| {
            x.volunteer.phone.clone()
        }),
        Column::new("工作单位", 20.0, Kind::Text, |_, x: &TrafficVolunteer| {
            x.unit_name.clone()
        }),
        Column::new("入选依据", 12.0, Kind::Text, |_, x: &TrafficVolunteer| {
            t(Lang::Zh, &x.reason)
        }),
        Column::new("培训情况", 16.0, Kind::Text, |_, x: &TrafficVolunteer| {
            if x.training_minutes > 0 {
                format!(
                    "{:.1} 小时{}",
                    x.training_minutes as f64 / 60.0,
                    if x.passed { "，合格" } else { "" }
                )
            } else {
                String::new()
            }
        }),
    ]
}

/// The list in the layout of 附件3 (as given: masked or in full).
pub fn write(list: &[TrafficVolunteer]) -> anyhow::Result<Vec<u8>> {
    write_list(SHEET, TITLE, &columns(), &[], list)
}

/// The blank form.
pub fn template() -> anyhow::Result<Vec<u8>> {
    write(&[])
}
