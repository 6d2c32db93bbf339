//! `serve --demo`: a believable district on an empty database, so a newcomer sees everything work.

pub mod commendations;
pub mod inspections;
pub mod needs;
mod notifications;
pub mod previous_year;
mod reports;
pub mod scale;
pub mod service;

use chrono::Datelike;

use crate::auth::policy::{Principal, Role};
use crate::auth::{hash_password, new_token, Acting};
use crate::db::audit::Actor;
use crate::db::communities::CommunityFields;
use crate::db::units::UnitFields;
use crate::db::users::{self, AccountFields};
use crate::db::{self, Db};
use crate::db::{
    campaigns, checkins, communities, demo as store, district, managers, pairings, streets, teams, traffic, units,
    volunteers,
};
use crate::domain::campaign::{Categories, Category};
use crate::domain::org::UnitLevel;
use crate::error::AppError;

pub const DISTRICT: &str = "明湖区";

/// The private link of the demo resident's need, printed with the accounts.
static RESIDENT_LINK: std::sync::OnceLock<String> = std::sync::OnceLock::new();

const STREETS: [(&str, [&str; 5]); 4] = [
    ("东湖街道", ["春晓社区", "湖滨社区", "柳岸社区", "新塘社区", "望湖社区"]),
    ("西岭街道", ["枫林社区", "松涛社区", "岭南社区", "石桥社区", "翠竹社区"]),
    ("南山街道", ["南苑社区", "山水社区", "桃源社区", "梅园社区", "清泉社区"]),
    ("北塘街道", ["北辰社区", "塘西社区", "和平社区", "幸福社区", "长青社区"]),
];

const UNITS: [(&str, &str, &str); 30] = [
    ("明湖区税务局", "province", "机关"),
    ("明湖区人民法院", "national", "机关"),
    ("明湖区人民检察院", "province", "机关"),
    ("明湖区教育局", "city", "机关"),
    ("明湖区卫生健康局", "city", "机关"),
    ("明湖区市场监督管理局", "city", "机关"),
    ("明湖区文化和旅游局", "city", "机关"),
    ("明湖区民政局", "province", "机关"),
    ("明湖区人力资源和社会保障局", "city", "机关"),
    ("明湖区交通运输局", "city", "机关"),
    ("明湖区城市管理局", "city", "机关"),
    ("明湖区图书馆", "national", "事业单位"),
    ("明湖区人民医院", "province", "事业单位"),
    ("明湖区中医院", "city", "事业单位"),
    ("明湖区妇幼保健院", "city", "事业单位"),
    ("明湖区第一中学", "province", "学校"),
    ("明湖区实验小学", "city", "学校"),
    ("明湖职业技术学校", "city", "学校"),
    ("明湖区青少年宫", "city", "事业单位"),
    ("明湖区消防救援大队", "province", "机关"),
    ("国网明湖供电公司", "national", "企业"),
    ("明湖自来水有限公司", "city", "企业"),
    ("明湖农商银行", "province", "企业"),
    ("中国邮政明湖分公司", "city", "企业"),
    ("明湖燃气有限公司", "city", "企业"),
    ("明湖公交集团", "province", "企业"),
    ("明湖日报社", "city", "事业单位"),
    ("明湖广播电视台", "province", "事业单位"),
    ("明湖区科学技术协会", "city", "社会团体"),
    ("明湖区红十字会", "province", "社会团体"),
];

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: [&str; 10] = [
    "建国", "秀英", "志强", "丽娟", "海燕", "文斌", "晓红", "国庆", "明", "静",
];

/// One demo account as printed.
pub struct DemoAccount {
    pub role: &'static str,
    pub username: &'static str,
    pub password: String,
    pub scope: String,
    /// The mobile number the account also signs in with (volunteers), else empty.
    pub phone: &'static str,
}

/// The demo volunteer 王小明's mobile number: on the record and the sign-in.
pub const VOLUNTEER_PHONE: &str = "13900001234";

fn person(i: usize) -> String {
    format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i * 7 + 3) % GIVEN.len()])
}

fn mobile(i: usize) -> String {
    format!("139{:08}", 10_000_000 + i * 7919 % 89_999_999)
}

