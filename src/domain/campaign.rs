//! The campaign's rules: default milestone dates, service categories, milestone status, and who
//! may serve as a traffic-persuasion volunteer.

use super::dates::{format_ymd, parse_date};
use super::politics::PoliticalStatus;
use super::text::fold_width;

/// The plan's milestone dates for a campaign year (§五), all editable later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Milestones {
    /// 队伍组建: teams formed and registered.
    pub formation_due: String,
    /// 名册上报: rosters (附件2) and traffic volunteers (附件3) reach the district office.
    pub roster_due: String,
    /// 联系报到: check-in with the paired community (附件4).
    pub checkin_due: String,
    /// 开展活动: from late April to the end of the year.
    pub activities_start: String,
    pub activities_end: String,
    /// 总结表彰: the commendation month of the next year, `YYYY-MM`.
    pub commendation_month: String,
    /// The day ages are counted on (youth 14–35, League members 14–28).
    pub reference_date: String,
}

impl Milestones {
    pub fn defaults(year: i32) -> Milestones {
        Milestones {
            formation_due: format!("{year}-04-18"),
            roster_due: format!("{year}-04-20"),
            checkin_due: format!("{year}-04-25"),
            activities_start: format!("{year}-04-21"),
            activities_end: format!("{year}-12-31"),
            commendation_month: format!("{}-03", year + 1),
            reference_date: format!("{year}-04-20"),
        }
    }
}

/// The seven kinds of service (SPEC §3); stored and sent by their codes (`public_affairs`,
/// `mutual_help`, `helping_weak`, `youth_growth`, `emergency`, `charity_culture`, `traffic`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Category {
    PublicAffairs,
    MutualHelp,
    HelpingWeak,
    YouthGrowth,
    Emergency,
    CharityCulture,
    Traffic,
}

impl Category {
    /// In the order of the campaign's notice (forms number them from 1 in this order).
    pub const ALL: [Category; 7] = [
        Category::PublicAffairs,
        Category::MutualHelp,
        Category::HelpingWeak,
        Category::YouthGrowth,
        Category::Emergency,
        Category::CharityCulture,
        Category::Traffic,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::PublicAffairs => "public_affairs",
            Category::MutualHelp => "mutual_help",
            Category::HelpingWeak => "helping_weak",
            Category::YouthGrowth => "youth_growth",
            Category::Emergency => "emergency",
            Category::CharityCulture => "charity_culture",
            Category::Traffic => "traffic",
        }
    }

    /// The official name, as the forms write it.
    pub fn label(self) -> &'static str {
        match self {
            Category::PublicAffairs => "公共事务服务",
            Category::MutualHelp => "互帮互助服务",
            Category::HelpingWeak => "助孤扶弱服务",
            Category::YouthGrowth => "青少年成长服务",
            Category::Emergency => "社会应急服务",
            Category::CharityCulture => "公益慈善、公共文化服务",
            Category::Traffic => "文明交通行为劝导服务",
        }
    }

    /// The short names people write on forms.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Category::PublicAffairs => &["公共事务", "环境", "环保", "清洁"],
            Category::MutualHelp => &["互帮互助", "互助"],
            Category::HelpingWeak => &["助孤扶弱", "扶弱", "助残", "助老"],
            Category::YouthGrowth => &["青少年成长", "青少年"],
            Category::Emergency => &["社会应急", "应急"],
            Category::CharityCulture => &["公益慈善", "公共文化", "公益", "文化", "慈善"],
            Category::Traffic => &["文明交通", "交通劝导", "交通"],
        }
    }

    /// By its stored code only.
    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// Reads a list of categories as written in forms (`1、3`, `环境；交通`, codes, full names);
/// answers them in the order of SPEC §3, or the part that was not understood.
pub fn parse_categories(input: &str) -> Result<Vec<Category>, String> {
    // A full name may hold a separator itself (公益慈善、公共文化服务): read full names first.
    let mut s = fold_width(input);
    for c in Category::ALL {
        s = s.replace(&fold_width(c.label()), &format!(" {} ", c.code()));
    }
    let mut found = vec![];
    for part in s
        .split([',', '，', '、', ';', '；', '/', ' ', '\n'])
        .filter(|p| !p.trim().is_empty())
    {
        let p = part.trim();
        let hit = Category::ALL.into_iter().enumerate().find(|(i, c)| {
            p == c.code() || p == c.label() || c.aliases().contains(&p) || p.parse::<usize>().ok() == Some(i + 1)
        });
        match hit {
            Some((_, c)) if !found.contains(&c) => found.push(c),
            Some(_) => {}
            None => return Err(p.to_string()),
        }
    }
    found.sort_by_key(|c| Category::ALL.iter().position(|x| x == c));
    Ok(found)
}

