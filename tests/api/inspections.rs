//! Inspections (督查): the whole flow from planning to an accepted rectification, the org tree's
//! scope with hostile ids, transitions refused from the wrong states, hostile photo uploads, the
//! on-site page keeping what was typed, and the findings summary the assessment reads.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_codes, spawn_app, TestApp};

fn today() -> String {
    leifeng::domain::campaign::today()
}

fn in_days(n: i64) -> String {
    let d = chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").unwrap() + chrono::Duration::days(n);
    d.format("%Y-%m-%d").to_string()
}

/// The smallest PNG's first bytes are enough for the content check.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn upload(
    app: &TestApp,
    token: &str,
    id: i64,
    fields: &[(&str, String)],
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    form = form.part("file", Part::bytes(bytes).file_name(name.to_string()));
    app.http
        .post(app.url(&format!("/api/v1/inspections/{id}/files")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn plan(app: &TestApp, token: &str, kind: &str, id: i64, announced: bool) -> reqwest::Response {
    app.post(
        token,
        "/api/v1/inspections",
        json!({"target_kind": kind, "target_id": id, "announced": announced, "planned_on": today(), "inspectors": "李建华，周敏"}),
    )
    .await
}

/// Records every item as passed except the first, which fails with a note.
fn results(view: &Value, fail_note: &str) -> Value {
    let items: Vec<Value> = view["items"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, it)| {
            if n == 0 {
                json!({"id": it["id"], "result": "fail", "note": fail_note})
            } else {
                json!({"id": it["id"], "result": "pass", "note": ""})
            }
        })
        .collect();
    json!({"inspected_on": today(), "summary": "总体良好", "items": items})
}

#[tokio::test]
async fn a_street_inspects_its_unit_the_unit_rectifies_and_the_inspector_accepts() {
    let app = spawn_app().await;
    let (admin, street, unit) = (
        app.token("admin").await,
        app.token("donghu").await,
        app.token("shuiwu").await,
    );
    let unit_id = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;
    let campaign = app.get_json(&admin, "/api/v1/campaigns/active").await["id"]
        .as_i64()
        .unwrap();
    let summary = leifeng::db::inspections::findings_summary(&app.db, campaign, &today())
        .await
        .unwrap();
    let before = summary
        .into_iter()
        .find(|s| s.kind == "unit" && s.id == unit_id)
        .unwrap_or_default();
    let res = plan(&app, &street, "unit", unit_id, true).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let i: Value = res.json().await.unwrap();
    let id = i["id"].as_i64().unwrap();
    assert_eq!(i["status"], "planned");
    // The unit sees an announced inspection before it takes place.
    let seen = app.get_json(&unit, &format!("/api/v1/inspections/{id}")).await;
    assert_eq!(seen["items"].as_array().unwrap().len(), 6, "the plan's checklist");
    assert_eq!(seen["may_answer"], true);
    assert_eq!(seen["may_inspect"], false);

    // No finding before the visit is recorded.
    let finding = json!({"severity": "major", "description": "未按期报到", "deadline": in_days(7)});
    let res = app
        .post(&street, &format!("/api/v1/inspections/{id}/findings"), finding.clone())
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_codes(&body), vec!["err.inspection_state"]);
    // The state is named as people read it, not by its code.
    let message = body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(message.contains("已安排") && !message.contains("planned"), "{message}");

    // A failed item needs a note; an unchecked one is refused.
    let view = app.get_json(&street, &format!("/api/v1/inspections/{id}")).await;
    let res = app
        .put(&street, &format!("/api/v1/inspections/{id}/items"), results(&view, ""))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.item_fail_note"]);
    let res = app
        .put(
            &street,
            &format!("/api/v1/inspections/{id}/items"),
            json!({"items": []}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .put(
            &unit,
            &format!("/api/v1/inspections/{id}/items"),
            results(&view, "未见名册"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "the inspected do not record");
    let res = app
        .put(
            &street,
            &format!("/api/v1/inspections/{id}/items"),
            results(&view, "未见名册"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let recorded: Value = res.json().await.unwrap();
    assert_eq!(recorded["status"], "recorded");
    assert_eq!(recorded["items"][0]["result"], "fail");
    let item = recorded["items"][0]["id"].as_i64().unwrap();

    // A photo of the failed item, taken on the phone, added after the record was saved.
    let res = upload(
        &app,
        &street,
        id,
        &[("item_id", item.to_string())],
        "现场.png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let photo: Value = res.json().await.unwrap();
    let res = app
        .get(&unit, &format!("/api/v1/inspections/{id}/files/{}", photo["id"]))
        .await;
    assert_eq!(res.headers()["content-type"], "image/png");

    let mut f = finding.clone();
    f["item_id"] = json!(item);
    let res = app
        .post(&street, &format!("/api/v1/inspections/{id}/findings"), f)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let fid = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let inbox = app.get_json(&unit, "/api/v1/me/notifications").await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "finding_raised"),
        "the unit is told: {inbox}"
    );

    // Not closed while a finding is open; each side does only its own part.
    let res = app
        .post(
            &street,
            &format!("/api/v1/inspections/{id}/transition"),
            json!({"action": "close"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let review = format!("/api/v1/inspections/findings/{fid}/review");
    let answer = format!("/api/v1/inspections/findings/{fid}/answer");
    assert_eq!(
        app.post(&street, &answer, json!({"answer": "x"})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&unit, &review, json!({"decision": "accept"})).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app.post(&street, &review, json!({"decision": "accept"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "nothing answered yet");

    let res = app
        .post(&unit, &answer, json!({"answer": "已补报名册并完成报到"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "answered");
    let res = app.post(&unit, &answer, json!({"answer": "again"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = upload(
        &app,
        &unit,
        id,
        &[("finding_id", fid.to_string())],
        "整改报告.pdf",
        b"%PDF-1.4 report".to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "evidence may be a document");

    let res = app.post(&street, &review, json!({"decision": "return"})).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a return needs its reason"
    );
    let res = app
        .post(&street, &review, json!({"decision": "return", "reason": "请补充照片"}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "returned");
    let res = app.post(&unit, &answer, json!({"answer": "已补充照片"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.post(&street, &review, json!({"decision": "accept"})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "accepted");
    assert_eq!(
        app.post(&street, &review, json!({"decision": "accept"})).await.status(),
        StatusCode::CONFLICT
    );
    let res = upload(
        &app,
        &unit,
        id,
        &[("finding_id", fid.to_string())],
        "late.png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "an accepted finding takes no more evidence"
    );

    let res = app
        .post(
            &street,
            &format!("/api/v1/inspections/{id}/transition"),
            json!({"action": "close"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .put(&street, &format!("/api/v1/inspections/{id}/items"), results(&view, "x"))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "a closed inspection is not recorded again"
    );
    let res = app
        .post(
            &street,
            &format!("/api/v1/inspections/{id}/transition"),
            json!({"action": "cancel"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Every change is in the audit trail.
    let trail = app
        .get_json(
            &admin,
            &format!("/api/v1/audit?object_type=inspection_finding&object_id={fid}"),
        )
        .await;
    assert!(trail["items"].as_array().unwrap().len() >= 5, "{trail}");

    // The assessment's counts: this unit's finding was closed on time.
    let summary = leifeng::db::inspections::findings_summary(&app.db, campaign, &today())
        .await
        .unwrap();
    let row = summary.iter().find(|s| s.kind == "unit" && s.id == unit_id).unwrap();
    assert_eq!(row.closed_on_time, before.closed_on_time + 1, "{row:?}");
    assert_eq!(row.findings, before.findings + 1);
    assert_eq!(
        row.findings,
        row.closed_on_time + row.closed_late + row.open_overdue + row.open_not_due
    );
    // Overdue when the deadline has passed with no answer in time.
    let later = in_days(30);
    let summary = leifeng::db::inspections::findings_summary(&app.db, campaign, &later)
        .await
        .unwrap();
    let row = summary.iter().find(|s| s.kind == "unit" && s.id == unit_id).unwrap();
    assert!(
        row.open_overdue >= 1,
        "the demo's open findings are overdue by then: {row:?}"
    );

    // The list exports, and the export is audited.
    let res = app.get(&street, "/api/v1/inspections/export.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    let trail = app.get_json(&admin, "/api/v1/audit?object_type=inspections").await;
    assert_eq!(trail["items"][0]["action"], "export");
}

#[tokio::test]
async fn the_scope_follows_the_org_tree_and_hostile_ids_are_refused() {
    let app = spawn_app().await;
    let (admin, street, unit, community) = (
        app.token("admin").await,
        app.token("donghu").await,
        app.token("shuiwu").await,
        app.token("chunxiao").await,
    );
    let own = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;
    // 明湖区市场监督管理局 serves only a community of 西岭街道.
    let other = app
        .find_id(&admin, "/api/v1/units", "name", "明湖区市场监督管理局")
        .await;
    assert_eq!(
        plan(&app, &street, "unit", other, true).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app.get(&street, &format!("/api/v1/inspections?unit_id={other}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.get(&unit, &format!("/api/v1/inspections?unit_id={other}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        plan(&app, &unit, "unit", own, true).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        plan(&app, &community, "unit", own, true).await.status(),
        StatusCode::FORBIDDEN
    );
    for who in ["volunteer", "jiaojing"] {
        let t = app.token(who).await;
        assert_eq!(
            app.get(&t, "/api/v1/inspections").await.status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    let res = plan(&app, &street, "unit", 999_999, true).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another street's team, by its id in the body.
    let teams = app.get_json(&admin, "/api/v1/teams?per_page=500").await;
    let foreign_team = teams["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["unit_id"] == json!(other))
        .map(|t| t["id"].as_i64().unwrap());
    if let Some(t) = foreign_team {
        assert_eq!(
            plan(&app, &street, "team", t, true).await.status(),
            StatusCode::FORBIDDEN
        );
    }

    // The district inspects anyone; the street does not see another street's inspection, which
    // answers like one that does not exist (404: its id tells nothing).
    let res = plan(&app, &admin, "unit", other, true).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let theirs = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/inspections/{theirs}"),
        "/api/v1/inspections/999999".to_string(),
        format!("/inspections/{theirs}"),
    ] {
        assert_eq!(app.get(&street, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(app.get(&unit, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = app
        .put(
            &street,
            &format!("/api/v1/inspections/{theirs}/items"),
            json!({"items": []}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A finding the street does not see, answered or reviewed by it: the same 404 as none.
    let all = app.get_json(&admin, "/api/v1/inspections/findings?per_page=500").await;
    let mine = app.get_json(&street, "/api/v1/inspections/findings?per_page=500").await;
    let foreign = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .find(|id| !mine["items"].as_array().unwrap().iter().any(|m| m["id"] == json!(id)));
    for fid in foreign.into_iter().chain([999_999]) {
        let res = app
            .post(
                &street,
                &format!("/api/v1/inspections/findings/{fid}/review"),
                json!({"decision": "accept"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "finding {fid}");
        let res = app
            .post(
                &street,
                &format!("/api/v1/inspections/findings/{fid}/answer"),
                json!({"answer": "x"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "finding {fid}");
    }
    // Unknown list filters are refused, naming what may be asked for.
    for (path, field, value) in [
        (
            "/api/v1/inspections?status=bogus",
            "status",
            "planned, recorded, closed, cancelled",
        ),
        (
            "/api/v1/inspections?target_kind=bogus",
            "target_kind",
            "unit, community, team, activity",
        ),
        (
            "/api/v1/inspections/findings?status=bogus",
            "status",
            "open, answered, returned, accepted",
        ),
        (
            "/api/v1/inspections/findings?standing=bogus",
            "standing",
            "closed_on_time, closed_late, open_overdue, open_not_due",
        ),
    ] {
        let res = app.get(&admin, path).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["details"][0]["field"], field);
        assert!(
            body["error"]["details"][0]["message"].as_str().unwrap().contains(value),
            "{body}"
        );
    }
    // A target that is not there is a field error saying what to pick.
    let res = plan(&app, &street, "unit", 999_998, true).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_codes(&body), vec!["err.inspection_target_pick"]);

    // An unannounced inspection is hidden from the inspected until it is recorded.
    let res = plan(&app, &admin, "unit", own, false).await;
    let hidden = res.json::<Value>().await.unwrap();
    let hid = hidden["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&unit, &format!("/api/v1/inspections/{hid}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let mine = app.get_json(&unit, "/api/v1/inspections?per_page=500").await;
    let ids: Vec<i64> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(!ids.contains(&hid) && !ids.contains(&theirs), "{ids:?}");
    assert!(mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["unit_id"] == json!(own)));
    let view = app.get_json(&admin, &format!("/api/v1/inspections/{hid}")).await;
    let res = app
        .put(
            &admin,
            &format!("/api/v1/inspections/{hid}/items"),
            results(&view, "无台账"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get(&unit, &format!("/api/v1/inspections/{hid}")).await.status(),
        StatusCode::OK
    );
    // The street sees the district's inspection of its own unit, and may follow it.
    assert_eq!(
        app.get(&street, &format!("/api/v1/inspections/{hid}")).await.status(),
        StatusCode::OK
    );

    // The checklist is the district's.
    let custom = json!({"items": [{"code": "roster_filed"}, {"label": "服务阵地挂牌"}]});
    assert_eq!(
        app.put(&street, "/api/v1/inspections/checklist", custom.clone())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .put(
            &admin,
            "/api/v1/inspections/checklist",
            json!({"items": [{"code": "nope"}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.put(&admin, "/api/v1/inspections/checklist", custom).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = app.get_json(&unit, "/api/v1/inspections/checklist").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let res = plan(
        &app,
        &street,
        "community",
        app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await,
        true,
    )
    .await;
    let i: Value = res.json().await.unwrap();
    let view = app
        .get_json(&community, &format!("/api/v1/inspections/{}", i["id"]))
        .await;
    assert_eq!(view["items"][1]["label"], "服务阵地挂牌");
}

#[tokio::test]
async fn photos_are_checked_by_content_and_size_and_planned_inspections_cancel() {
    let app = spawn_app().await;
    let (admin, street, unit) = (
        app.token("admin").await,
        app.token("donghu").await,
        app.token("shuiwu").await,
    );
    let own = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;
    let id = plan(&app, &street, "unit", own, true)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // A text file called .jpg, an executable called .png, nothing, and a photo too large.
    let res = upload(&app, &street, id, &[], "photo.jpg", b"not really a photo".to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_codes(&res.json().await.unwrap()), vec!["err.not_an_image"]);
    let res = upload(&app, &street, id, &[], "photo.png", b"MZ\x90\0\x03".to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = upload(&app, &street, id, &[], "photo.png", vec![]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut big = b"\xFF\xD8\xFF\xE0".to_vec();
    big.resize(6 * 1024 * 1024, 0);
    let res = upload(&app, &street, id, &[], "big.jpg", big).await;
    assert!(
        matches!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::PAYLOAD_TOO_LARGE
        ),
        "{}",
        res.status()
    );
    // Another inspection's item, and the inspected adding photos to the record.
    let res = upload(
        &app,
        &street,
        id,
        &[("item_id", "999999".into())],
        "p.png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = upload(&app, &unit, id, &[], "p.png", PNG.to_vec()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = upload(&app, &street, id, &[], "p.png", PNG.to_vec()).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // A planned inspection is cancelled; then nothing more happens to it.
    let t = format!("/api/v1/inspections/{id}/transition");
    assert_eq!(
        app.post(&street, &t, json!({"action": "close"})).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post(&street, &t, json!({"action": "cancel"})).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(&street, &t, json!({"action": "cancel"})).await.status(),
        StatusCode::CONFLICT
    );
    let view = app.get_json(&street, &format!("/api/v1/inspections/{id}")).await;
    let res = app
        .put(&street, &format!("/api/v1/inspections/{id}/items"), results(&view, "x"))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = upload(&app, &street, id, &[], "p.png", PNG.to_vec()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_on_site_page_keeps_every_value_of_a_refused_submit_and_the_demo_shows_every_state() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let own = app.find_id(&admin, "/api/v1/units", "name", "明湖区税务局").await;
    let street = app.token("donghu").await;
    let id = plan(&app, &street, "unit", own, true)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let view = app.get_json(&street, &format!("/api/v1/inspections/{id}")).await;
    let items = view["items"].as_array().unwrap();
    let (web, csrf) = app.web_login("donghu").await;
    let page = web.get(app.url(&format!("/inspections/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("capture=\"environment\""), "the phone's camera");
    // The first item failed without a note, the second passed, the rest not checked yet.
    let mut form = vec![
        ("csrf".to_string(), csrf.clone()),
        ("inspected_on".into(), today()),
        ("inspectors".into(), "李建华".into()),
        ("summary".into(), "台账齐全，宣传到位".into()),
        (format!("result_{}", items[0]["id"]), "fail".into()),
        (format!("note_{}", items[0]["id"]), String::new()),
        (format!("result_{}", items[1]["id"]), "pass".into()),
        (format!("note_{}", items[1]["id"]), "名册已报备".into()),
    ];
    for it in &items[2..] {
        form.push((format!("note_{}", it["id"]), String::new()));
    }
    let res = web
        .post(app.url(&format!("/inspections/{id}/record")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("台账齐全，宣传到位") && html.contains("名册已报备") && html.contains("李建华"));
    assert!(html.contains(&format!("name=\"result_{}\" value=\"pass\" checked", items[1]["id"])));
    assert!(html.contains("aria-invalid=\"true\""));
    // The lists, the findings and the checklist pages.
    for path in [
        "/inspections",
        "/inspections/new",
        "/inspections/findings",
        "/inspections/checklist",
        "/board",
        "/",
    ] {
        let res = web.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }

    // The demo: every state of an inspection, every standing of a finding.
    let all = app.get_json(&admin, "/api/v1/inspections?per_page=500").await;
    let states: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    for s in ["planned", "recorded", "closed", "cancelled"] {
        assert!(states.contains(&s), "{s} in {states:?}");
    }
    let findings = app.get_json(&admin, "/api/v1/inspections/findings?per_page=500").await;
    let statuses: Vec<&str> = findings["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    for s in ["open", "answered", "returned", "accepted"] {
        assert!(statuses.contains(&s), "{s} in {statuses:?}");
    }
    let overdue = app
        .get_json(&admin, "/api/v1/inspections/findings?standing=open_overdue")
        .await;
    assert!(overdue["total"].as_i64().unwrap() >= 1);
    // The unit's workbench has its findings to answer; the board shows the overdue rectification.
    let unit = app.token("shuiwu").await;
    let todo = app.get_json(&unit, "/api/v1/me/todo").await;
    assert!(todo["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "finding_to_answer" && i["state"] == "overdue"));
    let board = app.get_json(&admin, "/api/v1/board").await;
    let row = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == json!(own) && r["kind"] == "unit")
        .unwrap();
    assert_eq!(row["rectification"]["status"], "missing");
    let todo = app.get_json(&admin, "/api/v1/me/todo").await;
    assert!(todo["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "findings_overdue"));

    // A finished year: every inspection closed, every finding accepted, some late.
    let campaign = leifeng::features::campaign::service::active(&app.db).await.unwrap();
    leifeng::demo::inspections::seed(&app.db, &campaign, true)
        .await
        .unwrap();
    let summary = leifeng::db::inspections::findings_summary(&app.db, campaign.id, &today())
        .await
        .unwrap();
    assert!(summary.iter().any(|s| s.closed_late > 0));
}