/// Creates the demo district when the database has no streets and no accounts; answers the
/// accounts made, or `None` when there was data already.
/// With `fixed_password`, every account gets it (for tests and demos on a shared screen).
pub async fn seed(db: &Db, fixed_password: Option<String>) -> anyhow::Result<Option<Vec<DemoAccount>>> {
    if !store::is_empty(db).await? {
        return Ok(None);
    }
    let fixed = fixed_password.filter(|p| !p.is_empty());
    // One hash serves every account when they share a password: hashing is deliberately slow.
    let fixed_hash = match &fixed {
        Some(pw) => Some(hash_blocking(pw.clone()).await?),
        None => None,
    };
    let password = || fixed.clone().unwrap_or_else(|| format!("Lf-{}", &new_token()[..12]));
    let actor = Actor::system("demo");
    let mut tx = db.begin().await?;
    district::set_district_name(&mut tx, &actor, DISTRICT).await?;
    let mut street_ids = vec![];
    let mut community_ids = vec![];
    let mut n = 0;
    for (street, communities) in STREETS {
        let s = streets::create_street(&mut tx, &actor, street).await?;
        street_ids.push(s.id);
        for c in communities {
            n += 1;
            let f = CommunityFields {
                street_id: s.id,
                name: c.to_string(),
                address: format!("{DISTRICT}{street}{}路{}号", &c[..c.len() - "社区".len()], 10 + n * 3),
                contact_person: person(n),
                contact_phone: mobile(n),
            };
            community_ids.push(communities::create_community(&mut tx, &actor, &f).await?.id);
        }
    }
    let mut unit_ids = vec![];
    // The communities each unit serves, in the order paired.
    let mut paired: Vec<Vec<i64>> = vec![];
    for (i, (name, level, kind)) in UNITS.iter().enumerate() {
        let f = UnitFields {
            name: name.to_string(),
            level: UnitLevel::parse(level).expect("a demo unit's level is one of the three"),
            kind: kind.to_string(),
            address: format!("{DISTRICT}人民路{}号", 100 + i * 11),
            // A few units have not filled in their contact yet: their home page asks them to.
            contact_person: if i % 9 == 4 { String::new() } else { person(i + 40) },
            contact_phone: if i % 9 == 4 { String::new() } else { mobile(i + 40) },
        };
        unit_ids.push(units::create_unit(&mut tx, &actor, &f).await?.id);
        paired.push(vec![]);
    }
    // Each unit serves one community; every third also a second one in another street. The last
    // two units and communities are left unpaired, so the district's to-do list shows them.
    for (i, unit) in unit_ids.iter().enumerate().take(unit_ids.len() - 2) {
        let c = community_ids[i % (community_ids.len() - 2)];
        pairings::create_pairing(&mut tx, &actor, *unit, c).await?;
        paired[i].push(c);
        if i % 3 == 0 {
            let other = community_ids[(i + 7) % (community_ids.len() - 2)];
            if other != c {
                pairings::create_pairing(&mut tx, &actor, *unit, other).await?;
                paired[i].push(other);
            }
        }
    }
    // role, username, display name, street, community, unit, what the account sees
    type Spec = (
        &'static str,
        &'static str,
        &'static str,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        String,
    );
    let specs: [Spec; 6] = [
        (
            "district_admin",
            "admin",
            "区文明办 管理员",
            None,
            None,
            None,
            DISTRICT.to_string(),
        ),
        (
            "street_admin",
            "donghu",
            "东湖街道 管理员",
            Some(street_ids[0]),
            None,
            None,
            STREETS[0].0.to_string(),
        ),
        (
            "community_admin",
            "chunxiao",
            "春晓社区 管理员",
            None,
            Some(community_ids[0]),
            None,
            format!("{} / {}", STREETS[0].0, STREETS[0].1[0]),
        ),
        (
            "unit_admin",
            "shuiwu",
            "区税务局 联系人",
            None,
            None,
            Some(unit_ids[0]),
            UNITS[0].0.to_string(),
        ),
        (
            "police",
            "jiaojing",
            "区交警大队",
            None,
            None,
            None,
            "区交警大队".to_string(),
        ),
        (
            "volunteer",
            "volunteer",
            "志愿者 王小明",
            None,
            None,
            None,
            "王小明".to_string(),
        ),
    ];
    let mut made = vec![];
    let mut account_ids = vec![];
    for (role, username, display, street_id, community_id, unit_id, scope) in specs {
        let pw = password();
        let hash = match &fixed_hash {
            Some(h) => h.clone(),
            None => hash_blocking(pw.clone()).await?,
        };
        let f = AccountFields {
            username: username.into(),
            display_name: display.into(),
            role: role.into(),
            street_id,
            community_id,
            unit_id,
            active: true,
        };
        let account = users::create_account(&mut tx, &actor, &f, &hash).await?;
        account_ids.push(account.id);
        let phone = if role == "volunteer" { VOLUNTEER_PHONE } else { "" };
        if !phone.is_empty() {
            users::set_contact(&mut tx, &actor, account.id, phone, "wangxiaoming@example.cn").await?;
        }
        made.push(DemoAccount {
            role,
            username,
            password: pw,
            scope,
            phone,
        });
    }
    let orgs = Orgs {
        units: &unit_ids,
        communities: &community_ids,
        paired: &paired,
    };
    let volunteer_user = account_ids[5];
    let seeded = seed_campaign(&mut tx, &actor, &orgs, volunteer_user).await?;
    match tx.commit().await {
        Ok(()) => {
            // What the district and the volunteer do on the site, through the same services:
            // the months' themes, the dispatched action and its answers, and the demo
            // volunteer's certificate, issued from the committed record.
            let admin = acting(account_ids[0], "admin", Role::DistrictAdmin, None);
            set_themes(db, &admin)
                .await
                .map_err(|e| anyhow::anyhow!("demo themes: {e:?}"))?;
            service::dispatch(db, &admin, &seeded.teams)
                .await
                .map_err(|e| anyhow::anyhow!("demo dispatch: {e:?}"))?;
            let v = seeded.volunteer_id;
            let volunteer = acting(volunteer_user, "volunteer", Role::Volunteer, Some(v));
            let input = crate::features::certificates::IssueInput { team_id: None };
            crate::features::certificates::issue(db, &volunteer, v, &input)
                .await
                .map_err(|e| anyhow::anyhow!("demo certificate: {e:?}"))?;
            notifications::seed(db).await?;
            let current = crate::features::campaign::service::active(db)
                .await
                .map_err(|e| anyhow::anyhow!("demo campaign: {e:?}"))?;
            inspections::seed(db, &current, false).await?;
            // The year before is finished: every inspection closed, then its assessment closed and
            // frozen (the findings are in the snapshot). This year's scheme ships with the campaign.
            inspections::seed(db, &seeded.previous, true).await?;
            use crate::features::assessment::service as assessment;
            let close = assessment::CloseInput {
                campaign_id: Some(seeded.previous.id),
            };
            assessment::close(db, &admin, &close)
                .await
                .map_err(|e| anyhow::anyhow!("demo assessment: {e:?}"))?;
            // Its commendation finished: nominated from its records, published, finalised, with
            // honour certificates. This year's nominations are under review and on notice.
            commendations::seed(db, &seeded.previous, true).await?;
            commendations::seed(db, &current, false).await?;
            if let Some(link) = needs::seed(db).await? {
                let _ = RESIDENT_LINK.set(link);
            }
            assessment::ensure_defaults(db, &admin, &current)
                .await
                .map_err(|e| anyhow::anyhow!("demo scheme: {e:?}"))?;
            // The kept figures behind the dashboards, built once the year is seeded.
            crate::features::stats::service::rebuild(db)
                .await
                .map_err(|e| anyhow::anyhow!("demo figures: {e:?}"))?;
            Ok(Some(made))
        }
        // Another instance seeded the same empty database at the same moment.
        Err(e) if db::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A demo account acting on the site.
fn acting(user_id: i64, username: &str, role: Role, volunteer_id: Option<i64>) -> Acting {
    let principal = Principal {
        user_id,
        username: username.into(),
        display_name: String::new(),
        role,
        street_id: None,
        community_id: None,
        unit_id: None,
        lang: crate::i18n::Lang::Zh,
        csrf: String::new(),
        session_id: String::new(),
        volunteer_id,
        must_change_password: false,
    };
    Acting::as_user(principal, "local")
}

/// The themes the district gave some months' concentrated days.
async fn set_themes(db: &Db, admin: &Acting) -> Result<(), AppError> {
    for (month, theme) in [
        (5, "文明交通·劝导我先行"),
        (6, "关爱青少年·暑期课堂"),
        (9, "助老敬老·温暖重阳"),
    ] {
        let input = crate::features::calendar::DayInput {
            theme: Some(theme.into()),
            ..Default::default()
        };
        crate::features::calendar::update(db, admin, month, &input).await?;
    }
    Ok(())
}

async fn hash_blocking(pw: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&pw)).await?
}

