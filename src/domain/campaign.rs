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

/// The seven kinds of service (SPEC §3).
pub const CATEGORIES: [(&str, &str, &[&str]); 7] = [
    ("public_affairs", "公共事务服务", &["公共事务", "环境", "环保", "清洁"]),
    ("mutual_help", "互帮互助服务", &["互帮互助", "互助"]),
    ("helping_weak", "助孤扶弱服务", &["助孤扶弱", "扶弱", "助残", "助老"]),
    ("youth_growth", "青少年成长服务", &["青少年成长", "青少年"]),
    ("emergency", "社会应急服务", &["社会应急", "应急"]),
    (
        "charity_culture",
        "公益慈善、公共文化服务",
        &["公益慈善", "公共文化", "公益", "文化", "慈善"],
    ),
    ("traffic", "文明交通行为劝导服务", &["文明交通", "交通劝导", "交通"]),
];

/// Reads a list of categories as written in forms (`1、3`, `环境；交通`, codes, full names);
/// answers the codes in the order of SPEC §3, or the part that was not understood.
pub fn parse_categories(input: &str) -> Result<Vec<&'static str>, String> {
    // A full name may hold a separator itself (公益慈善、公共文化服务): read full names first.
    let mut s = fold_width(input);
    for (code, label, _) in CATEGORIES {
        s = s.replace(&fold_width(label), &format!(" {code} "));
    }
    let mut found = vec![];
    for part in s
        .split([',', '，', '、', ';', '；', '/', ' ', '\n'])
        .filter(|p| !p.trim().is_empty())
    {
        let p = part.trim();
        let hit = CATEGORIES.iter().enumerate().find(|(i, (code, label, aliases))| {
            p == *code || p == *label || aliases.contains(&p) || p.parse::<usize>().ok() == Some(i + 1)
        });
        match hit {
            Some((_, (code, _, _))) if !found.contains(code) => found.push(*code),
            Some(_) => {}
            None => return Err(p.to_string()),
        }
    }
    found.sort_by_key(|c| CATEGORIES.iter().position(|(code, _, _)| code == c));
    Ok(found)
}

pub fn category_label(code: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, l, _)| *l)
        .unwrap_or("")
}

/// Category codes (comma-separated, as stored) as their full names, the way forms write them.
pub fn category_labels(codes: &str) -> String {
    codes
        .split(',')
        .map(category_label)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("、")
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
        assert_eq!(parse_categories("1、7").unwrap(), vec!["public_affairs", "traffic"]);
        assert_eq!(
            parse_categories("交通；环境，环境").unwrap(),
            vec!["public_affairs", "traffic"]
        );
        assert_eq!(parse_categories("青少年成长服务").unwrap(), vec!["youth_growth"]);
        assert_eq!(parse_categories("").unwrap(), Vec::<&str>::new());
        assert_eq!(parse_categories("跳舞").unwrap_err(), "跳舞");
        assert_eq!(parse_categories("8").unwrap_err(), "8");
    }

    #[test]
    fn the_full_names_as_exported_read_back() {
        let all = CATEGORIES.iter().map(|(c, _, _)| *c).collect::<Vec<_>>().join(",");
        let labels = category_labels(&all);
        assert!(labels.contains("公益慈善、公共文化服务"));
        assert_eq!(parse_categories(&labels).unwrap().join(","), all);
        assert_eq!(category_labels(""), "");
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
