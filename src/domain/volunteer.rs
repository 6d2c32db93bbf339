//! A volunteer's basic information (办法 Art 5) as typed on a form or a roster row: checked and
//! normalised field by field, with the resident ID, sex and birth date agreeing.

use super::campaign::{age_on, parse_categories, Category};
use super::dates::{format_ymd, parse_year_month};
use super::id_number::{ResidentId, Sex};
use super::phone::Phone;
use super::politics::PoliticalStatus;
use super::text::{clean_name, fold_width};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// ID document types (证件类型); the resident ID card is the common one.
pub const ID_TYPES: [(&str, &str); 5] = [
    ("resident_id", "居民身份证"),
    ("passport", "护照"),
    ("hk_macao_pass", "港澳居民来往内地通行证"),
    ("taiwan_pass", "台湾居民来往大陆通行证"),
    ("other", "其他"),
];

pub fn parse_id_type(s: &str) -> Option<&'static str> {
    let s = fold_width(s);
    if s.is_empty() {
        return None;
    }
    ID_TYPES
        .iter()
        .find(|(code, label)| s == *code || s == *label || label.starts_with(s.as_str()))
        .map(|(c, _)| *c)
        .or(match s.as_str() {
            "身份证" | "居民身份证号" | "二代身份证" => Some("resident_id"),
            "港澳通行证" | "回乡证" => Some("hk_macao_pass"),
            "台胞证" => Some("taiwan_pass"),
            _ => None,
        })
}

pub fn id_type_label(code: &str) -> &'static str {
    ID_TYPES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or("")
}

/// The fields as typed: every one is text, as on a form or in a spreadsheet cell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawVolunteer {
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub residence: String,
    pub political_status: String,
    pub employer: String,
    pub post: String,
    pub skills: String,
    pub categories: String,
    pub is_manager: String,
    pub guardian_name: String,
    pub guardian_phone: String,
}

/// A person's own data as kept on their record: the one core that the stored record
/// (`db::volunteers::Volunteer`), a checked form or roster row ([`VolunteerFields`]) and the
/// masked views of a roster line embed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Person {
    pub name: String,
    /// `M`, `F` or empty.
    pub sex: String,
    /// `YYYY-MM-DD`, `YYYY-MM` when only the month is known, or empty.
    pub birth_date: String,
    pub id_type: String,
    pub id_number: Option<String>,
    pub phone: String,
    pub residence: String,
    /// A [`PoliticalStatus`] code, or empty.
    pub political_status: String,
    pub employer: String,
    pub post: String,
    pub skills: String,
    /// Under 18: a guardian consented.
    pub guardian_name: String,
    pub guardian_phone: String,
}

/// The text fields a person may type differently from their record (all but the ID document),
/// in the order they are compared and proposed.
pub const TEXT_FIELDS: [&str; 11] = [
    "name",
    "sex",
    "birth_date",
    "phone",
    "residence",
    "political_status",
    "employer",
    "post",
    "skills",
    "guardian_name",
    "guardian_phone",
];

impl Person {
    /// Age on `day` when the full birth date is known (a month-only date counts from its 1st).
    pub fn age_on(&self, day: &str) -> Option<u32> {
        match self.birth_date.len() {
            10 => age_on(&self.birth_date, day),
            7 => age_on(&format!("{}-01", self.birth_date), day),
            _ => None,
        }
    }

    fn text(&self, field: &str) -> &str {
        match field {
            "name" => &self.name,
            "sex" => &self.sex,
            "birth_date" => &self.birth_date,
            "phone" => &self.phone,
            "residence" => &self.residence,
            "political_status" => &self.political_status,
            "employer" => &self.employer,
            "post" => &self.post,
            "skills" => &self.skills,
            "guardian_name" => &self.guardian_name,
            "guardian_phone" => &self.guardian_phone,
            _ => "",
        }
    }

    fn text_mut(&mut self, field: &str) -> Option<&mut String> {
        Some(match field {
            "name" => &mut self.name,
            "sex" => &mut self.sex,
            "birth_date" => &mut self.birth_date,
            "phone" => &mut self.phone,
            "residence" => &mut self.residence,
            "political_status" => &mut self.political_status,
            "employer" => &mut self.employer,
            "post" => &mut self.post,
            "skills" => &mut self.skills,
            "guardian_name" => &mut self.guardian_name,
            "guardian_phone" => &mut self.guardian_phone,
            _ => return None,
        })
    }

