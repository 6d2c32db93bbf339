//! `serve --demo`: a believable district on an empty database, so a newcomer sees everything work.

use crate::auth::{hash_password, new_token};
use crate::db::audit::Actor;
use crate::db::orgs::{self, CommunityFields, UnitFields};
use crate::db::users::{self, AccountFields};
use crate::db::{self, Db};
use crate::on_db;

pub const DISTRICT: &str = "明湖区";

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
}

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
    let (streets, accounts): (i64, i64) = on_db!(db, pool => {
        let s = sqlx::query_scalar("select count(*) from streets").fetch_one(pool).await?;
        let u = sqlx::query_scalar("select count(*) from users").fetch_one(pool).await?;
        (s, u)
    });
    if streets > 0 || accounts > 0 {
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
    orgs::set_district_name(&mut tx, &actor, DISTRICT).await?;
    let mut street_ids = vec![];
    let mut community_ids = vec![];
    let mut n = 0;
    for (street, communities) in STREETS {
        let s = orgs::create_street(&mut tx, &actor, street).await?;
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
            community_ids.push(orgs::create_community(&mut tx, &actor, &f).await?.id);
        }
    }
    let mut unit_ids = vec![];
    for (i, (name, level, kind)) in UNITS.iter().enumerate() {
        let f = UnitFields {
            name: name.to_string(),
            level: level.to_string(),
            kind: kind.to_string(),
            address: format!("{DISTRICT}人民路{}号", 100 + i * 11),
            // A few units have not filled in their contact yet: their home page asks them to.
            contact_person: if i % 9 == 4 { String::new() } else { person(i + 40) },
            contact_phone: if i % 9 == 4 { String::new() } else { mobile(i + 40) },
        };
        unit_ids.push(orgs::create_unit(&mut tx, &actor, &f).await?.id);
    }
    // Each unit serves one community; every third also a second one in another street. The last
    // two units and communities are left unpaired, so the district's to-do list shows them.
    for (i, unit) in unit_ids.iter().enumerate().take(unit_ids.len() - 2) {
        let c = community_ids[i % (community_ids.len() - 2)];
        orgs::create_pairing(&mut tx, &actor, *unit, c).await?;
        if i % 3 == 0 {
            let other = community_ids[(i + 7) % (community_ids.len() - 2)];
            if other != c {
                orgs::create_pairing(&mut tx, &actor, *unit, other).await?;
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
        users::create_account(&mut tx, &actor, &f, &hash).await?;
        made.push(DemoAccount {
            role,
            username,
            password: pw,
            scope,
        });
    }
    match tx.commit().await {
        Ok(()) => Ok(Some(made)),
        // Another instance seeded the same empty database at the same moment.
        Err(e) if db::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn hash_blocking(pw: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&pw)).await?
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
            }
        }
    }
    Ok(())
}
