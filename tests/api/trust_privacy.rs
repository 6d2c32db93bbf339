//! Privacy (issue 8 §7): personal data masked unless asked for and allowed, every full view or
//! export logged; no caching of personal answers and HSTS behind HTTPS; a volunteer's erasure of
//! their record (PIPL Art. 47) end to end.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Reader};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};
use leifeng::domain::service::format_local;

fn now() -> i64 {
    leifeng::db::now()
}

/// The audit entries of one object, newest first, as the district sees them.
async fn audit_of(app: &TestApp, admin: &str, kind: &str, id: i64) -> Vec<Value> {
    app.get_json(admin, &format!("/api/v1/audit?object_type={kind}&object_id={id}"))
        .await["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn actions(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

/// Every cell of the first sheet of an .xlsx, as text.
fn cells(bytes: &[u8]) -> Vec<String> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx");
    let range = wb.worksheet_range_at(0).expect("a sheet").expect("readable");
    range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect()
}

fn masked(v: &Value) -> bool {
    v.as_str().is_none_or(|s| s.is_empty() || s.contains("****"))
}

#[tokio::test]
async fn the_members_api_is_masked_unless_revealed_by_a_keeper_and_every_reveal_is_logged() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let admin = app.token("admin").await;
    let team = app.get_json(&unit, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap();

    // By default, even for the team's own staff: masked, and nothing logged.
    let list = app.get_json(&unit, &format!("/api/v1/teams/{team}/members")).await;
    let list = list.as_array().unwrap();
    assert!(
        list.iter().any(|m| m["id_number"].is_string()),
        "the demo roster has ID numbers"
    );
    for m in list {
        assert!(masked(&m["id_number"]) && masked(&m["phone"]), "{m}");
    }
    assert!(!actions(&audit_of(&app, &admin, "team", team).await).contains(&"view_unmasked".to_string()));

    // Asked for by the staff who keep the roster: in full, and logged.
    let full = app
        .get_json(&unit, &format!("/api/v1/teams/{team}/members?reveal=true"))
        .await;
    let with_id = full
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id_number"].is_string())
        .unwrap()
        .clone();
    let id_number = with_id["id_number"].as_str().unwrap().to_string();
    assert!(!id_number.contains('*') && id_number.len() >= 15, "{id_number}");
    let log = audit_of(&app, &admin, "team", team).await;
    assert_eq!(actions(&log)[0], "view_unmasked");
    assert_eq!(log[0]["username"], "shuiwu");

    // The team page follows the same rule.
    let (web, _) = app.web_login("shuiwu").await;
    let page = web
        .get(app.url(&format!("/teams/{team}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains(&id_number));
    assert!(page.contains("reveal=true"));
    let page = web
        .get(app.url(&format!("/teams/{team}?reveal=true")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&id_number));
    let views = actions(&audit_of(&app, &admin, "team", team).await)
        .iter()
        .filter(|a| *a == "view_unmasked")
        .count();
    assert_eq!(views, 2);

    // The roster export (附件2) too: masked unless asked for, and the full one says so in the log.
    let res = app
        .get(&unit, &format!("/api/v1/teams/{team}/roster/export.xlsx"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!cells(&res.bytes().await.unwrap()).contains(&id_number));
    let res = app
        .get(&unit, &format!("/api/v1/teams/{team}/roster/export.xlsx?reveal=true"))
        .await;
    assert!(cells(&res.bytes().await.unwrap()).contains(&id_number));
    let log = audit_of(&app, &admin, "team", team).await;
    let exports: Vec<Value> = log
        .iter()
        .filter(|e| e["action"] == "export")
        .map(|e| serde_json::from_str::<Value>(e["changes"].as_str().unwrap()).unwrap()["unmasked"].clone())
        .collect();
    assert_eq!(exports, vec![json!(true), json!(false)]);

    // Adding a person who is already on record by name and phone does not answer with the
    // record's ID number.
    new_volunteer(&app, team, "zhaomask", "11010519920517002X").await;
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{team}/members"),
            json!({"name": "赵隐私", "phone": "13912345678", "consent": "on"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let added: Value = res.json().await.unwrap();
    assert!(added["id_number"].as_str().unwrap().contains("**"), "{added}");
    assert!(!added["id_number"].as_str().unwrap().contains("19920517"), "{added}");
    assert_eq!(added["phone"], "139****5678");

    // A street that sees the team through a pairing, but does not keep its roster: masked, and
    // asking for more is refused.
    let street = app.token("donghu").await;
    let res = app.get(&street, &format!("/api/v1/teams/{team}/members")).await;
    assert_eq!(res.status(), StatusCode::OK);
    for m in res.json::<Value>().await.unwrap().as_array().unwrap() {
        assert!(masked(&m["id_number"]) && masked(&m["phone"]), "{m}");
    }
    let res = app
        .get(&street, &format!("/api/v1/teams/{team}/members?reveal=true"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_traffic_list_and_its_export_are_masked_unless_revealed_and_logged() {
    let app = spawn_app().await;
    let police = app.token("jiaojing").await;
    let admin = app.token("admin").await;

    let list = app.get_json(&police, "/api/v1/traffic?per_page=500").await;
    let people = list["items"].as_array().unwrap();
    assert!(!people.is_empty());
    for v in people {
        assert!(
            masked(&v["id_number"]) && masked(&v["phone"]) && masked(&v["guardian_phone"]),
            "{v}"
        );
    }
    let full = app.get_json(&police, "/api/v1/traffic?reveal=true&per_page=500").await;
    let full_people = full["items"].as_array().unwrap();
    let phone = full_people[0]["phone"].as_str().unwrap().to_string();
    assert!(!phone.contains('*') && phone.len() == 11, "{phone}");
    let ids: Vec<String> = full_people
        .iter()
        .filter_map(|v| v["id_number"].as_str().map(str::to_string))
        .collect();
    let campaign = app.get_json(&police, "/api/v1/campaigns/active").await["id"]
        .as_i64()
        .unwrap();
    // (The demo's own entries about traffic lists are left out: only views and exports count.)
    let reads = |log: &[Value]| -> Vec<Value> {
        log.iter()
            .filter(|e| e["action"] == "view_unmasked" || e["action"] == "export")
            .cloned()
            .collect()
    };
    assert_eq!(
        actions(&reads(&audit_of(&app, &admin, "traffic_list", campaign).await)),
        vec!["view_unmasked"]
    );

    // 附件3: masked by default, in full on request; both exports logged, saying which.
    let res = app.get(&police, "/api/v1/traffic/export.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    let sheet = cells(&res.bytes().await.unwrap());
    assert!(!sheet.contains(&phone));
    assert!(ids.iter().all(|id| !sheet.contains(id)));
    assert!(sheet.iter().any(|c| c.contains("****")));
    let res = app.get(&police, "/traffic/export.xlsx?reveal=true").await;
    let sheet = cells(&res.bytes().await.unwrap());
    assert!(sheet.contains(&phone));
    assert!(ids.iter().all(|id| sheet.contains(id)));
    let log = reads(&audit_of(&app, &admin, "traffic_list", campaign).await);
    let exports: Vec<(String, Value)> = log
        .iter()
        .map(|e| {
            let c: Value = serde_json::from_str(e["changes"].as_str().unwrap()).unwrap();
            (e["action"].as_str().unwrap().to_string(), c["unmasked"].clone())
        })
        .collect();
    assert_eq!(
        exports,
        vec![
            ("export".to_string(), json!(true)),
            ("export".to_string(), json!(false)),
            ("view_unmasked".to_string(), Value::Null),
        ]
    );
}

#[tokio::test]
async fn personal_answers_are_not_cached_and_hsts_is_sent_only_over_https() {
    let app = spawn_app().await;
    let volunteer = app.token("volunteer").await;
    let res = app.get(&volunteer, "/api/v1/me/volunteer").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers().get("strict-transport-security").is_none());

    let (web, _) = app.web_login("volunteer").await;
    let res = web.get(app.url("/me/record")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    // An error answer too (it may name the person's data in its message).
    let res = app.get(&volunteer, "/api/v1/teams/999999/members").await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    // Static assets stay cacheable.
    let res = app.http.get(app.url("/static/app.css")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "public, max-age=3600");

    // Behind a proxy that says the request came over HTTPS: HSTS, and the cookies are Secure.
    let res = app
        .http
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
    let res = app
        .http
        .get(app.url("/login"))
        .header("x-forwarded-proto", "http")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
    assert!(!res.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
}

/// Test setup, not under test: a volunteer with personal data and an account (password
/// [`PASSWORD`]) on `team`'s roster, written with the application's own audited functions.
/// (The demo's volunteer is signed up for an activity under way, so it cannot be erased.)
async fn new_volunteer(app: &TestApp, team: i64, username: &str, id_number: &str) -> i64 {
    use leifeng::db::volunteers;
    use leifeng::db::{audit::Actor, users};
    let actor = Actor::system("test");
    let hash = leifeng::auth::hash_password_blocking(PASSWORD.to_string())
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let f = leifeng::domain::volunteer::VolunteerFields {
        person: leifeng::domain::volunteer::Person {
            name: "赵隐私".into(),
            sex: "F".into(),
            birth_date: "1992-05-17".into(),
            id_type: "居民身份证".into(),
            id_number: Some(id_number.into()),
            phone: "13912345678".into(),
            residence: "春晓社区8幢".into(),
            employer: "明湖区税务局".into(),
            skills: "急救".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let v = volunteers::insert_volunteer(&mut tx, &actor, &f).await.unwrap();
    let account = users::AccountFields {
        username: username.into(),
        display_name: "赵隐私".into(),
        role: "volunteer".into(),
        street_id: None,
        community_id: None,
        unit_id: None,
        active: true,
    };
    let a = users::create_account(&mut tx, &actor, &account, &hash).await.unwrap();
    volunteers::link_user(&mut tx, &actor, v.id, a.id).await.unwrap();
    volunteers::add_member(&mut tx, &actor, team, v.id, false)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    v.id
}

async fn sign_up(app: &TestApp, token: &str, activity: i64, volunteer: i64) {
    let res = app
        .post(
            token,
            &format!("/api/v1/activities/{activity}/signups"),
            json!({"volunteer_id": volunteer}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

/// The minutes of every line of the activity's list, as its team sees them.
async fn minutes(app: &TestApp, token: &str, activity: i64) -> Vec<(i64, Option<i64>)> {
    let list = app
        .get_json(token, &format!("/api/v1/activities/{activity}/signups"))
        .await;
    let mut out: Vec<(i64, Option<i64>)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["volunteer_id"].as_i64().unwrap(), p["minutes"].as_i64()))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_volunteer_erases_their_record_and_the_figures_and_certificates_stand() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let admin = app.token("admin").await;
    let team = app.get_json(&unit, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let v = new_volunteer(&app, team, "zhaoyinsi", "11010519920517002X").await;
    let volunteer = app.token("zhaoyinsi").await;
    let me = app.get_json(&volunteer, "/api/v1/me/volunteer").await;
    assert_eq!(me["id"], v);
    let (name, phone, id_number) = ("赵隐私", "13912345678", "11010519920517002X");

    // Service done and certified before: 4 hours ago to 1 hour ago, hours confirmed.
    let past = app.activity(&unit, team, -4 * 3600, -3600, json!({}), false).await;
    sign_up(&app, &unit, past, v).await;
    let a = app.get_json(&unit, &format!("/api/v1/activities/{past}")).await;
    let (start, end) = (a["starts_at"].as_i64().unwrap(), a["ends_at"].as_i64().unwrap());
    for (action, at) in [("sign_in", start), ("sign_out", end)] {
        let res = app
            .post(
                &unit,
                &format!("/api/v1/activities/{past}/attendance"),
                json!({"volunteer_ids": [v], "action": action, "at": format_local(at)}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    }
    let res = app
        .post(&unit, &format!("/api/v1/activities/{past}/hours/confirm"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let res = app
        .post(&volunteer, &format!("/api/v1/volunteers/{v}/certificates"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let issued: Value = res.json().await.unwrap();
    let verify = issued["verify_path"].as_str().unwrap().to_string();
    let number = issued["number"].as_str().unwrap().to_string();
    let check = verify.split("?s=").nth(1).unwrap().to_string();
    let figures_before = minutes(&app, &unit, past).await;
    assert!(figures_before.contains(&(v, Some(180))), "{figures_before:?}");
    let total_before = app.get_json(&admin, &format!("/api/v1/volunteers/{v}/service")).await["total_minutes"].clone();

    // Signed up for one under way now and one next week.
    let now_on = app.activity(&unit, team, -600, 3600, json!({}), false).await;
    sign_up(&app, &unit, now_on, v).await;
    let next_week = app
        .activity(&unit, team, 7 * 86400, 7 * 86400 + 3600, json!({}), false)
        .await;
    sign_up(&app, &unit, next_week, v).await;

    // A correction the person proposed (it holds typed values). Test setup, not under test.
    let mut tx = app.db.begin().await.unwrap();
    leifeng::on_tx!(&mut tx, c => sqlx::query(
        "insert into proposed_corrections (volunteer_id, data, status, created_at) values ($1, $2, 'open', $3)")
        .bind(v).bind(r#"{"residence": "春晓社区8幢"}"#).bind(now()).execute(&mut *c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();

    // Not confirmed: refused, saying what to do.
    let res = app.post(&volunteer, "/api/v1/me/erasure", json!({})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["field"], "confirm");
    // Under way: refused, naming the activity.
    let res = app
        .post(&volunteer, "/api/v1/me/erasure", json!({"confirm": true}))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["code"], "err.erasure_under_way");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("测试活动"),
        "names the activity"
    );
    // Nobody else but the district carries out a request; the team may not.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/volunteers/{v}/erasure"),
            json!({"confirm": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Once it is no longer under way (here: called off), the erasure goes through.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{now_on}/status"),
            json!({"action": "cancel", "reason": "天气原因"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(&volunteer, "/api/v1/me/erasure", json!({"confirm": true}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let erasure: Value = res.json().await.unwrap();
    assert_eq!(erasure["requested_by"], "self");
    assert_eq!(erasure["signups_cancelled"], 1);
    assert_eq!(erasure["certificates_withdrawn"], 1);
    assert_eq!(erasure["account_closed"], true);
    assert!(erasure["teams_told"].as_array().unwrap().contains(&json!(team)));

    // The person can no longer sign in, with the old token or the password.
    let res = app.get(&volunteer, "/api/v1/me/volunteer").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login("zhaoyinsi", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The record keeps no personal field, in the API and in the database.
    let r = app
        .get_json(&admin, &format!("/api/v1/volunteers/{v}?reveal=true"))
        .await;
    assert_eq!(r["name"], format!("已注销志愿者 #{v}"));
    assert_eq!(r["id_number"], Value::Null);
    for f in [
        "phone",
        "birth_date",
        "residence",
        "employer",
        "post",
        "skills",
        "guardian_name",
        "sex",
    ] {
        assert_eq!(r[f], "", "{f}");
    }
    assert_eq!(r["consent_at"], Value::Null);
    let row: (String, String, Option<String>, String, Option<i64>, Option<i64>) = async {
        leifeng::on_db!(&app.db, pool =>
            sqlx::query_as("select name, phone, id_number, guardian_phone, user_id, erased_at from volunteers where id = $1")
                .bind(v).fetch_one(pool).await)
    }.await.unwrap();
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.2.as_deref(), row.3.as_str(), row.4),
        (format!("已注销志愿者 #{v}").as_str(), "", None, "", None)
    );
    assert!(row.5.is_some());
    let proposals: i64 = async {
        leifeng::on_db!(&app.db, pool =>
            sqlx::query_scalar("select count(*) from proposed_corrections where volunteer_id = $1")
                .bind(v).fetch_one(pool).await)
    }
    .await
    .unwrap();
    assert_eq!(proposals, 0);

    // Hours stay in the figures, without the person; the sign-up to come was cancelled.
    assert_eq!(minutes(&app, &unit, past).await, figures_before);
    assert_eq!(
        app.get_json(&admin, &format!("/api/v1/volunteers/{v}/service")).await["total_minutes"],
        total_before
    );
    let later = app
        .get_json(&unit, &format!("/api/v1/activities/{next_week}/signups"))
        .await;
    assert_eq!(later[0]["signup"], "cancelled");

    // The certificate still verifies: issued, holder's record withdrawn, no personal data.
    let check_url = format!("/api/v1/certificates/{number}/verify?s={check}");
    let verified = app.get_json(&admin, &check_url).await;
    assert_eq!(verified["valid"], true);
    assert_eq!(verified["holder_withdrawn"], true);
    assert_eq!(verified["name"], Value::Null);
    assert_eq!(verified["volunteer_no"], Value::Null);
    assert!(verified["hours"].as_f64().unwrap() > 0.0);
    let page = app.http.get(app.url(&verify)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("持有人已按本人申请注销档案") && !page.contains(name));

    // The team is told.
    let notices = app.get_json(&unit, &format!("/api/v1/teams/{team}/erasures")).await;
    assert_eq!(notices[0]["volunteer_id"], v);
    assert_eq!(notices[0]["requested_by"], "self");

    // The audit trail says that it happened, by whom, of which record, and keeps none of the
    // erased values, in the new entry or the older ones.
    let log = audit_of(&app, &admin, "volunteer", v).await;
    let erase: Vec<&Value> = log.iter().filter(|e| e["action"] == "erase").collect();
    assert_eq!(erase.len(), 1);
    assert_eq!(erase[0]["object_id"], v);
    assert!(erase[0]["username"].as_str().unwrap().starts_with("erased-"));
    let what: Value = serde_json::from_str(erase[0]["changes"].as_str().unwrap()).unwrap();
    assert!(what["fields"].as_array().unwrap().contains(&json!("id_number")));
    let all: Vec<(String, String, String)> = async {
        leifeng::on_db!(&app.db, pool =>
            sqlx::query_as("select username, object_label, changes from audit_log").fetch_all(pool).await)
    }
    .await
    .unwrap();
    assert!(
        all.iter().any(|(_, _, c)| c.contains("(erased)")),
        "older entries redacted"
    );
    for (user, label, changes) in &all {
        assert_ne!(user, "zhaoyinsi");
        for n in [phone, name, id_number, "zhaoyinsi", "春晓社区8幢"] {
            assert!(!changes.contains(n) && !label.contains(n), "{n} in {label} {changes}");
        }
    }

    // Done once; the district cannot do it again.
    let res = app
        .post(
            &admin,
            &format!("/api/v1/volunteers/{v}/erasure"),
            json!({"confirm": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_record_page_leads_to_erasure_which_works_on_the_web() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.get_json(&unit, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    new_volunteer(&app, team, "zhaoweb", "110105199205170046").await;
    let (web, csrf) = app.web_login("zhaoweb").await;
    let record = web
        .get(app.url("/me/record"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(record.contains("href=\"/me/erasure\""));
    let page = web.get(app.url("/me/erasure")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("name=\"confirm\"") && page.contains("viewport"));
    // Without ticking the box: refused, saying what to do.
    let res = web
        .post(app.url("/me/erasure"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("我已了解"));
    let res = web
        .post(app.url("/me/erasure"))
        .form(&[("csrf", csrf.as_str()), ("confirm", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");
    // The session ended with the account.
    let res = web.get(app.url("/me/record")).send().await.unwrap();
    assert_ne!(res.status(), StatusCode::OK);

    // The demo's volunteer is at an activity under way: the page says so and offers no button.
    let (web, _) = app.web_login("volunteer").await;
    let page = web
        .get(app.url("/me/erasure"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("活动结束后才能注销档案") && !page.contains("name=\"confirm\""));
}
