//! The demo's notifications: every demo account has an e-mail address and a phone, and the
//! inboxes hold one message of each kind (the volunteer's kinds for the volunteer, the staff's
//! for the unit, the community and the district).

use crate::db::audit::Actor;
use crate::db::notifications::{self as store, Notice, Prefs};
use crate::db::{self, Db};
use crate::domain::notification::NoticeKind as K;

pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let accounts = store::accounts_that_sign_in(db).await?;
    let actor = Actor::system("demo");
    let mut tx = db.begin().await?;
    for (i, (id, username)) in accounts.iter().enumerate() {
        // The volunteer's account has its own (set with the demo's people).
        if username != "volunteer" {
            let email = format!("{username}@demo.leifeng.example");
            crate::db::users::set_contact(&mut tx, &actor, *id, &format!("1390000{:04}", 100 + i), &email).await?;
        }
        store::set_prefs(&mut tx, &actor, *id, &Prefs::default(), &Prefs::default()).await?;
    }
    let id_of = |name: &str| accounts.iter().find(|(_, u)| u == name).map(|(id, _)| *id);
    let starts = crate::domain::dates::format_local(db::now() + 86400);
    let activity = |k: K| {
        Notice::to_user(k, format!("demo:{}", k.as_str()), 0)
            .param("title", "春晓社区垃圾分类宣传")
            .param("starts", &starts)
            .param("address", "春晓社区文化家园")
            .param("hours", "2.5")
            .param("number", "LFC2026DEMO0001")
            .link("/activities")
    };
    let staff = |k: K, link: &str| {
        Notice::to_user(k, format!("demo:{}", k.as_str()), 0)
            .param("team", "区税务局志愿服务队")
            .param("reason", "联系人电话缺失")
            .param("title", "春晓社区垃圾分类宣传")
            .param("name", "区税务局 → 春晓社区")
            .param("n", 5)
            .param("answer", "接受")
            .param("decision", "同意")
            .param_text("milestone", "board.roster")
            .param("due", "2026-03-20")
            .param("days", 3)
            .link(link)
    };
    let mut notices = vec![];
    if let Some(v) = id_of("volunteer") {
        for k in [
            K::ActivityChanged,
            K::ActivityCancelled,
            K::Promoted,
            K::ActivityTomorrow,
            K::ActivitySoon,
            K::HoursConfirmed,
            K::CertificateIssued,
        ] {
            notices.extend(activity(k).to_each(&[v]));
        }
    }
    let staff_kinds: &[(&str, &[(K, &str)])] = &[
        (
            "shuiwu",
            &[
                (K::RosterReturned, "/teams"),
                (K::RosterAccepted, "/teams"),
                (K::MilestoneDue, "/board"),
                (K::MilestoneToday, "/board"),
                (K::DispatchReceived, "/dispatches"),
                (K::DispatchReviewed, "/dispatches"),
                (K::CheckinReturned, "/checkins"),
                (K::CheckinConfirmed, "/checkins"),
                (K::HoursDue, "/activities"),
                (K::HoursOverdue, "/activities"),
                (K::SignupWaiting, "/activities"),
            ],
        ),
        ("chunxiao", &[(K::CheckinWaiting, "/checkins")]),
        ("admin", &[(K::DispatchAnswered, "/dispatches")]),
    ];
    for (user, kinds) in staff_kinds {
        if let Some(u) = id_of(user) {
            for (k, link) in *kinds {
                notices.extend(staff(*k, link).to_each(&[u]));
            }
        }
    }
    store::queue(&mut tx, &notices).await?;
    tx.commit().await?;
    Ok(())
}