/// A valid resident ID (GB 11643) for made-up people: area 330102, the birth date, a sequence.
pub fn resident_id(y: i32, m: u32, d: u32, seq: u32) -> String {
    let body = format!("330102{y:04}{m:02}{d:02}{seq:03}");
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body}{check}")
}

/// The org tree made so far: units, communities, and the communities each unit serves.
struct Orgs<'a> {
    units: &'a [i64],
    communities: &'a [i64],
    paired: &'a [Vec<i64>],
}

/// What the campaign's seeding made that the steps after it need.
struct Seeded {
    /// Each unit team with the first community its unit serves.
    teams: Vec<(i64, Option<i64>)>,
    /// The demo volunteer's record.
    volunteer_id: i64,
    /// The year before, whose assessment is closed once committed.
    previous: crate::db::campaigns::Campaign,
}

/// The active campaign with teams, rosters, traffic volunteers and check-ins in every state, so
/// the board shows done, late and missing milestones.
async fn seed_campaign(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    orgs: &Orgs<'_>,
    volunteer_user: i64,
) -> anyhow::Result<Seeded> {
    let (unit_ids, community_ids) = (orgs.units, orgs.communities);
    use crate::domain::campaign::Milestones;
    use crate::domain::volunteer::{validate, RawVolunteer};
    let today = crate::domain::campaign::today();
    let year = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").map_or(2026, |d| d.year());
    let campaign = campaigns::create_campaign(
        tx,
        actor,
        year as i64,
        &format!("{year}年“弘扬雷锋精神，志愿服务进社区”活动"),
        &Milestones::defaults(year),
    )
    .await?;
    crate::features::calendar::ensure_days(tx, actor, &campaign).await?;
    // Timestamps in the plan's April: on time (before the dues) or late.
    let april = |day: u32| {
        chrono::NaiveDate::from_ymd_opt(year, 4, day)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .map(|t| t.and_utc().timestamp() - 8 * 3600)
            .unwrap_or(0)
    };
    let politics = ["共青团员", "中共党员", "群众", "入党积极分子", "中共预备党员", "群众"];
    let mut seq = 100;
    let mut unit_teams = vec![];
    for (i, unit) in unit_ids.iter().enumerate().take(24) {
        let f = teams::TeamFields {
            name: format!("{}学雷锋志愿服务队", UNITS[i].0),
            leader_name: person(i + 60),
            leader_phone: mobile(i + 60),
            contact_name: if i % 7 == 6 { String::new() } else { person(i + 80) },
            contact_phone: if i % 7 == 6 { String::new() } else { mobile(i + 80) },
            categories: Categories::from_stored(
                [
                    "public_affairs,traffic",
                    "helping_weak",
                    "youth_growth,charity_culture",
                    "emergency",
                ][i % 4],
            ),
            founded_on: format!("{year}-04-1{}", i % 8),
        };
        let team = teams::create_team(tx, actor, campaign.id, Some(*unit), None, &f).await?;
        unit_teams.push((team.id, orgs.paired[i].iter().min().copied()));
        for k in 0..(5 + i % 4) {
            seq += 1;
            let age_year = 1965 + ((i * 7 + k * 5) % 42) as i32;
            let raw = RawVolunteer {
                name: person(seq),
                phone: mobile(seq + 200),
                id_number: resident_id(age_year, 1 + (k as u32 % 12), 1 + (seq as u32 % 28), seq as u32 % 1000),
                // League members are 28 at the most.
                political_status: match politics[(i + k) % politics.len()] {
                    "共青团员" if year - age_year > 28 => "群众".into(),
                    p => p.into(),
                },
                employer: UNITS[i].0.into(),
                post: if k == 0 { "副局长".into() } else { "科员".into() },
                is_manager: if k == 0 { "是".into() } else { String::new() },
                ..Default::default()
            };
            let (fields, problems) = validate(&raw, &today);
            if !problems.is_empty() {
                continue;
            }
            let v = match volunteers::match_volunteer(tx, fields.id_number.as_deref(), &fields.name, &fields.phone)
                .await?
            {
                volunteers::Match::ById(id) | volunteers::Match::ByNamePhone(id) => id,
                volunteers::Match::New => volunteers::insert_volunteer(tx, actor, &fields).await?.id,
            };
            volunteers::add_member(tx, actor, team.id, v, fields.is_manager).await?;
            if k == 0 {
                managers::add_manager(tx, actor, campaign.id, *unit, &fields.name, &fields.post).await?;
            }
        }
        // A declared manager who is on no roster yet.
        if i % 5 == 2 {
            managers::add_manager(tx, actor, campaign.id, *unit, &person(i + 300), "工会主席").await?;
        }
        let created = if i % 6 == 5 {
            april(19)
        } else {
            april(10 + (i % 6) as u32)
        };
        store::backdate_team_created(tx, team.id, created).await?;
        // Rosters: most submitted (a few late), some accepted, one returned, the rest still drafts.
        if i % 5 != 4 && !f.contact_name.is_empty() {
            teams::set_roster_status(tx, actor, team.id, crate::domain::team::RosterStatus::Submitted, "").await?;
            let at = if i % 4 == 3 { april(22) } else { april(19) };
            store::backdate_roster_submitted(tx, team.id, at).await?;
            if i % 3 == 0 {
                teams::set_roster_status(tx, actor, team.id, crate::domain::team::RosterStatus::Accepted, "").await?;
            } else if i == 7 {
                teams::set_roster_status(
                    tx,
                    actor,
                    team.id,
                    crate::domain::team::RosterStatus::Returned,
                    "请补充联系人电话，并核对第 3 行身份证号",
                )
                .await?;
            }
        }
        // Traffic volunteers from the roster: League members, youth, party activists.
        if i % 3 != 2 {
            let m = Milestones::defaults(year);
            let mut picked = 0;
            for member in volunteers::members_in_tx(tx, team.id).await? {
                let vf = crate::domain::volunteer::Person {
                    birth_date: member.volunteer.birth_date.clone(),
                    ..Default::default()
                };
                let status = crate::domain::politics::PoliticalStatus::from_code(&member.volunteer.political_status);
                if let Ok(reason) = crate::domain::campaign::traffic_eligibility(status, vf.age_on(&m.reference_date)) {
                    traffic::add_traffic_volunteer(tx, actor, campaign.id, *unit, member.volunteer.id, reason).await?;
                    picked += 1;
                }
            }
            if picked > 0 && i % 2 == 0 {
                traffic::submit_traffic_list(tx, actor, campaign.id, *unit).await?;
                store::backdate_traffic_submitted(tx, *unit, april(20)).await?;
            }
        }
        // Check-ins with the first paired community: confirmed, forwarded, or filed.
        if let (Some(community), false) = (orgs.paired[i].first(), f.contact_name.is_empty()) {
            if i % 4 != 3 {
                let k = checkins::file_checkin(tx, actor, team.id, *community).await?;
                if i % 4 != 2 {
                    checkins::move_checkin(tx, actor, k.id, crate::domain::checkin::CheckInStatus::Forwarded, "")
                        .await?;
                }
                if i % 4 == 0 {
                    checkins::move_checkin(tx, actor, k.id, crate::domain::checkin::CheckInStatus::Confirmed, "")
                        .await?;
                    let at = if i % 8 == 0 { april(24) } else { april(27) };
                    store::backdate_checkin_confirmed(tx, k.id, at).await?;
                    if i % 8 == 0 || i % 8 == 4 {
                        let plan = "每月第三个周六到社区开展环境整治和文明交通劝导；每季度一次助老义诊；寒暑假为社区青少年开设课业辅导。";
                        checkins::file_plan(tx, actor, k.id, plan, None).await?;
                        store::backdate_plan_filed(tx, k.id, at + 3600).await?;
                    }
                }
            }
        }
    }
    // A residents' team of the first community.
    let f = teams::TeamFields {
        name: "春晓社区居民志愿服务队".into(),
        leader_name: person(400),
        leader_phone: mobile(400),
        contact_name: person(401),
        contact_phone: mobile(401),
        categories: Categories(vec![Category::PublicAffairs, Category::MutualHelp]),
        founded_on: format!("{year}-03-05"),
    };
    let resident_team = teams::create_team(tx, actor, campaign.id, None, Some(community_ids[0]), &f).await?;
    store::backdate_team_created(tx, resident_team.id, april(12)).await?;
    // The demo volunteer account's own record, on the first unit's roster.
    let v = RawVolunteer {
        name: "王小明".into(),
        phone: VOLUNTEER_PHONE.into(),
        id_number: resident_id(1998, 6, 15, 27),
        political_status: "共青团员".into(),
        ..Default::default()
    };
    let (fields, _) = validate(&v, &today);
    let rec = volunteers::insert_volunteer(tx, actor, &fields).await?;
    let first_team = unit_teams[0].0;
    volunteers::add_member(tx, actor, first_team, rec.id, false).await?;
    volunteers::link_user(tx, actor, rec.id, volunteer_user).await?;
    seed_identity(tx, actor, first_team).await?;
    service::seed(tx, actor, &campaign, &unit_teams, rec.id).await?;
    reports::seed(tx, actor, campaign.id, 8).await?;
    let previous = previous_year::seed(tx, actor, &campaign, unit_ids, &unit_teams, community_ids[0], rec.id).await?;
    store::backdate_members_joined(tx, crate::db::now()).await?;
    Ok(Seeded {
        teams: unit_teams,
        volunteer_id: rec.id,
        previous,
    })
}