    /// The text fields typed here that say something other than `stored` (blanks say nothing).
    pub fn differences(&self, stored: &Person) -> serde_json::Map<String, serde_json::Value> {
        TEXT_FIELDS
            .iter()
            .filter(|k| {
                let new = self.text(k);
                !new.is_empty() && new != stored.text(k)
            })
            .map(|k| (k.to_string(), serde_json::Value::String(self.text(k).to_string())))
            .collect()
    }

    /// A proposal's fields (a JSON object of text fields) as a person: only what it names.
    pub fn from_texts(data: &serde_json::Value) -> Person {
        let mut p = Person::default();
        for k in TEXT_FIELDS {
            if let (Some(slot), Some(v)) = (p.text_mut(k), data.get(k).and_then(|v| v.as_str())) {
                *slot = v.to_string();
            }
        }
        p
    }

    /// Whether writing these fields over `stored` (blanks keeping what is known) changes it.
    pub fn would_change(&self, stored: &Person) -> bool {
        !self.differences(stored).is_empty()
            || (!self.id_type.is_empty() && self.id_type != stored.id_type)
            || (self.id_number.is_some() && self.id_number != stored.id_number)
    }

    /// These fields written over `stored`: blanks never erase what is known.
    pub fn merged_onto(&self, stored: &Person) -> Person {
        let mut out = stored.clone();
        for k in TEXT_FIELDS {
            let new = self.text(k);
            if let (false, Some(slot)) = (new.is_empty(), out.text_mut(k)) {
                *slot = new.to_string();
            }
        }
        if !self.id_type.is_empty() {
            out.id_type = self.id_type.clone();
        }
        if self.id_number.is_some() {
            out.id_number = self.id_number.clone();
        }
        out
    }

    /// As shown to someone who does not keep the record: ID number, phone and guardian's phone
    /// masked.
    pub fn masked(&self) -> Person {
        let mask_phone = |p: &str| if p.is_empty() { String::new() } else { Phone::mask(p) };
        Person {
            id_number: self.id_number.as_deref().map(mask_id),
            phone: mask_phone(&self.phone),
            guardian_phone: mask_phone(&self.guardian_phone),
            ..self.clone()
        }
    }

    /// In full, or masked.
    pub fn shown(&self, full: bool) -> Person {
        if full {
            self.clone()
        } else {
            self.masked()
        }
    }
}

/// Any ID number shown masked: the first 6 and last 4 characters stay.
pub fn mask_id(n: &str) -> String {
    match ResidentId::parse(n) {
        Ok(id) => id.masked(),
        Err(_) => {
            let chars: Vec<char> = n.chars().collect();
            if chars.len() <= 4 {
                "****".into()
            } else {
                format!(
                    "{}****{}",
                    chars[..2].iter().collect::<String>(),
                    chars[chars.len() - 2..].iter().collect::<String>()
                )
            }
        }
    }
}

/// Where a proposed correction stands. Stored as the snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CorrectionStatus {
    Open,
    Applied,
    Dismissed,
}

impl CorrectionStatus {
    /// A team's decision on an open proposal: `apply` or `dismiss`.
    pub fn decided(decision: &str) -> Option<CorrectionStatus> {
        match decision {
            "apply" => Some(CorrectionStatus::Applied),
            "dismiss" => Some(CorrectionStatus::Dismissed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CorrectionStatus::Open => "open",
            CorrectionStatus::Applied => "applied",
            CorrectionStatus::Dismissed => "dismissed",
        }
    }
}

/// Who asked for a record's erasure. Stored and sent as `self` or `staff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, Serialize, Deserialize, ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ErasureRequest {
    /// The volunteer asked, signed in.
    #[sqlx(rename = "self")]
    #[serde(rename = "self")]
    Own,
    /// Carried out by the district office on the volunteer's request.
    Staff,
}

/// A team's decision on an uncertain sign-up: `confirm` (the same person as the record matched)
/// or `reject` (another person: a record of their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkDecision {
    Confirm,
    Reject,
}