/// A roster line's or a team's categories; stored and sent as their codes joined by commas
/// (`public_affairs,traffic`, empty for none), in the order of SPEC §3.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Categories(pub Vec<Category>);

impl Categories {
    /// Reads the stored form; an unknown code (never written by the application) is skipped.
    pub fn from_stored(s: &str) -> Categories {
        Categories(s.split(',').filter_map(|c| Category::from_code(c.trim())).collect())
    }

    /// The stored form: codes joined by commas.
    pub fn stored(&self) -> String {
        self.0.iter().map(|c| c.code()).collect::<Vec<_>>().join(",")
    }

    /// Their official names, the way forms write them (`公共事务服务、文明交通行为劝导服务`).
    pub fn labels(&self) -> String {
        self.0.iter().map(|c| c.label()).collect::<Vec<_>>().join("、")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<Category>> for Categories {
    fn from(v: Vec<Category>) -> Categories {
        Categories(v)
    }
}

impl serde::Serialize for Categories {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.stored())
    }
}

impl<DB: sqlx::Database> sqlx::Type<DB> for Categories
where
    String: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as sqlx::Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for Categories
where
    String: sqlx::Decode<'r, DB>,
{
    fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Categories::from_stored(&<String as sqlx::Decode<'r, DB>>::decode(
            value,
        )?))
    }
}

impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for Categories
where
    String: sqlx::Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <String as sqlx::Encode<'q, DB>>::encode(self.stored(), buf)
    }
}

/// Where a unit stands against one milestone (answered as `done`, `late`, `missing`, `open`, or
/// `none` where the milestone does not apply).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Done by the due date.
    Done,
    /// Done, but after the due date.
    Late,
    /// Not done and the due date has passed.
    Missing,
    /// Not done, not due yet.
    Open,
    /// The milestone does not apply (a community has no traffic list).
    None,
}

impl MilestoneStatus {
    /// `done_on` and `due` and `today` are `YYYY-MM-DD` (they compare as text).
    pub fn of(done_on: Option<&str>, due: &str, today: &str) -> MilestoneStatus {
        match done_on {
            Some(d) if d <= due => MilestoneStatus::Done,
            Some(_) => MilestoneStatus::Late,
            None if today > due => MilestoneStatus::Missing,
            None => MilestoneStatus::Open,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneStatus::Done => "done",
            MilestoneStatus::Late => "late",
            MilestoneStatus::Missing => "missing",
            MilestoneStatus::Open => "open",
            MilestoneStatus::None => "none",
        }
    }

    /// How far a board's `progress` sort puts it: what needs doing first.
    pub fn urgency(self) -> i32 {
        match self {
            MilestoneStatus::Missing => 0,
            MilestoneStatus::Late => 1,
            MilestoneStatus::Open => 2,
            _ => 3,
        }
    }
}

/// What a row of the board or the compliance grid is: a unit or a community (answered and
/// linked as `unit`, `community`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OrgRowKind {
    Unit,
    Community,
}

impl OrgRowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgRowKind::Unit => "unit",
            OrgRowKind::Community => "community",
        }
    }

    /// `unit` or `community`; anything else is no kind (both).
    pub fn parse(s: &str) -> Option<OrgRowKind> {
        match s {
            "unit" => Some(OrgRowKind::Unit),
            "community" => Some(OrgRowKind::Community),
            _ => None,
        }
    }

    /// The row a team counts in: its unit's, or its community's.
    pub fn of_team(unit: Option<i64>, community: Option<i64>) -> (OrgRowKind, i64) {
        match (unit, community) {
            (Some(u), _) => (OrgRowKind::Unit, u),
            (_, Some(c)) => (OrgRowKind::Community, c),
            _ => (OrgRowKind::Unit, -1),
        }
    }
}

/// Full years between a birth date and a day (both `YYYY-MM-DD`).
pub fn age_on(birth: &str, on: &str) -> Option<u32> {
    let (by, bm, bd) = parse_date(birth).ok()?;
    let (y, m, d) = parse_date(on).ok()?;
    let mut age = y - by;
    if (m, d) < (bm, bd) {
        age -= 1;
    }
    u32::try_from(age).ok()
}