/// Proving identity: someone signed up with the name and phone of 李晓燕 on the tax bureau's
/// roster and waits for the code sent to her phone (or the team's confirmation); 赵强, linked
/// already, typed a new employer, which waits on the team page as a proposed correction.
async fn seed_identity(tx: &mut db::Tx, actor: &Actor, team: i64) -> anyhow::Result<()> {
    use crate::db::identity;
    use crate::domain::volunteer::{Person, VolunteerFields};
    let person = |name: &str, phone: &str| VolunteerFields {
        person: Person {
            name: name.into(),
            phone: phone.into(),
            residence: "东湖街道春晓小区".into(),
            employer: "明湖区税务局".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let kept = volunteers::insert_volunteer(tx, actor, &person("李晓燕", "13900005678")).await?;
    volunteers::add_member(tx, actor, team, kept.id, false).await?;
    let account = AccountFields {
        username: "xiaoyan".into(),
        display_name: "李晓燕".into(),
        role: "volunteer".into(),
        street_id: None,
        community_id: None,
        unit_id: None,
        active: true,
    };
    // No password: the account only shows how a sign-up waits for proof.
    let user = users::create_account(tx, actor, &account, "!").await?;
    let typed = serde_json::json!({"name": "李晓燕", "phone": "13900005678", "residence": "东湖街道春晓小区 5 幢", "consent": "true"});
    let pending = identity::PendingLink {
        user_id: user.id,
        volunteer_id: kept.id,
        team_id: None,
        data: typed.to_string(),
    };
    identity::insert_pending(tx, &pending).await?;
    crate::features::identity::issue_code(tx, user.id, &kept, crate::i18n::Lang::Zh)
        .await
        .map_err(|e| anyhow::anyhow!("demo code: {e:?}"))?;
    let other = volunteers::insert_volunteer(tx, actor, &person("赵强", "13900006789")).await?;
    volunteers::add_member(tx, actor, team, other.id, false).await?;
    identity::propose_correction(
        tx,
        actor,
        other.id,
        None,
        &serde_json::json!({"employer": "明湖区财政局"}),
    )
    .await?;
    Ok(())
}

/// Seeds and prints the accounts once; says so when the database already had data.
pub async fn seed_and_print(db: &Db) -> anyhow::Result<()> {
    let fixed = std::env::var("LEIFENG_DEMO_PASSWORD").ok();
    let made = match seed(db, fixed).await {
        Ok(m) => m,
        Err(e) if e.downcast_ref::<sqlx::Error>().is_some_and(db::is_unique_violation) => None,
        Err(e) => return Err(e),
    };
    match made {
        None => println!("--demo: the database has data already; no demo data was added."),
        Some(accounts) => {
            println!("Demo district {DISTRICT} created. Sign in with (shown only now):");
            println!("  {:<16} {:<10} {:<16} scope", "role", "username", "password");
            for a in accounts {
                println!("  {:<16} {:<10} {:<16} {}", a.role, a.username, a.password, a.scope);
                if !a.phone.is_empty() {
                    println!("  {:<16} {:<10} (or sign in with the mobile number)", "", a.phone);
                }
            }
            if let Some(link) = RESIDENT_LINK.get() {
                println!("A resident's need (四单), to follow and rate without an account: {link}");
            }
        }
    }
    Ok(())
}
