//! The pairing table (附件1) in Excel: template, export, messy uploads, all-or-nothing import.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>, dry_run: bool) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("结对表.xlsx"));
    let res = app
        .http
        .post(app.url(&format!("/api/v1/pairings/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

/// A table as units fill it in: a title and a unit line above the header, a header with a line
/// break, columns in another order, full-width text, a blank row, a signature line below.
fn messy_table(rows: &[[&str; 3]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 3, "附件1  文明单位与社区结对表", &Format::new())
        .unwrap();
    ws.write_string(1, 0, "填报单位（盖章）：明湖区文明办").unwrap();
    for (c, h) in ["结对\n社区", "序号", "文明单位名称", "所在街道"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let mut r = 3;
    for (i, [unit, street, community]) in rows.iter().enumerate() {
        if i == 1 {
            r += 1; // a blank row in the middle
        }
        ws.write_string(r, 0, *community).unwrap();
        ws.write_number(r, 1, (i + 1) as f64).unwrap();
        ws.write_string(r, 2, *unit).unwrap();
        ws.write_string(r, 3, *street).unwrap();
        r += 1;
    }
    ws.write_string(r + 1, 0, "填表人：张三    联系电话：13800000000")
        .unwrap();
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn template_and_export_download_as_xlsx_and_exports_are_logged() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let res = app.get(&admin, "/api/v1/pairings/template.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));

    let res = app.get(&admin, "/api/v1/pairings/export.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let log = app.get_json(&admin, "/api/v1/audit?object_type=pairing").await;
    assert_eq!(log["items"][0]["action"], "export");

    // Export then re-import: every row is recognised and nothing changes.
    let total = app.get_json(&admin, "/api/v1/pairings").await["total"]
        .as_i64()
        .unwrap() as usize;
    let (status, report) = upload(&app, &admin, bytes, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rows"], total);
    assert_eq!(report["unchanged"], total);
    assert_eq!(report["created"], 0);
}

#[tokio::test]
async fn a_messy_upload_reports_every_problem_by_row_and_column_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let before = app.get_json(&admin, "/api/v1/pairings").await["total"].clone();
    let bytes = messy_table(&[
        ["明湖区图书馆", "东湖街道", "湖滨社区"],
        ["明湖区不存在局", "东湖街道", "湖滨社区"],
        ["明湖区图书馆", "西岭街道", "湖滨社区"],
        ["明湖区图书馆", "东湖街道", "湖滨社区"],
        ["", "东湖街道", "新塘社区"],
    ]);
    for dry_run in [true, false] {
        let (status, report) = upload(&app, &admin, bytes.clone(), dry_run).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(report["rows"], 5);
        assert_eq!(report["created"], 0);
        let errors: Vec<(i64, String)> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_string()))
            .collect();
        // Row 4 is the first data row as Excel numbers it; row 5 is blank.
        assert_eq!(
            errors,
            vec![
                (6, "文明单位".into()),
                (7, "社区".into()),
                (8, "社区".into()),
                (9, "文明单位".into())
            ],
            "{report}"
        );
        let messages: Vec<&str> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert!(
            messages[0].contains("文明单位") && messages[2].contains("重复"),
            "{messages:?}"
        );
    }
    assert_eq!(app.get_json(&admin, "/api/v1/pairings").await["total"], before);

    // Fixed, the same file imports in full.
    let fixed = messy_table(&[
        ["明湖区图书馆", "东湖街道", "湖滨社区"],
        ["明湖区图书馆", "东湖街道", "新塘社区"],
    ]);
    let (status, report) = upload(&app, &admin, fixed.clone(), true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["accepted"], 2);
    assert_eq!(
        app.get_json(&admin, "/api/v1/pairings").await["total"],
        before,
        "a dry run writes nothing"
    );
    let (status, report) = upload(&app, &admin, fixed, false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["created"], 2);
    assert_eq!(
        app.get_json(&admin, "/api/v1/pairings").await["total"],
        before.as_i64().unwrap() + 2
    );
}

#[tokio::test]
async fn files_that_are_not_tables_get_a_clear_message() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let form = Form::new().part("file", Part::bytes(b"hello".to_vec()).file_name("x.xlsx"));
    let res = app
        .http
        .post(app.url("/api/v1/pairings/import"))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["code"], "err.not_xlsx");

    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "随便写点").unwrap();
    let (status, body) = upload(&app, &admin, wb.save_to_buffer().unwrap(), true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["code"], "err.no_header");

    // Only the district imports.
    let street = app.token("donghu").await;
    let (status, _) = upload(
        &app,
        &street,
        messy_table(&[["明湖区图书馆", "东湖街道", "湖滨社区"]]),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
