//! Hostile spreadsheets (made in code: a far-corner cell, whole-sheet merges, a whitespace bomb,
//! a cell bomb, a huge shared-string table, deep nesting, an old .xls) uploaded to the real
//! imports: each is refused quickly with a message naming the limit, nothing is written, and the
//! server keeps answering `/healthz` while two of them are read at once.

use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

#[path = "../hostile/mod.rs"]
mod hostile;

use crate::helpers::{spawn_app, TestApp};

/// Uploads `bytes` as field `file` to `path`; answers the status, the body and the time taken.
async fn upload(app: &TestApp, token: &str, path: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value, Duration) {
    let form = Form::new()
        .text("plan_text", "每月到社区服务")
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    let started = Instant::now();
    let res = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null), started.elapsed())
}

fn refusal(body: &Value) -> (String, String) {
    let d = &body["error"]["details"][0];
    (
        d["code"].as_str().unwrap_or("").to_string(),
        d["message"].as_str().unwrap_or("").to_string(),
    )
}

async fn new_team(app: &TestApp, token: &str) -> i64 {
    let body = json!({"name": "上传测试队", "leader_name": "李负责", "leader_phone": "13811112222", "contact_name": "张联络", "contact_phone": "0571-87654321", "categories": "1、交通"});
    let res = app.post(token, "/api/v1/teams", body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn hostile_sheets_are_refused_by_the_roster_and_pairing_imports_naming_the_limit() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let admin = app.token("admin").await;
    let team = new_team(&app, &unit).await;
    let pairings = app.get_json(&admin, "/api/v1/pairings").await["total"].clone();
    let roster = format!("/api/v1/teams/{team}/roster/import?dry_run=false");
    for (what, bytes, code) in hostile::all() {
        for (token, path) in [
            (&unit, roster.as_str()),
            (&admin, "/api/v1/pairings/import?dry_run=false"),
        ] {
            let (status, body, took) = upload(&app, token, path, "名册.xlsx", bytes.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what} to {path}: {body}");
            assert_eq!(refusal(&body).0, code, "{what} to {path}: {body}");
            assert!(took < Duration::from_secs(5), "{what} to {path} took {took:?}");
        }
    }
    // The refusal names the limit, in the caller's language.
    let (_, body, _) = upload(&app, &unit, &roster, "名册.xlsx", hostile::far_corner()).await;
    assert_eq!(
        refusal(&body).1,
        "单元格 XFD1048576 有内容，超出了 21000 行、200 列的上限：请删除表格以外的内容后重新上传。"
    );
    let (_, body, _) = upload(&app, &unit, &roster, "名册.xlsx", hostile::whitespace_bomb(80)).await;
    assert!(refusal(&body).1.contains("解压后超过 64 MB 的上限"), "{body}");
    let res = app.put(&unit, "/api/v1/me/lang", json!({"lang": "en"})).await;
    assert!(res.status().is_success());
    let (_, body, _) = upload(&app, &unit, &roster, "名册.xlsx", hostile::cell_bomb(600_000)).await;
    assert_eq!(
        refusal(&body).1,
        "The sheet has more than 500000 cells (the limit); delete unused cells or split the table and upload the parts one by one."
    );
    // Nothing was written.
    let members = app.get_json(&unit, &format!("/api/v1/teams/{team}/members")).await;
    assert_eq!(members, json!([]));
    assert_eq!(app.get_json(&admin, "/api/v1/pairings").await["total"], pairings);
}

#[tokio::test]
async fn a_sheet_under_the_limits_is_still_read_and_a_far_cell_inside_them_costs_nothing() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    // A proper pairing table with one stray note far to the right and far down (inside the
    // limits): it is read as before; the empty space between is never allocated.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["文明单位名称", "所在街道", "结对社区"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["明湖区图书馆", "东湖街道", "新塘社区"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    ws.write_string(20_500, 199, "备注：以上为本单位结对情况").unwrap();
    let (status, body, _) = upload(
        &app,
        &admin,
        "/api/v1/pairings/import?dry_run=true",
        "结对表.xlsx",
        wb.save_to_buffer().unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rows"], 1, "{body}");
    assert_eq!(body["accepted"], 1, "{body}");
}

#[tokio::test]
async fn healthz_answers_quickly_while_two_hostile_uploads_are_read_at_once() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let admin = app.token("admin").await;
    let team = new_team(&app, &unit).await;
    let roster = format!("/api/v1/teams/{team}/roster/import?dry_run=false");
    let (bomb, cells) = (hostile::whitespace_bomb(200), hostile::cell_bomb(2_000_000));
    let uploads = async {
        tokio::join!(
            upload(&app, &unit, &roster, "名册.xlsx", bomb),
            upload(&app, &admin, "/api/v1/pairings/import", "结对表.xlsx", cells),
        )
    };
    let probes = async {
        let mut worst = Duration::ZERO;
        let mut count = 0;
        let started = Instant::now();
        // Probe while the uploads are being read (they finish well within this window).
        while started.elapsed() < Duration::from_millis(1_500) {
            let t = Instant::now();
            let res = app.http.get(app.url("/healthz")).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            worst = worst.max(t.elapsed());
            count += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        (worst, count)
    };
    let (((s1, b1, _), (s2, b2, _)), (worst, count)) = tokio::join!(uploads, probes);
    assert_eq!(
        (s1, refusal(&b1).0.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "err.sheet_expanded")
    );
    assert_eq!(
        (s2, refusal(&b2).0.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "err.sheet_cells")
    );
    assert!(count > 10, "{count} probes");
    assert!(
        worst < Duration::from_millis(250),
        "the slowest /healthz took {worst:?}"
    );
}

#[tokio::test]
async fn a_zip_bomb_is_not_kept_as_a_plan_attachment() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let street = app.token("donghu").await;
    let community = app.token("chunxiao").await;
    let admin = app.token("admin").await;
    let team = new_team(&app, &unit).await;
    let chunxiao = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;
    let res = app
        .post(
            &unit,
            "/api/v1/checkins",
            json!({"team_id": team, "community_id": chunxiao}),
        )
        .await;
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for (token, step) in [(&street, "forward"), (&community, "confirm")] {
        let res = app
            .post(token, &format!("/api/v1/checkins/{id}/move"), json!({"step": step}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let plan = format!("/api/v1/checkins/{id}/plan");
    let res = app.put(&unit, "/api/v1/me/lang", json!({"lang": "en"})).await;
    assert!(res.status().is_success());
    let (status, body, _) = upload(&app, &unit, &plan, "方案.xlsx", hostile::whitespace_bomb(80)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(refusal(&body).0, "err.sheet_expanded");
    assert!(refusal(&body).1.contains("more than 64 MB"), "{body}");
    let (status, body, _) = upload(&app, &unit, &plan, "方案.docx", hostile::deep_nesting(10_000)).await;
    assert_eq!(
        (status, refusal(&body).0.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "err.sheet_nesting")
    );
    let file = app.get(&community, &format!("/api/v1/checkins/{id}/plan-file")).await;
    assert_eq!(file.status(), StatusCode::NOT_FOUND, "nothing was kept");
    // A proper workbook is kept.
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "长效服务方案").unwrap();
    let (status, body, _) = upload(&app, &unit, &plan, "方案.xlsx", wb.save_to_buffer().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_upload_page_shows_the_refusal_naming_the_limit() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = new_team(&app, &unit).await;
    let (browser, csrf) = app.web_login("shuiwu").await;
    let form = Form::new().part("file", Part::bytes(hostile::far_corner()).file_name("名册.xlsx"));
    let res = browser
        .post(app.url(&format!("/teams/{team}/roster/import?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("单元格 XFD1048576 有内容，超出了 21000 行、200 列的上限"),
        "{html}"
    );
    let members = app.get_json(&unit, &format!("/api/v1/teams/{team}/members")).await;
    assert_eq!(members, json!([]));
}
