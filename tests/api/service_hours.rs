//! Service, continued: hours and corrections, the service record and certificates, walk-ins,
//! two servers on one database, dispatched actions, monthly compliance, the sign-out at the end,
//! the age limit.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{csrf_of, error_fields, spawn_app, spawn_on};
use crate::service::{codes, sign, unit_team, volunteers, when};
use leifeng::domain::service::format_local;

#[tokio::test]
async fn hours_are_confirmed_corrected_with_history_and_certified() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let volunteer = app.token("volunteer").await;
    let me = app.get_json(&volunteer, "/api/v1/me/volunteer").await;
    let v = me["id"].as_i64().unwrap();
    let others = volunteers(&app, 2, Some(team), "h").await;
    // Recorded after the fact: from four hours ago to one hour ago.
    let past = app.activity(&unit, team, -4 * 3600, -3600, json!({}), false).await;
    let a = app.get_json(&unit, &format!("/api/v1/activities/{past}")).await;
    let (start, end) = (a["starts_at"].as_i64().unwrap(), a["ends_at"].as_i64().unwrap());
    for who in [v, others[0].0, others[1].0] {
        let res = app
            .post(
                &unit,
                &format!("/api/v1/activities/{past}/signups"),
                json!({"volunteer_id": who}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // The volunteer may no longer scan: it is over.
    let (_, body) = sign(&app, &volunteer, past, "sign-in", json!({})).await;
    assert_eq!(codes(&body), vec!["err.signin_closed"]);
    // The leader signs two in at the start; one out 30 minutes early; the other stays signed in.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/attendance"),
            json!({"volunteer_ids": [v, others[0].0], "action": "sign_in", "at": format_local(start)}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["changed"], 2);
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/attendance"),
            json!({"volunteer_ids": [v], "action": "sign_out", "at": format_local(end - 1800)}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["changed"], 1);
    let res = app
        .post(&unit, &format!("/api/v1/activities/{past}/hours/confirm"), json!({}))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (
            body["confirmed"].as_i64(),
            body["no_shows"].as_i64(),
            body["auto_signed_out"].as_i64()
        ),
        (Some(2), Some(1), Some(1)),
        "{body}"
    );
    assert_eq!(body["late"], false);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{past}/signups")).await;
    let by: HashMap<i64, &Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["volunteer_id"].as_i64().unwrap(), p))
        .collect();
    assert_eq!(by[&v]["minutes"], 150);
    assert_eq!(by[&others[0].0]["auto_signed_out"], true);
    assert_eq!(by[&others[0].0]["minutes"], 180);
    assert_eq!(by[&others[1].0]["signup"], "no_show");
    assert_eq!(
        app.get_json(&unit, &format!("/api/v1/activities/{past}")).await["status"],
        "completed"
    );

    // Corrections: a reason is required, hours cannot exceed the span, the old value is kept.
    let path = format!("/api/v1/activities/{past}/attendance/{v}");
    let res = app.put(&unit, &path, json!({"hours": "2"})).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app.put(&unit, &path, json!({"hours": "3.5", "reason": "x"})).await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.hours_exceed_span"]);
    let res = app
        .put(
            &unit,
            &path,
            json!({"signed_out_at": format_local(end), "reason": "签退时扫码失败，现场名单为证"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["minutes"], 180);
    let history = app
        .get_json(&unit, &format!("/api/v1/activities/{past}/corrections"))
        .await;
    let minutes = history
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "minutes")
        .unwrap();
    assert_eq!(
        (minutes["old_value"].as_str(), minutes["new_value"].as_str()),
        (Some("150"), Some("180"))
    );
    assert_eq!(minutes["reason"], "签退时扫码失败，现场名单为证");

    // The volunteer's record shows it; a certificate states it and verifies.
    let record = app.get_json(&volunteer, "/api/v1/me/service").await;
    let line = record["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["activity_id"] == past)
        .unwrap();
    assert_eq!(line["minutes"], 180);
    assert_eq!(line["organiser"], "明湖区税务局");
    let total = record["total_minutes"].as_i64().unwrap();
    let res = app
        .post(&volunteer, &format!("/api/v1/volunteers/{v}/certificates"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cert: Value = res.json().await.unwrap();
    assert_eq!(cert["statement"]["minutes"], total);
    let number = cert["number"].as_str().unwrap().to_string();
    // One's own record (one statement on PostgreSQL) says what the district sees of it.
    let own = app.get_json(&volunteer, "/api/v1/me/service").await;
    let admin = app.token("admin").await;
    let seen = app.get_json(&admin, &format!("/api/v1/volunteers/{v}/service")).await;
    assert_eq!(own["certificates"][0]["number"], number.as_str(), "{own}");
    for k in [
        "lines",
        "years",
        "total_minutes",
        "stars",
        "next_star_hours",
        "certificates",
        "honours",
    ] {
        assert_eq!(own[k], seen[k], "{k}");
    }
    for k in ["id", "volunteer_no", "teams", "trainings", "consent_at"] {
        assert_eq!(own["volunteer"][k], seen["volunteer"][k], "{k}");
    }
    assert_eq!(
        (
            own["volunteer"]["unmasked"].as_bool(),
            own["volunteer"]["may_reveal"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let path = cert["verify_path"].as_str().unwrap().to_string();
    let check = path.split("s=").nth(1).unwrap().to_string();
    let ok: Value = app
        .http
        .get(app.url(&format!("/api/v1/certificates/{number}/verify?s={check}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["name"], "王*明");
    let page = app.http.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("王*明"));
    // Edited numbers or check codes, and edited statements, do not verify.
    let mut forged = number.clone();
    forged.replace_range(5..6, if &number[5..6] == "A" { "B" } else { "A" });
    for url in [
        format!("/api/v1/certificates/{forged}/verify"),
        format!("/api/v1/certificates/{number}/verify?s=0000000000000000"),
    ] {
        let body: Value = app.http.get(app.url(&url)).send().await.unwrap().json().await.unwrap();
        assert_eq!(body["valid"], false, "{url}");
    }
    let res = app
        .http
        .get(app.url(&format!("/verify/{forged}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let mut tx = app.db.begin().await.unwrap();
    leifeng::on_tx!(&mut tx, c => sqlx::query("update certificates set statement = replace(statement, '王小明', '王大明') where number = $1")
        .bind(&number).execute(&mut *c).await.map(|r| r.rows_affected()).unwrap());
    tx.commit().await.unwrap();
    let body: Value = app
        .http
        .get(app.url(&format!("/api/v1/certificates/{number}/verify")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["valid"], false);
    // Nobody else issues the volunteer's certificates.
    let res = app
        .post(&others[1].1, &format!("/api/v1/volunteers/{v}/certificates"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A summary and photos, checked by content.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/summary"),
            json!({"summary": "清理楼道 12 处", "people_served": 80}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let form = reqwest::multipart::Form::new().text("alt", "志愿者在清扫楼道").part(
        "file",
        reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("x.jpg"),
    );
    let res = app
        .http
        .post(app.url(&format!("/api/v1/activities/{past}/photos")))
        .bearer_auth(&unit)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.not_an_image"]);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82".to_vec();
    // Without a text alternative the photo is refused, naming the field.
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(png.clone()).file_name("a.png"));
    let res = app
        .http
        .post(app.url(&format!("/api/v1/activities/{past}/photos")))
        .bearer_auth(&unit)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(png).file_name("a.png"))
        .text("alt", "志愿者清理楼道杂物");
    let res = app
        .http
        .post(app.url(&format!("/api/v1/activities/{past}/photos")))
        .bearer_auth(&unit)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let url = res.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_string();
    let img = app.http.get(app.url(&url)).send().await.unwrap();
    assert_eq!(img.headers()["content-type"], "image/png");

    // The district's rules: validated, and they change how hours are counted.
    let admin = app.token("admin").await;
    let mut rules = app.get_json(&admin, "/api/v1/service-rules").await;
    assert_eq!(rules["stars"], json!([100, 300, 600, 1000, 1500]));
    rules["stars"] = json!([300, 100, 600, 1000, 1500]);
    let res = app.put(&admin, "/api/v1/service-rules", rules.clone()).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["stars"]);
    let res = app.put(&unit, "/api/v1/service-rules", rules).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_walk_in_signs_in_and_out_from_the_poster_page() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let live = app.activity(&unit, team, -600, 7200, json!({}), false).await;
    let code = app.get_json(&unit, &format!("/api/v1/activities/{live}/code")).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let phone = app.browser();
    let page = phone
        .get(app.url(&format!("/s/{live}?c={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"consent\""));
    let csrf = csrf_of(&page);
    // Without the poster's code (a guessed address): refused.
    let res = phone
        .post(app.url(&format!("/s/{live}/in")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "路过的李四"),
            ("phone", "13912345678"),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Without consent: refused, nothing recorded.
    let res = phone
        .post(app.url(&format!("/s/{live}/in")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("name", "路过的李四"),
            ("phone", "13912345678"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("同意"));
    let res = phone
        .post(app.url(&format!("/s/{live}/in")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("name", "路过的李四"),
            ("phone", "139-1234-5678"),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = phone
        .get(app.url(&format!("/s/{live}?c={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("已签到"), "{page}");
    let res = phone
        .post(app.url(&format!("/s/{live}/out")))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{live}/signups")).await;
    let walkin = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "路过的李四")
        .unwrap();
    assert_eq!(walkin["method"], "walk_in");
    assert!(walkin["signed_out_at"].is_i64());
    // A photo of the code from another activity does not open this one's page for signing.
    let other = app.activity(&unit, team, -600, 7200, json!({}), false).await;
    let page = phone
        .get(app.url(&format!("/s/{other}?c={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("签到码已过期或不正确"));
    assert!(!page.contains("name=\"consent\""));
}

#[tokio::test]
async fn two_servers_on_one_database_share_places_and_sign_ins() {
    let a = spawn_app().await;
    let b = spawn_on(&a.db_url).await;
    let unit = a.token("shuiwu").await;
    let team = unit_team(&a, &unit).await;
    let id = a
        .activity(&unit, team, 86400, 90000, json!({"capacity": 3}), false)
        .await;
    let people = volunteers(&a, 30, None, "d").await;
    let mut tasks = vec![];
    for (i, (_, tok)) in people.iter().enumerate() {
        let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
        let (http, tok) = (a.http.clone(), tok.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{base}/api/v1/activities/{id}/signups"))
                .bearer_auth(tok)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()["outcome"] == "confirmed"
        }));
    }
    let mut confirmed = 0;
    for t in tasks {
        confirmed += t.await.unwrap() as usize;
    }
    assert_eq!(confirmed, 3);
    let live = a.activity(&unit, team, -600, 7200, json!({}), false).await;
    let code = a.get_json(&unit, &format!("/api/v1/activities/{live}/code")).await["code"].clone();
    let (st, first) = sign(&a, &people[0].1, live, "sign-in", json!({ "code": code })).await;
    assert_eq!((st, first["changed"].clone()), (StatusCode::OK, json!(true)));
    let (st, second) = sign(&b, &people[0].1, live, "sign-in", json!({ "code": code })).await;
    assert_eq!((st, second["changed"].clone()), (StatusCode::OK, json!(false)));
}

#[tokio::test]
async fn a_dispatched_action_is_answered_reviewed_and_fulfilled() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let teams = app.get_json(&admin, "/api/v1/teams?per_page=500").await;
    let other = teams["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .find(|t| *t != team)
        .unwrap();
    let members = volunteers(&app, 3, Some(team), "p").await;
    let input = json!({"title": "站前广场文明劝导", "target": "火车站周边", "category": "traffic", "dimension": "order",
        "address": "火车站站前广场", "starts_at": when(2 * 86400), "ends_at": when(2 * 86400 + 7200),
        "teams": [{"team_id": team, "required": 2}, {"team_id": other, "required": 4}]});
    let res = app.post(&unit, "/api/v1/dispatches", input.clone()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(&admin, "/api/v1/dispatches", json!({"title": "x", "teams": []}))
        .await;
    let fields = error_fields(&res.json().await.unwrap());
    assert!(
        fields.contains(&"teams".to_string()) && fields.contains(&"target".to_string()),
        "{fields:?}"
    );
    let res = app.post(&admin, "/api/v1/dispatches", input).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The unit sees only its own line.
    let mine = app.get_json(&unit, &format!("/api/v1/dispatches/{id}")).await;
    assert_eq!(mine["teams"].as_array().unwrap().len(), 1);
    let answer = format!("/api/v1/dispatches/{id}/teams/{team}/answer");
    let res = app
        .post(
            &unit,
            &answer,
            json!({"answer": "accept", "volunteer_ids": [members[0].0]}),
        )
        .await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.head_count_short"]);
    let res = app
        .post(
            &unit,
            &answer,
            json!({"answer": "accept", "volunteer_ids": [members[0].0, members[1].0]}),
        )
        .await;
    let line: Value = res.json().await.unwrap();
    assert_eq!(
        (line["answer"].as_str(), line["named"].as_i64()),
        (Some("accepted"), Some(2))
    );
    let activity_id = line["activity_id"].as_i64().unwrap();
    let act = app.get_json(&unit, &format!("/api/v1/activities/{activity_id}")).await;
    assert_eq!(
        (act["form"].as_str(), act["status"].as_str(), act["taken"].as_i64()),
        (Some("dispatched"), Some("published"), Some(2))
    );
    let res = app
        .post(&unit, &answer, json!({"answer": "decline", "reason": "x"}))
        .await;
    assert_eq!(codes(&res.json().await.unwrap()), vec!["err.dispatch_answered"]);
    // The other team declines; the district rejects the decline; the team must answer again.
    let answer2 = format!("/api/v1/dispatches/{id}/teams/{other}/answer");
    let res = app.post(&admin, &answer2, json!({"answer": "decline"})).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app
        .post(&admin, &answer2, json!({"answer": "decline", "reason": "全员外出培训"}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["answer"], "declined");
    let review = format!("/api/v1/dispatches/{id}/teams/{other}/review");
    let res = app.post(&admin, &review, json!({"decision": "reject"})).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["note"]);
    let res = app
        .post(
            &admin,
            &review,
            json!({"decision": "reject", "note": "培训可调整，请派人"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["review"], "rejected");
    let view = app.get_json(&admin, &format!("/api/v1/dispatches/{id}")).await;
    assert_eq!(
        (
            view["required"].as_i64(),
            view["named"].as_i64(),
            view["present"].as_i64()
        ),
        (Some(6), Some(2), Some(0))
    );
    let html = app
        .get(&admin, &format!("/dispatches/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("培训可调整"));
}

#[tokio::test]
async fn monthly_compliance_is_computed_scoped_and_exported() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let grid = app.get_json(&admin, "/api/v1/compliance").await;
    let rows = grid["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50, "30 units and 20 communities");
    let months = grid["months"].as_array().unwrap().len();
    assert_eq!(months, 9, "activities run from late April to December");
    let statuses: Vec<&str> = rows
        .iter()
        .flat_map(|r| {
            r["months"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["status"].as_str().unwrap())
        })
        .collect();
    assert!(
        statuses.contains(&"met") && statuses.contains(&"missed"),
        "{statuses:?}"
    );
    // Met months are exactly those with an activity held.
    for r in rows {
        for c in r["months"].as_array().unwrap() {
            assert_eq!(c["status"] == "met", c["held"].as_i64().unwrap() > 0, "{c}");
        }
    }
    // The milestone board carries the same facts: months met of months due, hours confirmed late.
    let board = app.get_json(&admin, "/api/v1/board").await;
    for b in board["rows"].as_array().unwrap() {
        let g = rows
            .iter()
            .find(|r| r["kind"] == b["kind"] && r["id"] == b["id"])
            .unwrap();
        let progress = format!("{}/{}", g["met"], g["due"]);
        assert_eq!(
            b["activities"]["progress"].as_str(),
            Some(progress.as_str()),
            "{}",
            b["name"]
        );
        let late: i64 = g["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["hours_late"].as_i64().unwrap() + c["hours_missing"].as_i64().unwrap())
            .sum();
        assert_eq!(
            b["hours"]["status"] == "late" || b["hours"]["status"] == "missing",
            late > 0,
            "{}",
            b["name"]
        );
    }
    let flagged = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["hours"]["status"] == "late")
        .count();
    assert!(flagged > 0, "the demo has hours confirmed late");
    let unit = app.token("shuiwu").await;
    let own = app.get_json(&unit, "/api/v1/compliance").await;
    assert_eq!(own["rows"].as_array().unwrap().len(), 1);
    let id = own["rows"][0]["id"].as_i64().unwrap();
    let one = app.get_json(&unit, &format!("/api/v1/units/{id}/compliance")).await;
    assert_eq!(one["name"], "明湖区税务局");
    assert!(one["roster"].as_i64().unwrap() > 0);
    assert_eq!(
        app.get(&unit, &format!("/api/v1/units/{}/compliance", id + 1))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&app.token("volunteer").await, "/api/v1/compliance")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let xlsx = app.get(&admin, "/compliance.xlsx").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), 53, "title, two header rows and 50 rows");
    let audit = app.get_json(&admin, "/api/v1/audit?action=export").await;
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["object_type"] == "compliance"));
}

#[tokio::test]
async fn whoever_is_still_signed_in_at_the_end_is_signed_out_and_flagged() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    let people = volunteers(&app, 1, Some(team), "e").await;
    // Over longer ago than the sign-out grace (two hours by default).
    let past = app.activity(&unit, team, -5 * 3600, -3 * 3600, json!({}), false).await;
    let a = app.get_json(&unit, &format!("/api/v1/activities/{past}")).await;
    let res = app
        .post(
            &unit,
            &format!("/api/v1/activities/{past}/attendance"),
            json!({"volunteer_ids": [people[0].0], "action": "sign_in", "at": format_local(a["starts_at"].as_i64().unwrap())}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The minute job each instance runs; twice at once signs out once.
    let (x, y) = tokio::join!(
        leifeng::features::attendance::close_ended(&app.db),
        leifeng::features::attendance::close_ended(&app.db)
    );
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    let list = app.get_json(&unit, &format!("/api/v1/activities/{past}/signups")).await;
    let line = &list.as_array().unwrap()[0];
    assert_eq!(line["auto_signed_out"], true);
    assert_eq!(line["signed_out_at"], a["ends_at"]);
    assert_eq!(line["minutes"], 120);
    let audit = app
        .get_json(&app.token("admin").await, "/api/v1/audit?per_page=20")
        .await;
    let auto: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "auto_sign_out" && e["object_id"] == past)
        .collect();
    assert_eq!(auto.len(), 1);
    assert_eq!(auto[0]["username"], "(auto-sign-out)");
}

#[tokio::test]
async fn a_sign_up_checks_the_age_limit_and_lists_count_every_page() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = unit_team(&app, &unit).await;
    // The test volunteers were born in 1990: too old for this one, of age for the other.
    let young = app
        .activity(&unit, team, 86400, 86400 + 7200, json!({"max_age": 30}), false)
        .await;
    let adult = app
        .activity(
            &unit,
            team,
            3 * 86400,
            3 * 86400 + 7200,
            json!({"min_age": 18, "max_age": 60}),
            false,
        )
        .await;
    let people = volunteers(&app, 1, None, "age").await;
    let (status, body) = sign(&app, &people[0].1, young, "signups", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(codes(&body), vec!["err.signup_age"]);
    let (status, body) = sign(&app, &people[0].1, adult, "signups", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "confirmed");
    assert_eq!((body["taken"].as_i64(), body["capacity"].as_i64()), (Some(1), Some(10)));

    // Every page of a list tells the same total, also one past the end; the viewer's own
    // sign-up comes with the line.
    let first = app.get_json(&people[0].1, "/api/v1/activities?per_page=1").await;
    let total = first["total"].as_i64().unwrap();
    assert!(total >= 2, "{first}");
    let second = app.get_json(&people[0].1, "/api/v1/activities?per_page=1&page=2").await;
    assert_eq!(second["total"].as_i64(), Some(total));
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    let past = app
        .get_json(
            &people[0].1,
            &format!("/api/v1/activities?per_page=1&page={}", total + 1),
        )
        .await;
    assert_eq!(past["total"].as_i64(), Some(total));
    assert!(past["items"].as_array().unwrap().is_empty());
    let all = app.get_json(&people[0].1, "/api/v1/activities?per_page=200").await;
    let mine = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == adult)
        .unwrap();
    assert_eq!(mine["my_signup"], "confirmed");
}