impl LinkDecision {
    pub fn parse(s: &str) -> Option<LinkDecision> {
        match s {
            "confirm" => Some(LinkDecision::Confirm),
            "reject" => Some(LinkDecision::Reject),
            _ => None,
        }
    }
}

/// A person as checked on a form or a roster row: their data, and their line on the roster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolunteerFields {
    pub person: Person,
    pub categories: Vec<Category>,
    pub is_manager: bool,
}

impl std::ops::Deref for VolunteerFields {
    type Target = Person;
    fn deref(&self) -> &Person {
        &self.person
    }
}

impl std::ops::DerefMut for VolunteerFields {
    fn deref_mut(&mut self) -> &mut Person {
        &mut self.person
    }
}

/// A field that is wrong, and the i18n key saying how.
pub type Problem = (&'static str, &'static str);

fn yes_no(s: &str) -> Option<bool> {
    match fold_width(s).to_lowercase().as_str() {
        "" | "否" | "不是" | "n" | "no" | "false" | "0" | "×" | "x" => Some(false),
        "是" | "y" | "yes" | "true" | "1" | "√" | "✓" | "✔" | "管理人员" => Some(true),
        _ => None,
    }
}

/// Checks every field; answers the normalised fields and every problem found (all of them, so a
/// roster row reports everything at once). `today` (`YYYY-MM-DD`) bounds birth dates and ages.
pub fn validate(raw: &RawVolunteer, today: &str) -> (VolunteerFields, Vec<Problem>) {
    let mut p: Vec<Problem> = vec![];
    let mut f = VolunteerFields {
        person: Person {
            name: clean_name(&raw.name),
            ..Default::default()
        },
        ..Default::default()
    };
    if f.name.is_empty() {
        p.push(("name", "err.required"));
    } else if f.name.chars().count() > 50 {
        p.push(("name", "err.name_too_long"));
    }

    let typed_sex = fold_width(&raw.sex);
    if !typed_sex.is_empty() {
        match Sex::parse(&typed_sex) {
            Ok(s) => f.sex = s.as_str().into(),
            Err(k) => p.push(("sex", k)),
        }
    }
    let typed_birth = fold_width(&raw.birth_date);
    if !typed_birth.is_empty() {
        match parse_year_month(&typed_birth) {
            Ok((y, m, Some(d))) => f.birth_date = format_ymd((y, m, d)),
            Ok((y, m, None)) => f.birth_date = format!("{y:04}-{m:02}"),
            Err(k) => p.push(("birth_date", k)),
        }
    }

    let number = fold_width(&raw.id_number).replace(' ', "");
    let id_type = parse_id_type(&raw.id_type);
    if !raw.id_type.trim().is_empty() && id_type.is_none() {
        p.push(("id_type", "err.id_type"));
    }
    if number.contains('*') {
        // A masked export edited and uploaded again: the stars are not the number.
        p.push(("id_number", "err.masked_value"));
    } else if !number.is_empty() {
        let kind = id_type.unwrap_or("resident_id");
        f.id_type = kind.into();
        if kind == "resident_id" {
            match ResidentId::parse(&number) {
                Ok(id) => {
                    let (y, m, d) = id.birth_date();
                    let from_id = format_ymd((y, m, d));
                    if from_id.as_str() > today {
                        p.push(("id_number", "err.id_birth"));
                    }
                    // What was typed must agree with the number; when nothing was typed, the number says it.
                    if !f.sex.is_empty() && f.sex != id.sex().as_str() {
                        p.push(("sex", "err.sex_mismatch"));
                    }
                    if !f.birth_date.is_empty() && !from_id.starts_with(&f.birth_date) {
                        p.push(("birth_date", "err.birth_mismatch"));
                    }
                    f.sex = id.sex().as_str().into();
                    f.birth_date = from_id;
                    f.id_number = Some(id.as_str().to_string());
                }
                Err(k) => p.push(("id_number", k)),
            }
        } else if number.len() < 5
            || number.len() > 30
            || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            p.push(("id_number", "err.id_other"));
        } else {
            f.id_number = Some(number.to_uppercase());
        }
    } else if id_type.is_some() {
        p.push(("id_number", "err.id_missing"));
    }
    if !f.birth_date.is_empty() && f.birth_date.as_str() > today {
        p.push(("birth_date", "err.birth_future"));
    }

    let phone = fold_width(&raw.phone);
    if phone.is_empty() {
        p.push(("phone", "err.required"));
    } else if phone.contains('*') {
        p.push(("phone", "err.masked_value"));
    } else {
        match Phone::parse(&phone) {
            Some(ph) => f.phone = ph.as_str().into(),
            None => p.push(("phone", "err.phone")),
        }
    }
    let status = fold_width(&raw.political_status);
    if !status.is_empty() {
        match PoliticalStatus::parse(&status) {
            Ok(s) => f.political_status = s.code().into(),
            Err(k) => p.push(("political_status", k)),
        }
    }
    for (field, value, max, slot) in [
        ("residence", &raw.residence, 100, &mut f.person.residence),
        ("employer", &raw.employer, 100, &mut f.person.employer),
        ("post", &raw.post, 50, &mut f.person.post),
        ("skills", &raw.skills, 200, &mut f.person.skills),
    ] {
        *slot = clean_name(value);
        if slot.chars().count() > max {
            p.push((field, "err.text_too_long"));
        }
    }
    match parse_categories(&raw.categories) {
        Ok(c) => f.categories = c,
        Err(_) => p.push(("categories", "err.category")),
    }
    match yes_no(&raw.is_manager) {
        Some(b) => f.is_manager = b,
        None => p.push(("is_manager", "err.yes_no")),
    }
    f.guardian_name = clean_name(&raw.guardian_name);
    let guardian_phone = fold_width(&raw.guardian_phone);
    if !guardian_phone.is_empty() {
        match Phone::parse(&guardian_phone) {
            Some(ph) => f.guardian_phone = ph.as_str().into(),
            None => p.push(("guardian_phone", "err.phone")),
        }
    }
    // A minor serves with a guardian's consent (PIPL Art 31; 条例 Art 15).
    if f.age_on(today).is_some_and(|a| a < 18) && (f.guardian_name.is_empty() || f.guardian_phone.is_empty()) {
        p.push(("guardian_name", "err.minor_guardian"));
    }
    (f, p)
}

