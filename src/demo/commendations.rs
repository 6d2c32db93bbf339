//! The demo's commendation (表彰), through the same services as the site: nominations by a unit
//! and a street from the suggested candidates, the district's review, and either a notice in its
//! period with one objection (the current year) or a finalised honour roll with its certificates
//! (a finished year).

use chrono::NaiveDate;

use crate::auth::policy::{Principal, Role};
use crate::auth::Acting;
use crate::db::campaigns::Campaign;
use crate::db::{users, Db};
use crate::domain::commendation::NominationStatus;
use crate::features::commendations::service::{self, candidates_in, categories_for, create, NominationInput};
use crate::features::commendations::{notice, ObjectionInput, PublishInput, ReviewInput};

const DEEDS: [&str; 4] = [
    "常年深入结对社区开展助老敬老、文明交通劝导和环境整治服务，组织有力，群众评价好。",
    "坚持每月参加集中服务日活动，热心为社区困难群众解决实际问题，带动身边人加入志愿服务。",
    "建立健全志愿服务工作机制，结对帮扶成效明显，志愿服务常态化、制度化。",
    "社区志愿服务站点运行规范，居民参与广泛，形成了有特色的志愿服务品牌。",
];

pub(super) async fn acting_as(db: &Db, username: &str) -> anyhow::Result<Option<Acting>> {
    let Some(c) = users::credentials(db, username).await? else {
        return Ok(None);
    };
    let Some(a) = users::get_account(db, c.id).await? else {
        return Ok(None);
    };
    let Some(role) = Role::parse(&a.role) else {
        return Ok(None);
    };
    let p = Principal {
        user_id: a.id,
        username: a.username,
        display_name: a.display_name,
        role,
        street_id: a.street_id,
        community_id: a.community_id,
        unit_id: a.unit_id,
        lang: crate::i18n::Lang::Zh,
        csrf: String::new(),
        session_id: String::new(),
        volunteer_id: None,
        must_change_password: false,
    };
    Ok(Some(Acting::as_user(p, "local")))
}

fn err(what: &str) -> impl Fn(crate::error::AppError) -> anyhow::Error + '_ {
    move |e| anyhow::anyhow!("demo commendation {what}: {e:?}")
}

/// Nominates from the candidates of `campaign` as the demo unit (`shuiwu`) and street (`donghu`),
/// reviews as the district (`admin`), then either publishes the notice today with one objection
/// from the public and one nomination left under review (`finished` false), or publishes it in
/// the commendation month after the year and finalises the honour roll (`finished` true).
/// Nothing is made up: only eligible candidates from the records are nominated.
pub async fn seed(db: &Db, campaign: &Campaign, finished: bool) -> anyhow::Result<()> {
    let (Some(admin), Some(unit), Some(street)) = (
        acting_as(db, "admin").await?,
        acting_as(db, "shuiwu").await?,
        acting_as(db, "donghu").await?,
    ) else {
        return Ok(());
    };
    let cats = categories_for(db, &admin, campaign.id)
        .await
        .map_err(err("categories"))?;
    let mut made = vec![];
    for (i, by) in [&unit, &street].into_iter().enumerate() {
        for cat in &cats {
            let Ok(cands) = candidates_in(db, by, cat).await else {
                continue;
            };
            let take = cat.quota_per_nominator.min(2) as usize;
            for c in cands.iter().filter(|c| c.eligible && !c.nominated).take(take) {
                let input = NominationInput {
                    category_id: cat.id,
                    nominee_id: c.id,
                    deed: Some(DEEDS[(i + made.len()) % DEEDS.len()].to_string()),
                };
                if let Ok(n) = create(db, by, &input).await {
                    made.push(n);
                }
            }
        }
    }
    if made.is_empty() {
        return Ok(());
    }
    // The district approves all but (in the current year) the last, which stays under review.
    let keep_pending = if finished || made.len() < 2 { 0 } else { 1 };
    for n in &made[..made.len() - keep_pending] {
        let input = ReviewInput {
            decision: "approve".into(),
            reason: None,
        };
        service::review(db, &admin, n.id, &input).await.map_err(err("review"))?;
    }
    let input = PublishInput { working_days: None };
    if finished {
        let march = NaiveDate::from_ymd_opt(campaign.year as i32 + 1, 3, 2).unwrap_or_default();
        notice::publish_campaign(db, &admin, campaign.id, &input, march)
            .await
            .map_err(err("notice"))?;
        notice::finalise_campaign(db, &admin, campaign.id, campaign.year)
            .await
            .map_err(err("finalise"))?;
    } else {
        notice::publish(db, &admin, Some(campaign.id), &input)
            .await
            .map_err(err("notice"))?;
        let on_notice = crate::db::commendations::roll(db, campaign.id, NominationStatus::Approved).await?;
        if let Some(first) = on_notice.first() {
            let objection = ObjectionInput {
                nomination_id: Some(first.nomination_id),
                name: Some("李群众".into()),
                contact: Some("13812345678".into()),
                text: Some("据我了解，该对象今年参加活动的次数与公示材料不符，请予核实。".into()),
            };
            let public = Acting::anonymous("203.0.113.7", crate::i18n::Lang::Zh);
            notice::object(db, &public, &objection)
                .await
                .map_err(err("objection"))?;
        }
    }
    Ok(())
}
