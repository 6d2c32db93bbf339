//! Reminders the periodic job queues: milestones N days before and on the day, only to the staff
//! of orgs that have not done them; hours to confirm (once the activity is over) and overdue,
//! to the organising team's staff. Each is queued once however often the job runs.

use serde_json::{json, Value};

use crate::helpers::spawn_app;
use leifeng::features::notifications::reminders;

async fn inbox_kinds(app: &crate::helpers::TestApp, token: &str) -> Vec<String> {
    let inbox = app.get_json(token, "/api/v1/me/notifications?per_page=100").await;
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Noon (China time) of `day`, as the job's clock.
fn noon(day: chrono::NaiveDate) -> i64 {
    day.and_hms_opt(4, 0, 0).unwrap().and_utc().timestamp()
}

#[tokio::test]
async fn milestone_reminders_go_n_days_before_and_on_the_day_only_to_those_not_done() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    // Every deadline of the campaign on one day, ten days from now.
    let today = leifeng::domain::dates::local(leifeng::db::now()).date();
    let due = today + chrono::Duration::days(10);
    let mut campaign = app.get_json(&admin, "/api/v1/campaigns/active").await;
    for k in ["formation_due", "roster_due", "checkin_due"] {
        campaign[k] = json!(due.format("%Y-%m-%d").to_string());
    }
    let res = app.put(&admin, "/api/v1/campaigns/active", campaign).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    let me = app.get_json(&unit, "/api/v1/me").await;
    let unit_id = me["unit_id"].as_i64().unwrap();
    let board = app.get_json(&admin, "/api/v1/board").await;
    let row = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "unit" && r["id"] == unit_id)
        .cloned()
        .expect("the unit's row");
    let cells = ["formation", "roster", "traffic", "checkin", "plan"];
    let open_on = |day: chrono::NaiveDate| -> usize {
        cells
            .iter()
            .filter(|c| row[**c]["status"] == "open" && row[**c]["due"] == day.format("%Y-%m-%d").to_string())
            .count()
    };
    let open = open_on(due);
    // What is done (or does not apply) is not reminded: one message per open milestone.
    assert!(open > 0, "some milestone is open: {row}");

    // The district's N is 3 (the default): nothing 5 days before, then N days before, then on the day.
    let days = leifeng::db::notifications::rules(&app.db).await.unwrap().milestone_days;
    let count = |kinds: &[String], k: &str| kinds.iter().filter(|x| *x == k).count();
    // What the inbox held before (the demo's examples).
    let before = inbox_kinds(&app, &unit).await;
    let (due_before, today_before) = (count(&before, "milestone_due"), count(&before, "milestone_today"));
    reminders::milestone_reminders(&app.db, noon(due - chrono::Duration::days(days + 2)))
        .await
        .unwrap();
    assert_eq!(count(&inbox_kinds(&app, &unit).await, "milestone_due"), due_before);
    for _ in 0..3 {
        reminders::milestone_reminders(&app.db, noon(due - chrono::Duration::days(days)))
            .await
            .unwrap();
    }
    let kinds = inbox_kinds(&app, &unit).await;
    assert_eq!(
        count(&kinds, "milestone_due"),
        due_before + open,
        "one per open milestone, once: {kinds:?}"
    );
    for _ in 0..2 {
        reminders::milestone_reminders(&app.db, noon(due)).await.unwrap();
    }
    let kinds = inbox_kinds(&app, &unit).await;
    assert_eq!(count(&kinds, "milestone_today"), today_before + open, "{kinds:?}");
    // The text names the milestone and the day.
    let inbox = app.get_json(&unit, "/api/v1/me/notifications?per_page=100").await;
    let first = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["kind"] == "milestone_today"
                && i["body"]
                    .as_str()
                    .unwrap()
                    .contains(&due.format("%Y-%m-%d").to_string())
        })
        .unwrap();
    assert!(
        first["body"]
            .as_str()
            .unwrap()
            .contains(&due.format("%Y-%m-%d").to_string()),
        "{first}"
    );
    // A volunteer is never reminded of an org's milestones.
    let volunteer = app.token("volunteer").await;
    let kinds = inbox_kinds(&app, &volunteer).await;
    assert!(!kinds.iter().any(|k| k.starts_with("milestone")), "{kinds:?}");
}

#[tokio::test]
async fn hours_reminders_go_to_the_team_staff_when_due_and_again_when_overdue() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let teams = app.get_json(&unit, "/api/v1/teams").await;
    let team = teams["items"].as_array().unwrap()[0]["id"].as_i64().unwrap();
    let id = app.activity(&unit, team, 3600, 7200, json!({}), false).await;
    let link = format!("/activities/{id}");
    // How many messages of `kind` about this activity `token` has.
    let about = |token: String, kind: &'static str| {
        let app = &app;
        let link = link.clone();
        async move {
            let inbox: Value = app.get_json(&token, "/api/v1/me/notifications?per_page=200").await;
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["kind"] == kind && i["link"] == link.as_str())
                .count()
        }
    };
    let now = leifeng::db::now();
    // Before it is over: nothing.
    reminders::hours_reminders(&app.db, now).await.unwrap();
    assert_eq!(about(unit.clone(), "hours_due").await, 0);
    // Once it is over, its hours are to confirm: the unit's staff are told once.
    for _ in 0..3 {
        reminders::hours_reminders(&app.db, now + 3 * 3600).await.unwrap();
    }
    assert_eq!(about(unit.clone(), "hours_due").await, 1);
    // Past the confirmation deadline: overdue, once.
    for _ in 0..2 {
        reminders::hours_reminders(&app.db, now + 30 * 86400).await.unwrap();
    }
    assert_eq!(about(unit.clone(), "hours_overdue").await, 1);
    // Another org's staff and volunteers hear nothing of it.
    for other in ["chunxiao", "volunteer"] {
        let tok = app.token(other).await;
        assert_eq!(
            about(tok.clone(), "hours_due").await + about(tok, "hours_overdue").await,
            0,
            "{other}"
        );
    }
}
