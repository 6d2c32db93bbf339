//! Notifications reach people through real servers: an SMTP sink and an SMS provider stub
//! (tests/api/sinks.rs), in each recipient's language; the inbox, preferences and the district's
//! send log through the API; reminders once; and two instances never send one message twice.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, spawn_on_with, TestApp, PASSWORD};
use crate::sinks::{eventually, SmsStub, SmtpSink};
use leifeng::db::notifications::Notice;
use leifeng::domain::notification::{DeliveryState, NoticeKind};
use leifeng::i18n::Lang;
use leifeng::state::NotifyConfig;

fn channels(sink: &SmtpSink, sms: &SmsStub) -> NotifyConfig {
    NotifyConfig {
        smtp_url: Some(sink.url()),
        smtp_tls: Some("none".into()),
        smtp_from: "Leifeng <noreply@leifeng.example>".into(),
        sms_url: Some(sms.url()),
        sms_auth: Some("Bearer sms-token".into()),
        poll_ms: 50,
        ..Default::default()
    }
}

fn cheap_password_hash() -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};
    let salt = SaltString::from_b64("dGVzdHNhbHR0ZXN0c2FsdA").unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap())
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

/// Test setup: a volunteer on `team` with an account in `lang`, an e-mail address and no quiet
/// hours (so the test passes at any hour); answers the account id and an API token.
async fn person(app: &TestApp, tag: &str, phone: &str, lang: &str, team: i64) -> (i64, i64, String) {
    use leifeng::db::{audit::Actor, users, volunteers};
    let actor = Actor::system("test");
    let mut tx = app.db.begin().await.unwrap();
    let f = leifeng::domain::volunteer::VolunteerFields {
        person: leifeng::domain::volunteer::Person {
            name: format!("通知{tag}"),
            birth_date: "1990-01-01".into(),
            phone: phone.into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let v = volunteers::insert_volunteer(&mut tx, &actor, &f).await.unwrap();
    let account = users::AccountFields {
        username: format!("notify{tag}"),
        display_name: f.name.clone(),
        role: "volunteer".into(),
        street_id: None,
        community_id: None,
        unit_id: None,
        active: true,
    };
    let a = users::create_account(&mut tx, &actor, &account, &cheap_password_hash())
        .await
        .unwrap();
    users::set_lang(&mut tx, &actor, a.id, lang).await.unwrap();
    // The account's own address (set here as the code under /me/contact would).
    users::set_contact(&mut tx, &actor, a.id, "", &format!("{tag}@example.org"))
        .await
        .unwrap();
    volunteers::link_user(&mut tx, &actor, v.id, a.id).await.unwrap();
    volunteers::add_member(&mut tx, &actor, team, v.id, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let token = app.token(&format!("notify{tag}")).await;
    let res = app
        .put(
            &token,
            "/api/v1/me/notification-prefs",
            json!({"email_on": true, "sms_on": true, "quiet_hours": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    (a.id, v.id, token)
}

async fn unit_team(app: &TestApp, token: &str) -> i64 {
    let teams = app.get_json(token, "/api/v1/teams").await;
    teams["items"].as_array().unwrap()[0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn promotion_and_cancellation_reach_each_person_by_email_sms_and_inbox_in_their_language() {
    let (sink, sms) = (SmtpSink::start().await, SmsStub::start().await);
    let app = spawn_app_with(channels(&sink, &sms)).await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let id = app
        .activity(&unit, team, 3 * 86400, 3 * 86400 + 7200, json!({"capacity": 1}), false)
        .await;
    let (_, zh_vid, zh) = person(&app, "zh", "13500000001", "zh-CN", team).await;
    let (_, _, en) = person(&app, "en", "13500000002", "en", team).await;
    let zh_outcome = app
        .post(&zh, &format!("/api/v1/activities/{id}/signups"), json!({}))
        .await;
    assert_eq!(zh_outcome.json::<Value>().await.unwrap()["outcome"], "confirmed");
    let en_outcome = app
        .post(&en, &format!("/api/v1/activities/{id}/signups"), json!({}))
        .await;
    assert_eq!(en_outcome.json::<Value>().await.unwrap()["outcome"], "waiting");

    // The first cancels: the one waiting moves up and is told, in English.
    let res = app
        .delete(&zh, &format!("/api/v1/activities/{id}/signups/{zh_vid}"))
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    assert!(
        eventually(10, || !sink.to("en@example.org").is_empty()).await,
        "no promotion mail"
    );
    let mail = &sink.to("en@example.org")[0];
    assert!(mail.subject.starts_with("You are in:"), "{mail:?}");
    assert!(mail.body.contains("moved up from the waiting list"), "{mail:?}");
    assert_eq!(mail.from, "noreply@leifeng.example");

    // The activity is cancelled: everyone signed up or waiting is told (the one who left is not).
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{id}/status"),
            json!({"action": "cancel", "reason": "暴雨"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(eventually(10, || sink.to("en@example.org").len() == 2).await);
    let cancelled = sink.to("en@example.org")[1].clone();
    assert!(cancelled.subject.starts_with("Activity cancelled:"), "{cancelled:?}");
    assert!(sink.to("zh@example.org").is_empty(), "the one who left is not told");
    // By SMS too, with the provider's credentials, in the recipient's language.
    assert!(eventually(10, || sms.to("13500000002").len() == 2).await);
    let texts = sms.to("13500000002");
    assert!(texts.iter().all(|t| t.auth == "Bearer sms-token"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.body["text"].as_str().unwrap().contains("has been cancelled")),
        "{texts:?}"
    );

    // In Chinese for a Chinese account: a new sign-up on another activity, then it changes.
    let other = app
        .activity(&unit, team, 4 * 86400, 4 * 86400 + 7200, json!({}), false)
        .await;
    app.post(&zh, &format!("/api/v1/activities/{other}/signups"), json!({}))
        .await;
    let a: Value = app.get_json(&unit, &format!("/api/v1/activities/{other}")).await;
    let local = |k: &str| leifeng::domain::service::format_local(a[k].as_i64().unwrap());
    let changed = json!({
        "team_id": team, "title": a["title"], "category": "public_affairs", "dimension": "environment",
        "form": "scattered", "address": "春晓社区新会场", "starts_at": local("starts_at"),
        "ends_at": local("ends_at"), "capacity": 10,
    });
    let res = app.put(&unit, &format!("/api/v1/activities/{other}"), changed).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert!(eventually(10, || !sink.to("zh@example.org").is_empty()).await);
    let mail = &sink.to("zh@example.org")[0];
    assert!(mail.subject.starts_with("活动变更："), "{mail:?}");
    assert!(mail.body.contains("春晓社区新会场"), "{mail:?}");
    assert!(eventually(10, || !sms.to("13500000001").is_empty()).await);
    assert!(sms.to("13500000001")[0].body["text"]
        .as_str()
        .unwrap()
        .contains("有变动"));

    // The inbox: the bell's count, the messages with their links, marking read.
    let inbox = app.get_json(&en, "/api/v1/me/notifications").await;
    assert_eq!(
        app.get_json(&en, "/api/v1/me/notifications/unread").await["unread"],
        2,
        "{inbox}"
    );
    let items = inbox["items"].as_array().unwrap();
    assert_eq!(items[0]["kind"], "activity_cancelled");
    assert_eq!(items[0]["link"], format!("/activities/{id}"));
    let first = items[1]["id"].as_i64().unwrap();
    let res = app.post(&en, "/api/v1/me/notifications", json!({"ids": [first]})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["unread"], 1);
    // Someone else's message is not theirs to mark.
    let res = app
        .post(&zh, "/api/v1/me/notifications", json!({"ids": [items[0]["id"]]}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["marked"], 0);
    let res = app.post(&en, "/api/v1/me/notifications", json!({"all": true})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["unread"], 0);

    // The district sees every send, addresses masked; a unit does not.
    let admin = app.token("admin").await;
    let log = app
        .get_json(
            &admin,
            "/api/v1/notifications/sends?kind=activity_cancelled&channel=email&state=sent",
        )
        .await;
    let items = log["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["recipient"] == "e***@example.org"), "{log}");
    assert!(items
        .iter()
        .all(|i| i["kind"] == "activity_cancelled" && i["state"] == "sent"));
    assert!(!log.to_string().contains("en@example.org"), "addresses are masked");
    let log = app
        .get_json(&admin, "/api/v1/notifications/sends?channel=sms&kind=promoted")
        .await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["recipient"] == "135****0002"),
        "{log}"
    );
    assert_eq!(
        app.get(&unit, "/api/v1/notifications/sends").await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app.get(&admin, "/api/v1/notifications/sends?state=lost").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The pages: the bell with its count, the inbox, the send log.
    let (c, _) = app.web_login("volunteer").await;
    let home = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("class=\"bell\""), "the bell is in the header");
    let page = c.get(app.url("/notifications")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let (c, _) = app.web_login("admin").await;
    let page = c.get(app.url("/notifications/sends?channel=sms")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("135****0002"));
}

#[tokio::test]
async fn preferences_are_checked_and_turn_channels_off() {
    let (sink, sms) = (SmtpSink::start().await, SmsStub::start().await);
    let app = spawn_app_with(channels(&sink, &sms)).await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let (uid, _, tok) = person(&app, "pref", "13500000003", "zh-CN", team).await;
    // The preferences choose channels only: an address in them is not taken.
    let res = app
        .put(
            &tok,
            "/api/v1/me/notification-prefs",
            json!({"email": "elsewhere@example.org", "phone": "13900009999", "email_on": false, "sms_on": true,
                   "quiet_hours": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let prefs = app.get_json(&tok, "/api/v1/me/notification-prefs").await;
    assert!(prefs.get("email").is_none() && prefs.get("phone").is_none(), "{prefs}");
    assert_eq!(
        app.get_json(&tok, "/api/v1/me/contact").await["email"],
        "pref@example.org"
    );
    assert_eq!(
        app.get_json(&tok, "/api/v1/me/notification-prefs").await["email_on"],
        false
    );
    let n = Notice::to_user(NoticeKind::HoursConfirmed, "hours_confirmed:pref", uid)
        .param("title", "测试")
        .param("hours", "2.0");
    leifeng::features::notifications::notify(&app.db, &[n.clone(), n])
        .await
        .unwrap();
    assert!(eventually(10, || !sms.to("13500000003").is_empty()).await);
    assert!(sink.to("pref@example.org").is_empty(), "e-mail is off");
    // Queued twice under one event: one message per channel.
    assert_eq!(sms.to("13500000003").len(), 1);
    assert_eq!(app.get_json(&tok, "/api/v1/me/notifications").await["total"], 1);
    // Without a token there is no inbox.
    let res = app.http.get(app.url("/api/v1/me/notifications")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unconfigured_channel_is_recorded_as_skipped_and_codes_still_reach_the_log() {
    let app = spawn_app_with(NotifyConfig {
        poll_ms: 50,
        ..Default::default()
    })
    .await;
    let n = Notice::to_address(NoticeKind::Test, "test:skip", "someone@example.org", Lang::En).param("at", "now");
    leifeng::features::notifications::notify(&app.db, &[n]).await.unwrap();
    let admin = app.token("admin").await;
    let mut last = Value::Null;
    for _ in 0..200 {
        last = app.get_json(&admin, "/api/v1/notifications/sends?kind=test").await;
        if last["items"][0]["state"] == "skipped" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(last["items"][0]["state"], "skipped", "{last}");
    assert!(last["items"][0]["error"].as_str().unwrap().contains("not configured"));
}

#[tokio::test]
async fn one_time_codes_go_through_the_outbox_as_urgent_sms() {
    let (sink, sms) = (SmtpSink::start().await, SmsStub::start().await);
    let app = spawn_app_with(channels(&sink, &sms)).await;
    let mut tx = app.db.begin().await.unwrap();
    leifeng::db::identity::enqueue(
        &mut tx,
        "sms",
        "13600009999",
        "link_code",
        "验证码 123456，10 分钟内有效。",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(eventually(10, || !sms.to("13600009999").is_empty()).await);
    assert!(sms.to("13600009999")[0].body["text"]
        .as_str()
        .unwrap()
        .contains("123456"));
    let body = leifeng::db::identity::last_message(&app.db, "13600009999", "link_code")
        .await
        .unwrap();
    assert!(body.unwrap().contains("123456"));
}

#[tokio::test]
async fn activity_reminders_go_once_to_those_signed_up() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let soon = app.activity(&unit, team, 3600, 7200, json!({}), false).await;
    let tomorrow = app.activity(&unit, team, 20 * 3600, 22 * 3600, json!({}), false).await;
    let (_, _, tok) = person(&app, "rem", "13500000004", "zh-CN", team).await;
    for id in [soon, tomorrow] {
        app.post(&tok, &format!("/api/v1/activities/{id}/signups"), json!({}))
            .await;
    }
    let now = leifeng::db::now();
    // The job runs on every instance, again and again: each reminder is queued once.
    for _ in 0..3 {
        leifeng::features::notifications::reminders::activity_reminders(&app.db, now)
            .await
            .unwrap();
    }
    let inbox = app.get_json(&tok, "/api/v1/me/notifications").await;
    let kinds: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"activity_soon") && kinds.contains(&"activity_tomorrow"),
        "{kinds:?}"
    );
    assert_eq!(kinds.len(), 2, "{kinds:?}");
}

#[tokio::test]
async fn two_instances_deliver_each_message_exactly_once() {
    let (sink, sms) = (SmtpSink::start().await, SmsStub::start().await);
    let a = spawn_app_with(channels(&sink, &sms)).await;
    let _b = spawn_on_with(&a.db_url, channels(&sink, &sms)).await;
    let _c = spawn_on_with(&a.db_url, channels(&sink, &sms)).await;
    let notices: Vec<Notice> = (0..400)
        .map(|i| {
            Notice::to_address(
                NoticeKind::Test,
                format!("test:once:{i}"),
                format!("p{i}@example.org"),
                Lang::Zh,
            )
            .param("at", i)
        })
        .collect();
    leifeng::features::notifications::notify(&a.db, &notices).await.unwrap();
    assert!(
        eventually(30, || sink.to_prefix("p") >= 400).await,
        "delivered {}",
        sink.count()
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    for i in 0..400 {
        assert_eq!(sink.to(&format!("p{i}@example.org")).len(), 1, "p{i} got it once");
    }
    let queued = leifeng::db::notifications::count_by_state(&a.db, DeliveryState::Queued)
        .await
        .unwrap();
    let sending = leifeng::db::notifications::count_by_state(&a.db, DeliveryState::Sending)
        .await
        .unwrap();
    assert_eq!(sending, 0);
    let _ = queued;
}

#[tokio::test]
async fn the_test_command_reaches_the_smtp_server_and_says_so() {
    let sink = SmtpSink::start().await;
    let app = spawn_app().await;
    // The command runs apart from this runtime, which keeps serving the sink meanwhile.
    let run = |args: Vec<String>, db: String| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_leifeng"))
                .args(args)
                .env("LEIFENG_DATABASE_URL", db)
                .env("LEIFENG_LOG", "warn")
                .output()
                .unwrap()
        })
    };
    let args = [
        "notify",
        "test",
        "--to",
        "ops@example.org",
        "--lang",
        "en",
        "--smtp-tls",
        "none",
        "--smtp-url",
    ];
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    args.push(sink.url());
    let out = run(args, app.db_url.clone()).await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said} {}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("email: sent to ops@example.org"), "{said}");
    let mail = &sink.to("ops@example.org")[0];
    assert_eq!(mail.subject, "Leifeng test message");
    // Without SMS configured, a phone is skipped and the command says so.
    let args = ["notify", "test", "--to", "13800001111"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = run(args, app.db_url.clone()).await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("sms: skipped"));
}
