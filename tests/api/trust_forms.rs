//! Issue 8 §9 and §10: nothing a clerk typed is lost or altered (roster states after acceptance,
//! per-person categories, guardian phones, spaces, full-width punctuation, the .ics feed, import
//! warnings), and every exported form and template prints like the paper one.

use std::io::{Cursor, Read};

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use leifeng::demo::resident_id;

/// A cell of a hand-made roster: text as typed, or a number as Excel keeps it.
enum C<'a> {
    T(&'a str),
    N(f64),
}

const ROSTER_HEADERS: [&str; 9] = [
    "姓名",
    "性别",
    "出生年月",
    "政治面貌",
    "证件号码",
    "联系电话",
    "服务类别",
    "监护人",
    "监护人电话",
];

fn roster(rows: &[[C; 9]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "附件2 志愿者队伍基本情况登记表").unwrap();
    for (c, h) in ROSTER_HEADERS.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v {
                C::T("") => {}
                C::T(s) => {
                    ws.write_string(r as u32 + 2, c as u16, *s).unwrap();
                }
                C::N(n) => {
                    ws.write_number(r as u32 + 2, c as u16, *n).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn upload(app: &TestApp, token: &str, team: i64, bytes: Vec<u8>, dry_run: bool) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("名册.xlsx"));
    let res = app
        .http
        .post(app.url(&format!("/api/v1/teams/{team}/roster/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

async fn bytes_of(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let res = app.get(token, path).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.bytes().await.unwrap().to_vec()
}

/// The first sheet's cells, row by row.
fn cells(xlsx: &[u8]) -> Vec<Vec<Data>> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(xlsx.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The row under the header whose column `header` holds `value`, as text.
fn row_with(grid: &[Vec<Data>], header: &str, value: &str) -> Vec<String> {
    let head = grid
        .iter()
        .find(|r| r.iter().any(|c| text(c) == header))
        .expect("the header row");
    let col = head.iter().position(|c| text(c) == header).unwrap();
    grid.iter()
        .find(|r| r.get(col).map(text).as_deref() == Some(value))
        .unwrap_or_else(|| panic!("a row with {header} = {value}"))
        .iter()
        .map(text)
        .collect()
}

fn column_of(grid: &[Vec<Data>], header: &str) -> usize {
    grid.iter()
        .find_map(|r| r.iter().position(|c| text(c) == header))
        .unwrap_or_else(|| panic!("column {header}"))
}

async fn own_team(app: &TestApp, token: &str) -> Value {
    app.get_json(token, "/api/v1/teams").await["items"][0].clone()
}

#[tokio::test]
async fn a_roster_changed_after_acceptance_keeps_its_on_time_submission_and_is_resubmitted() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    // The demo's tax bureau submitted its one roster on 19 April and it was accepted.
    let team = own_team(&app, &unit).await;
    let id = team["id"].as_i64().unwrap();
    assert_eq!(team["roster_status"], "accepted");
    let accepted_at = team["roster_accepted_submitted_at"]
        .as_i64()
        .expect("kept at acceptance");
    assert_eq!(team["roster_submitted_at"].as_i64(), Some(accepted_at));
    let board = app.get_json(&unit, "/api/v1/board").await;
    assert_eq!(board["rows"][0]["roster"]["status"], "done");

    // The check says beforehand that the roster will have to be submitted again; nothing moves.
    let file = roster(&[[
        C::T("新来的"),
        C::T(""),
        C::T(""),
        C::T(""),
        C::T(&resident_id(1991, 6, 7, 321)),
        C::T("13900001111"),
        C::T(""),
        C::T(""),
        C::T(""),
    ]]);
    let (status, report) = upload(&app, &unit, id, file.clone(), true).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["resubmission_needed"], true);
    assert_eq!(own_team(&app, &unit).await["roster_status"], "accepted");
    // So does the upload page, before anything is uploaded and on the check.
    let (web, csrf) = app.web_login("shuiwu").await;
    let page = web
        .get(app.url(&format!("/teams/{id}/roster/import")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("须重新上报区文明办"), "{page}");
    let form = Form::new()
        .part("file", Part::bytes(file.clone()).file_name("名册.xlsx"))
        .text("dry_run", "true");
    let page = web
        .post(app.url(&format!("/teams/{id}/roster/import?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("须重新上报区文明办"), "{page}");

    let (status, report) = upload(&app, &unit, id, file, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 1);
    let team = own_team(&app, &unit).await;
    assert_eq!(team["roster_status"], "draft");
    assert_eq!(team["roster_accepted_submitted_at"].as_i64(), Some(accepted_at));
    // The board still counts April's on-time submission, not "overdue".
    let board = app.get_json(&unit, "/api/v1/board").await;
    assert_eq!(board["rows"][0]["roster"]["status"], "done", "{}", board["rows"][0]);
    let page = web
        .get(app.url(&format!("/teams/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("通过后有改动，须重新上报"));

    // Submitted again: its own state, which the office reviews like a submission.
    let res = app
        .post(&unit, &format!("/api/v1/teams/{id}/roster/submit"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["roster_status"], "resubmitted");
    assert!(t["roster_submitted_at"].as_i64().unwrap() > accepted_at);
    assert_eq!(t["roster_accepted_submitted_at"].as_i64(), Some(accepted_at));
    let resubmitted = app.get_json(&admin, "/api/v1/teams?status=resubmitted").await;
    assert_eq!(resubmitted["items"].as_array().unwrap().len(), 1);
    let board = app.get_json(&unit, "/api/v1/board").await;
    assert_eq!(board["rows"][0]["roster"]["status"], "done");
    let res = app
        .post(
            &admin,
            &format!("/api/v1/teams/{id}/roster/review"),
            json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["roster_status"], "accepted");
    assert_eq!(
        own_team(&app, &unit).await["roster_accepted_submitted_at"].as_i64(),
        Some(accepted_at)
    );
}

#[tokio::test]
async fn categories_guardian_phones_spaces_and_full_width_punctuation_survive_import_and_export() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let res = app
        .post(
            &unit,
            "/api/v1/teams",
            json!({"name": "税务（青年）突击队", "leader_name": "李负责", "leader_phone": "13811112222",
                   "contact_name": "张联络", "contact_phone": "13811113333"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let team: Value = res.json().await.unwrap();
    assert_eq!(team["name"], "税务（青年）突击队");
    let id = team["id"].as_i64().unwrap();
    let minor = resident_id(2012, 3, 4, 77);
    let file = roster(&[
        [
            C::T("欧阳  娜娜"),
            C::T(""),
            C::T(""),
            C::T("共青团员"),
            C::T(&resident_id(2000, 1, 2, 11)),
            C::T("13900002222"),
            C::T("1、7"),
            C::T(""),
            C::T(""),
        ],
        [
            C::T("王（小）\t五"),
            C::T(""),
            C::T(""),
            C::T(""),
            C::T(&minor),
            C::T("13900003333"),
            C::T("公益慈善、公共文化服务"),
            C::T("王\u{3000}大"),
            C::T("13900004444"),
        ],
    ]);
    let (status, report) = upload(&app, &unit, id, file, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 2);
    let members = app
        .get_json(&unit, &format!("/api/v1/teams/{id}/members?reveal=true"))
        .await;
    let by_name = |n: &str| {
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == n)
            .unwrap_or_else(|| panic!("{n} in {members}"))
            .clone()
    };
    // One space between words whatever was typed between them; the full-width brackets kept.
    let ouyang = by_name("欧阳 娜娜");
    assert_eq!(ouyang["categories"], "public_affairs,traffic");
    let wang = by_name("王（小） 五");
    assert_eq!(wang["categories"], "charity_culture");
    assert_eq!(wang["guardian_name"], "王 大");
    assert_eq!(wang["guardian_phone"], "13900004444");

    // The export in full carries what was imported, and reads back unchanged.
    let xlsx = bytes_of(
        &app,
        &unit,
        &format!("/api/v1/teams/{id}/roster/export.xlsx?reveal=true"),
    )
    .await;
    let grid = cells(&xlsx);
    assert!(text(&grid[0][0]).contains("税务（青年）突击队"));
    let row = row_with(&grid, "姓名", "王（小） 五");
    assert_eq!(row[column_of(&grid, "服务类别")], "公益慈善、公共文化服务");
    assert_eq!(row[column_of(&grid, "监护人电话")], "13900004444");
    let row = row_with(&grid, "姓名", "欧阳 娜娜");
    assert_eq!(row[column_of(&grid, "服务类别")], "公共事务服务、文明交通行为劝导服务");
    let (status, report) = upload(&app, &unit, id, xlsx, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["rows"].as_i64(), report["unchanged"].as_i64()),
        (Some(2), Some(2))
    );

    // A street and a theme keep their full-width punctuation, in the .ics and in 附件5 too.
    let admin = app.token("admin").await;
    let res = app
        .post(&admin, "/api/v1/streets", json!({"name": "测试街道（筹）"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "测试街道（筹）");
    let theme = "文明交通，劝导先行；清洁家园，共建共享：我们一起行动，把志愿服务送到每一个社区和每一户人家";
    let res = app.put(&admin, "/api/v1/calendar/5", json!({"theme": theme})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["theme"], theme);
    let xlsx = bytes_of(&app, &admin, "/calendar.xlsx").await;
    let grid = cells(&xlsx);
    let col = column_of(&grid, "活动主题");
    assert!(grid.iter().any(|r| r.get(col).map(text).as_deref() == Some(theme)));

    let res = app.get(&admin, "/calendar.ics").await;
    let ics = res.text().await.unwrap();
    assert!(ics.ends_with("\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
    let unfolded = ics.replace("\r\n ", "");
    // Full-width punctuation is text: neither folded to ASCII nor escaped.
    assert!(
        unfolded.contains(&format!("SUMMARY:志愿服务集中活动日：{theme}\r\n")),
        "{unfolded}"
    );
}

#[tokio::test]
async fn doubtful_values_are_imported_with_warnings_located_like_errors() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let res = app.post(&unit, "/api/v1/teams", json!({"name": "提醒测试队"})).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // What Excel does to an 18-digit number typed into a General cell: 15 digits and zeros.
    let file = roster(&[
        [
            C::T("赵民"),
            C::T("男"),
            C::T("1980.01"),
            C::T("民主党派"),
            C::N(340524198001010000.0),
            C::T("13900005555"),
            C::T(""),
            C::T(""),
            C::T(""),
        ],
        [
            C::T("钱十"),
            C::T("女"),
            C::N(1990.1),
            C::T("群众"),
            C::T(""),
            C::T("13900006666"),
            C::T(""),
            C::T(""),
            C::T(""),
        ],
    ]);
    let (status, report) = upload(&app, &unit, id, file.clone(), true).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    let warned: Vec<(i64, String)> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["row"].as_i64().unwrap(), w["column"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        warned,
        vec![
            (3, "证件号码".to_string()),
            (3, "政治面貌".to_string()),
            (4, "出生年月".to_string())
        ]
    );
    let id_warning = report["warnings"][0]["message"].as_str().unwrap();
    assert!(id_warning.contains("文本"), "{id_warning}");
    assert_eq!(report["warnings"][0]["value"], "340524198001010000");

    // The upload page lists them too.
    let (web, csrf) = app.web_login("shuiwu").await;
    let form = Form::new()
        .part("file", Part::bytes(file.clone()).file_name("名册.xlsx"))
        .text("dry_run", "true");
    let res = web
        .post(app.url(&format!("/teams/{id}/roster/import?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("已接受并导入，但请核对") && page.contains("340524198001010000"));

    let (status, report) = upload(&app, &unit, id, file, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 2);
    assert_eq!(report["warnings"].as_array().unwrap().len(), 3);
    let members = app.get_json(&unit, &format!("/api/v1/teams/{id}/members")).await;
    let zhao = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "赵民")
        .unwrap();
    assert_eq!(zhao["political_status"], "democratic_party");
    assert_eq!(
        zhao["id_number"],
        Value::Null,
        "a number with lost digits is not stored"
    );
    let qian = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "钱十")
        .unwrap();
    assert_eq!(qian["birth_date"], "1990-01");
}

/// One file of an .xlsx (a zip).
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx.to_vec())).unwrap();
    let mut out = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the workbook"))
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// Checks what a printer needs: A4, one page wide, margins, the title and header repeated, the
/// sheet named after the form; answers the sheet's XML.
fn assert_prints_like_paper(xlsx: &[u8], sheet: &str, landscape: bool, what: &str) -> String {
    let ws = part(xlsx, "xl/worksheets/sheet1.xml");
    let setup = &ws[ws.find("<pageSetup").unwrap_or_else(|| panic!("{what}: no page setup"))..];
    let setup = &setup[..setup.find("/>").unwrap()];
    assert!(setup.contains("paperSize=\"9\""), "{what}: {setup}");
    assert!(setup.contains("fitToHeight=\"0\""), "{what}: {setup}");
    assert!(
        !setup.contains("fitToWidth=") || setup.contains("fitToWidth=\"1\""),
        "{what}: {setup}"
    );
    assert!(ws.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{what}: fit to page");
    assert_eq!(
        setup.contains("orientation=\"landscape\""),
        landscape,
        "{what}: {setup}"
    );
    assert!(ws.contains("<printOptions horizontalCentered=\"1\"/>"), "{what}");
    assert!(ws.contains("<pageMargins left=\"0.5\""), "{what}");
    assert!(ws.contains("<oddFooter>"), "{what}: page numbers");
    let book = part(xlsx, "xl/workbook.xml");
    assert!(book.contains(&format!("<sheet name=\"{sheet}\"")), "{what}: {book}");
    assert!(book.contains("_xlnm.Print_Titles"), "{what}: {book}");
    ws
}

#[tokio::test]
async fn every_form_and_template_prints_like_the_paper_one() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let team = own_team(&app, &unit).await["id"].as_i64().unwrap();
    let checkin = app.get_json(&admin, "/api/v1/checkins").await;
    let checkin = checkin["items"].as_array().unwrap()[0]["id"].as_i64().unwrap();
    let forms = [
        ("/api/v1/pairings/template.xlsx", "附件1", false),
        ("/api/v1/pairings/export.xlsx", "附件1", false),
        ("/api/v1/roster/template.xlsx", "附件2", true),
        (
            &format!("/api/v1/teams/{team}/roster/export.xlsx") as &str,
            "附件2",
            true,
        ),
        ("/traffic/template.xlsx", "附件3", true),
        ("/api/v1/traffic/export.xlsx", "附件3", true),
        ("/api/v1/checkins/template.xlsx", "附件4", false),
        (&format!("/api/v1/checkins/{checkin}/form.xlsx") as &str, "附件4", false),
        ("/calendar.xlsx", "附件5", false),
        ("/api/v1/board/export.xlsx", "进度看板", true),
        ("/compliance.xlsx", "月度达标", true),
    ];
    for (path, sheet, landscape) in forms {
        let xlsx = bytes_of(&app, &admin, path).await;
        assert_prints_like_paper(&xlsx, sheet, landscape, path);
        // Long text wraps.
        assert!(part(&xlsx, "xl/styles.xml").contains("wrapText=\"1\""), "{path}");
        // The title and the header are repeated on every page (rows 1–2, or 1–3 with two levels).
        let book = part(&xlsx, "xl/workbook.xml");
        assert!(
            book.contains(&format!("'{sheet}'!$1:$2"))
                || book.contains(&format!("'{sheet}'!$1:$3"))
                || book.contains(&format!("{sheet}!$1:$2"))
                || book.contains(&format!("{sheet}!$1:$3")),
            "{path}: {book}"
        );
    }

    // Real dates and numbers with Chinese formats: the calendar's days and the roster's 序号.
    let xlsx = bytes_of(&app, &admin, "/calendar.xlsx").await;
    let grid = cells(&xlsx);
    let col = column_of(&grid, "日期");
    let month = column_of(&grid, "月份");
    let first = grid
        .iter()
        .find(|r| matches!(r.get(col), Some(Data::DateTime(_))))
        .expect("a date cell");
    assert!(matches!(first[month], Data::Float(_)), "{:?}", first[month]);
    let styles = part(&xlsx, "xl/styles.xml");
    assert!(
        styles.contains("yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"),
        "{styles}"
    );
    assert!(styles.contains("0&quot;月&quot;"), "{styles}");
    let xlsx = bytes_of(&app, &unit, &format!("/api/v1/teams/{team}/roster/export.xlsx")).await;
    let grid = cells(&xlsx);
    let no = column_of(&grid, "序号");
    let birth = column_of(&grid, "出生年月");
    let phone = column_of(&grid, "联系电话");
    let first = &grid[2];
    assert!(matches!(first[no], Data::Float(_)), "{:?}", first[no]);
    assert!(matches!(first[birth], Data::DateTime(_)), "{:?}", first[birth]);
    assert!(
        matches!(first[phone], Data::String(_)),
        "phones stay text: {:?}",
        first[phone]
    );
    // The board's two-level header: the milestones under one label.
    let board = bytes_of(&app, &admin, "/api/v1/board/export.xlsx").await;
    let grid = cells(&board);
    assert_eq!(text(&grid[1][5]), "进度节点");
    assert_eq!(text(&grid[2][5]), "队伍组建");
    assert!(part(&board, "xl/worksheets/sheet1.xml").contains("<mergeCell ref=\"F2:J2\"/>"));
}