/// Why someone may serve as a traffic-persuasion volunteer (an i18n key), or why not: the plan
/// chooses them from League members, youth (14–35 on the reference date) and party activists.
pub fn traffic_eligibility(status: Option<PoliticalStatus>, age: Option<u32>) -> Result<&'static str, &'static str> {
    if status.is_some_and(PoliticalStatus::is_league_member) {
        Ok("traffic.reason.league")
    } else if status.is_some_and(PoliticalStatus::is_party_activist) {
        Ok("traffic.reason.activist")
    } else if age.is_some_and(|a| (14..=35).contains(&a)) {
        Ok("traffic.reason.youth")
    } else if age.is_none() {
        Err("err.traffic_no_age")
    } else {
        Err("err.traffic_ineligible")
    }
}

/// Today in China time, as `YYYY-MM-DD`.
pub fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&crate::domain::dates::china())
        .format("%Y-%m-%d")
        .to_string()
}

/// The China-time date of a timestamp, as `YYYY-MM-DD`.
pub fn date_of(ts: i64) -> String {
    crate::domain::dates::local(ts).format("%Y-%m-%d").to_string()
}

/// A date field of a form: empty is an error, anything else must be a real date.
pub fn parse_form_date(input: &str) -> Result<String, &'static str> {
    if input.trim().is_empty() {
        return Err("err.required");
    }
    parse_date(input).map(format_ymd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plans_dates_are_the_defaults() {
        let m = Milestones::defaults(2026);
        assert_eq!(m.formation_due, "2026-04-18");
        assert_eq!(m.roster_due, "2026-04-20");
        assert_eq!(m.checkin_due, "2026-04-25");
        assert_eq!(m.commendation_month, "2027-03");
    }

    #[test]
    fn categories_in_the_forms_people_write() {
        use Category::*;
        assert_eq!(parse_categories("1、7").unwrap(), vec![PublicAffairs, Traffic]);
        assert_eq!(
            parse_categories("交通；环境，环境").unwrap(),
            vec![PublicAffairs, Traffic]
        );
        assert_eq!(parse_categories("青少年成长服务").unwrap(), vec![YouthGrowth]);
        assert_eq!(parse_categories("traffic").unwrap(), vec![Traffic]);
        assert_eq!(parse_categories("").unwrap(), Vec::<Category>::new());
        assert_eq!(parse_categories("跳舞").unwrap_err(), "跳舞");
        assert_eq!(parse_categories("8").unwrap_err(), "8");
    }

    #[test]
    fn the_full_names_as_exported_read_back() {
        let all = Categories(Category::ALL.to_vec());
        assert_eq!(Categories::from_stored(&all.stored()), all);
        let labels = all.labels();
        assert!(labels.contains("公益慈善、公共文化服务"));
        assert_eq!(Categories(parse_categories(&labels).unwrap()), all);
        assert_eq!(Categories::from_stored("").labels(), "");
        assert_eq!(
            serde_json::to_value(&all.0[..2]).unwrap(),
            serde_json::json!(["public_affairs", "mutual_help"])
        );
    }

    #[test]
    fn milestone_status() {
        assert_eq!(
            MilestoneStatus::of(Some("2026-04-18"), "2026-04-18", "2026-05-01"),
            MilestoneStatus::Done
        );
        assert_eq!(
            MilestoneStatus::of(Some("2026-04-19"), "2026-04-18", "2026-05-01"),
            MilestoneStatus::Late
        );
        assert_eq!(
            MilestoneStatus::of(None, "2026-04-18", "2026-04-19"),
            MilestoneStatus::Missing
        );
        assert_eq!(
            MilestoneStatus::of(None, "2026-04-18", "2026-04-18"),
            MilestoneStatus::Open
        );
    }

    #[test]
    fn traffic_volunteers_are_league_members_youth_or_activists() {
        use PoliticalStatus::*;
        assert_eq!(
            traffic_eligibility(Some(LeagueMember), Some(40)),
            Ok("traffic.reason.league")
        );
        assert_eq!(
            traffic_eligibility(Some(PartyActivist), Some(50)),
            Ok("traffic.reason.activist")
        );
        assert_eq!(traffic_eligibility(Some(Masses), Some(35)), Ok("traffic.reason.youth"));
        assert_eq!(
            traffic_eligibility(Some(Masses), Some(36)),
            Err("err.traffic_ineligible")
        );
        assert_eq!(
            traffic_eligibility(Some(CpcMember), Some(13)),
            Err("err.traffic_ineligible")
        );
        assert_eq!(traffic_eligibility(None, None), Err("err.traffic_no_age"));
    }

    #[test]
    fn ages_count_full_years() {
        assert_eq!(age_on("1990-04-20", "2026-04-20"), Some(36));
        assert_eq!(age_on("1990-04-21", "2026-04-20"), Some(35));
        assert_eq!(age_on("bad", "2026-04-20"), None);
    }
}