/// A roster row from a spreadsheet: checked as [`validate`] does, and also answers the values
/// that are usable but doubtful (warnings: the row is imported and the clerk told):
/// - an ID number Excel turned into a number, losing its last digits (340524198001010000): not
///   stored, as it is not the person's number;
/// - a political status with no single GB/T 4762 code ("民主党派" without the party);
/// - a birth month read as January that Excel may have shortened from October (1990.10 → 1990.1).
pub fn validate_sheet_row(raw: &RawVolunteer, today: &str) -> (VolunteerFields, Vec<Problem>, Vec<Problem>) {
    let mut warnings: Vec<Problem> = vec![];
    let mut raw = raw.clone();
    if id_number_lost_digits(&raw.id_number) {
        warnings.push(("id_number", "warn.id_as_number"));
        raw.id_number.clear();
        if parse_id_type(&raw.id_type) == Some("resident_id") {
            raw.id_type.clear();
        }
    }
    let (f, problems) = validate(&raw, today);
    if PoliticalStatus::from_code(&f.political_status).is_some_and(PoliticalStatus::is_unspecific) {
        warnings.push(("political_status", "warn.political_unspecific"));
    }
    if f.id_number.is_none() && month_maybe_shortened(&raw.birth_date) {
        warnings.push(("birth_date", "warn.month_as_number"));
    }
    (f, problems, warnings)
}

/// An 18-digit ID number stored by Excel as a number keeps 15 significant digits: the rest read
/// as zeros and the check digit fails.
pub fn id_number_lost_digits(typed: &str) -> bool {
    let s = fold_width(typed).replace(' ', "");
    let n = s.len();
    (16..=18).contains(&n)
        && s.bytes().all(|b| b.is_ascii_digit())
        && s[15..].bytes().all(|b| b == b'0')
        && ResidentId::parse(&s).is_err()
}

