//! The public site's reports: the newest completed activities get a summary and photos, each
//! photo with its text alternative (small pictures drawn for the demo), so the public home and
//! `/reports` show what was done.

use anyhow::Context;

use crate::db::audit::Actor;
use crate::db::{activities, demo as store, Tx};

/// Simple drawings of volunteers at work (480×320 PNG), made for the demo.
const PHOTOS: [&[u8]; 4] = [
    include_bytes!("photos/0.png"),
    include_bytes!("photos/1.png"),
    include_bytes!("photos/2.png"),
    include_bytes!("photos/3.png"),
];

/// What each picture shows, as its text alternative.
const ALTS: [&str; 4] = [
    "三名身穿红马甲的志愿者在社区服务站前合影",
    "四名志愿者在绿树旁整理社区公共绿地",
    "五名志愿者在居民楼下清理楼道杂物",
    "六名志愿者在社区广场开展宣传活动",
];

const SUMMARIES: [&str; 4] = [
    "志愿者分组入户走访，为 {n} 位居民送去服务，现场解答问题、登记需求，活动结束后清理了场地。",
    "本次活动共有 {v} 名志愿者参加，服务居民 {n} 人次；居民对活动评价很好，希望每月都能开展。",
    "志愿者清理卫生死角，发放宣传资料 {n} 份，并为行动不便的老人上门提供帮助。",
    "活动由结对单位志愿服务队和社区共同组织，{v} 名志愿者服务 {n} 位居民，记录的需求已转交社区跟进。",
];

/// Writes reports for the newest `count` completed activities of the campaign.
pub async fn seed(tx: &mut Tx, actor: &Actor, campaign_id: i64, count: i64) -> anyhow::Result<()> {
    let ids = store::latest_completed(tx, campaign_id, count).await?;
    for (i, id) in ids.into_iter().enumerate() {
        store::backdate_published(tx, id).await?;
        let mut a = activities::activity_in_tx(tx, id)
            .await?
            .context("the activity just listed")?;
        let served = 20 + (i as i64 * 7) % 40;
        if a.summary.is_empty() {
            let summary = SUMMARIES[i % SUMMARIES.len()]
                .replace("{n}", &served.to_string())
                .replace("{v}", &a.attended.max(1).to_string());
            a = activities::set_summary(tx, actor, &a, &summary, Some(served)).await?;
        }
        // One to three photos each; one report in four has none.
        if i % 4 == 3 {
            continue;
        }
        for k in 0..(1 + i % 3) {
            let p = (i + k) % PHOTOS.len();
            activities::add_photo(tx, actor, &a, "image/png", PHOTOS[p], ALTS[p]).await?;
        }
    }
    Ok(())
}
