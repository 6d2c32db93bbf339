//! 附件2 志愿者队伍基本情况登记表: a team's roster, one person a row.

use crate::domain::campaign::Categories;
use crate::domain::politics::PoliticalStatus;
use crate::domain::volunteer::{id_type_label, Person, RawVolunteer};
use crate::excel::{self, Column, Kind, SheetRow};

pub const TITLE: &str = "附件2 志愿者队伍基本情况登记表";
const SHEET: &str = "附件2";

/// The columns the importer looks for, in the template's order; [`FIELDS`] names the field each
/// holds.
pub const COLUMNS: &[Column] = &[
    Column {
        header: "姓名",
        aliases: &["名字", "志愿者姓名"],
        required: true,
    },
    Column {
        header: "性别",
        aliases: &[],
        required: false,
    },
    Column {
        header: "出生年月",
        aliases: &["出生日期", "出生年月日", "生日"],
        required: false,
    },
    Column {
        header: "政治面貌",
        aliases: &["政治身份"],
        required: false,
    },
    Column {
        header: "证件类型",
        aliases: &[],
        required: false,
    },
    Column {
        header: "证件号码",
        aliases: &["身份证号", "身份证号码", "公民身份号码", "身份证"],
        required: false,
    },
    Column {
        header: "联系电话",
        aliases: &["手机", "手机号", "手机号码", "电话", "联系方式", "电话号码"],
        required: true,
    },
    Column {
        header: "居住区域",
        aliases: &["居住地", "住址", "现居住地", "居住地址", "家庭住址"],
        required: false,
    },
    Column {
        header: "工作单位",
        aliases: &["单位", "所在单位"],
        required: false,
    },
    Column {
        header: "职务",
        aliases: &["职位", "岗位", "职务职称"],
        required: false,
    },
    Column {
        header: "专业特长",
        aliases: &["特长", "专长", "技能", "专业技能"],
        required: false,
    },
    Column {
        header: "服务类别",
        aliases: &["服务类型", "服务项目", "志愿服务类别"],
        required: false,
    },
    Column {
        header: "管理人员",
        aliases: &["是否管理人员", "是否为管理人员", "管理人员是否"],
        required: false,
    },
    Column {
        header: "监护人",
        aliases: &["监护人姓名"],
        required: false,
    },
    Column {
        header: "监护人电话",
        aliases: &["监护人联系电话"],
        required: false,
    },
];

/// The field of each of [`COLUMNS`], in the same order.
pub const FIELDS: [&str; 15] = [
    "name",
    "sex",
    "birth_date",
    "political_status",
    "id_type",
    "id_number",
    "phone",
    "residence",
    "employer",
    "post",
    "skills",
    "categories",
    "is_manager",
    "guardian_name",
    "guardian_phone",
];

const KINDS: [Kind; 4] = [Kind::Int, Kind::Text, Kind::Text, Kind::Date];

const WIDTHS: [f64; 16] = [
    6.0, 10.0, 6.0, 15.0, 12.0, 12.0, 21.0, 14.0, 16.0, 20.0, 10.0, 14.0, 20.0, 9.0, 10.0, 14.0,
];

/// The column (index into [`COLUMNS`] and a row's cells) that holds `field`.
pub fn column_of(field: &str) -> usize {
    FIELDS.iter().position(|f| *f == field).unwrap_or(0)
}

fn headers() -> Vec<&'static str> {
    std::iter::once("序号")
        .chain(COLUMNS.iter().map(|c| c.header))
        .collect()
}

fn write(title: &str, rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let headers = headers();
    excel::write_form(&excel::Form::new(SHEET, title, &headers, &WIDTHS).kinds(&KINDS), rows)
}

/// The blank form, with an example line (which the importer skips).
pub fn template() -> anyhow::Result<Vec<u8>> {
    let example = vec![vec![
        "例".into(),
        "张三（示例行，请删除）".into(),
        "男".into(),
        "1990.05".into(),
        "共青团员".into(),
        "居民身份证".into(),
        String::new(),
        "13800000000".into(),
        "东湖街道".into(),
        String::new(),
        String::new(),
        "摄影".into(),
        "1、7".into(),
        "否".into(),
        String::new(),
        String::new(),
    ]];
    write(TITLE, &example)
}

/// One roster line: the person (as shown to the one exporting), their categories in the team
/// and whether they are a manager.
pub struct Line<'a> {
    pub person: &'a Person,
    pub categories: &'a Categories,
    pub is_manager: bool,
}

/// A team's roster in the layout of the form, titled with the org and the team.
pub fn write_roster(org: &str, team: &str, lines: &[Line]) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = l.person;
            vec![
                (i + 1).to_string(),
                p.name.clone(),
                match p.sex.as_str() {
                    "M" => "男".into(),
                    "F" => "女".into(),
                    _ => String::new(),
                },
                p.birth_date.clone(),
                PoliticalStatus::from_code(&p.political_status)
                    .map(|s| s.label().to_string())
                    .unwrap_or_default(),
                id_type_label(&p.id_type).to_string(),
                p.id_number.clone().unwrap_or_default(),
                p.phone.clone(),
                p.residence.clone(),
                p.employer.clone(),
                p.post.clone(),
                p.skills.clone(),
                l.categories.labels(),
                if l.is_manager { "是".into() } else { "否".into() },
                p.guardian_name.clone(),
                p.guardian_phone.clone(),
            ]
        })
        .collect();
    write(&format!("{TITLE}（{org} · {team}）"), &rows)
}

/// The file name of a team's roster.
pub fn file_name(org: &str, team: &str) -> String {
    format!("附件2-{org}-{team}.xlsx")
}

pub const TEMPLATE_FILE_NAME: &str = "附件2-志愿者队伍基本情况登记表-模板.xlsx";

/// The template's example line is not data.
pub fn is_example(row: &SheetRow) -> bool {
    row.cells[0].contains("示例")
}

/// A row's cells as typed, field by field.
pub fn raw(row: &SheetRow) -> RawVolunteer {
    let cell = |field: &str| row.cells.get(column_of(field)).cloned().unwrap_or_default();
    RawVolunteer {
        name: cell("name"),
        sex: cell("sex"),
        birth_date: cell("birth_date"),
        id_type: cell("id_type"),
        id_number: cell("id_number"),
        phone: cell("phone"),
        residence: cell("residence"),
        political_status: cell("political_status"),
        employer: cell("employer"),
        post: cell("post"),
        skills: cell("skills"),
        categories: cell("categories"),
        is_manager: cell("is_manager"),
        guardian_name: cell("guardian_name"),
        guardian_phone: cell("guardian_phone"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_knows_its_field() {
        assert_eq!(COLUMNS.len(), FIELDS.len());
        assert_eq!(COLUMNS[column_of("id_number")].header, "证件号码");
        assert_eq!(COLUMNS[column_of("phone")].header, "联系电话");
    }
}