/// "1990.1" as Excel shows the number 1990.10 (October): the same text as January.
fn month_maybe_shortened(typed: &str) -> bool {
    let s = fold_width(typed);
    s.len() == 6 && s.ends_with(".1") && s[..4].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubtful_sheet_values_are_warnings_not_errors() {
        let mut r = raw("张三", "340524198001010000", "13812345678");
        r.political_status = "民主党派".into();
        r.birth_date = "1990.1".into();
        let (f, p, w) = validate_sheet_row(&r, "2026-04-20");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(f.id_number, None);
        assert_eq!(f.political_status, "democratic_party");
        assert_eq!(f.birth_date, "1990-01");
        assert_eq!(
            w,
            vec![
                ("id_number", "warn.id_as_number"),
                ("political_status", "warn.political_unspecific"),
                ("birth_date", "warn.month_as_number")
            ]
        );
        // A valid number, a party named, a two-digit month: nothing to say.
        let mut r = raw("张三", "34052419800101001X", "13812345678");
        r.political_status = "民盟".into();
        let (_, p, w) = validate_sheet_row(&r, "2026-04-20");
        assert!(p.is_empty() && w.is_empty(), "{p:?} {w:?}");
        let mut r = raw("张三", "", "13812345678");
        r.birth_date = "1990.10".into();
        assert!(validate_sheet_row(&r, "2026-04-20").2.is_empty());
        // A number typed on the form is not an Excel accident: it stays an error.
        assert!(
            !validate(&raw("张三", "340524198001010000", "13812345678"), "2026-04-20")
                .1
                .is_empty()
        );
    }

    #[test]
    fn names_keep_full_width_punctuation() {
        let (f, _) = validate(&raw("欧阳（小）  娜", "", "13812345678"), "2026-04-20");
        assert_eq!(f.name, "欧阳（小） 娜");
    }

    fn raw(name: &str, id: &str, phone: &str) -> RawVolunteer {
        RawVolunteer {
            name: name.into(),
            id_number: id.into(),
            phone: phone.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_id_fills_sex_and_birth_date() {
        let (f, p) = validate(&raw("张三", "34052419800101001x", "138 1234 5678"), "2026-04-20");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(f.id_number.as_deref(), Some("34052419800101001X"));
        assert_eq!(
            (f.sex.as_str(), f.birth_date.as_str(), f.phone.as_str()),
            ("M", "1980-01-01", "13812345678")
        );
        assert_eq!(f.id_type, "resident_id");
    }

    #[test]
    fn typed_sex_and_birth_must_agree_with_the_id() {
        let mut r = raw("张三", "34052419800101001X", "13812345678");
        r.sex = "女".into();
        r.birth_date = "1980.02".into();
        let (_, p) = validate(&r, "2026-04-20");
        assert_eq!(
            p,
            vec![("sex", "err.sex_mismatch"), ("birth_date", "err.birth_mismatch")]
        );
        r.sex = "男".into();
        r.birth_date = "1980年1月".into();
        assert!(validate(&r, "2026-04-20").1.is_empty());
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let mut r = raw("", "123", "12345");
        r.political_status = "外星人".into();
        r.is_manager = "也许".into();
        let (_, p) = validate(&r, "2026-04-20");
        let fields: Vec<&str> = p.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            vec!["name", "id_number", "phone", "political_status", "is_manager"]
        );
    }

    #[test]
    fn minors_need_a_guardian() {
        let mut r = raw("小明", "", "13812345678");
        r.birth_date = "2012-05-01".into();
        assert_eq!(
            validate(&r, "2026-04-20").1,
            vec![("guardian_name", "err.minor_guardian")]
        );
        r.guardian_name = "王芳".into();
        r.guardian_phone = "13900001111".into();
        assert!(validate(&r, "2026-04-20").1.is_empty());
    }

    #[test]
    fn short_forms_and_other_documents() {
        let mut r = raw("Lee", "E12345678", "0571-87654321");
        r.id_type = "护照".into();
        r.political_status = "团员".into();
        r.is_manager = "是".into();
        r.categories = "1、交通".into();
        let (f, p) = validate(&r, "2026-04-20");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(f.id_type, "passport");
        assert_eq!(f.political_status, "league_member");
        assert!(f.is_manager);
        assert_eq!(f.categories, vec![Category::PublicAffairs, Category::Traffic]);
    }
}
