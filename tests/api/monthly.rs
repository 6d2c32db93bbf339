//! The monthly statistics (月报) through the API: the figures against a recount from the raw
//! records (district, a street, a unit), a new unit's activity adding exactly its sign-ins and
//! hours, scope (ids outside the caller's area refused), bad months, and the .xlsx: its cells
//! equal the JSON, it prints like the paper forms, and the export is audited.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app, TestApp};
use leifeng::db::Db;
use leifeng::demo::resident_id;
use leifeng::domain::dates::{format_local, local};

/// Rows of `sql` on whichever database the app runs on.
async fn rows<T>(db: &Db, sql: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    T: Send + Unpin,
{
    match db {
        Db::Sqlite { read, .. } => sqlx::query_as(sql).fetch_all(read).await.unwrap(),
        Db::Pg(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

/// The month's figures counted here from the raw rows, for the district (`None`), a street or a
/// unit: (held, sign-ins, confirmed minutes, per category (held, sign-ins, minutes), per form,
/// volunteers, teams).
#[derive(Debug, Default, PartialEq)]
struct Recount {
    held: i64,
    person_times: i64,
    minutes: i64,
    by_category: HashMap<String, (i64, i64, i64)>,
    by_form: HashMap<String, (i64, i64, i64)>,
    volunteers: i64,
    teams: i64,
}

type ActivityRow = (i64, i64, Option<i64>, String, String, Option<i64>, String, i64, String);

async fn recount(db: &Db, month: &str, now: i64, street: Option<i64>, unit: Option<i64>) -> Recount {
    let activities: Vec<ActivityRow> = rows(
        db,
        "select id, team_id, community_id, category, form, dispatch_id, status, ends_at, month from activities",
    )
    .await;
    let signins: Vec<(i64, i64, Option<i64>, Option<i64>)> = rows(
        db,
        "select activity_id, volunteer_id, minutes, confirmed_at from attendance",
    )
    .await;
    let teams: HashMap<i64, (Option<i64>, Option<i64>)> =
        rows::<(i64, Option<i64>, Option<i64>)>(db, "select id, unit_id, community_id from teams")
            .await
            .into_iter()
            .map(|(id, u, c)| (id, (u, c)))
            .collect();
    let street_of: HashMap<i64, i64> = rows::<(i64, i64)>(db, "select id, street_id from communities")
        .await
        .into_iter()
        .collect();
    let mut by_activity: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for (a, v, minutes, confirmed) in signins {
        let m = if confirmed.is_some() { minutes.unwrap_or(0) } else { 0 };
        by_activity.entry(a).or_default().push((v, m));
    }
    let mut r = Recount::default();
    let (mut people, mut held_by) = (HashSet::new(), HashSet::new());
    for (id, team, community, category, form, dispatch, status, ends_at, m) in activities {
        let (t_unit, t_community) = teams[&team];
        let place = community.or(t_community).map(|c| street_of[&c]);
        let inside = match (street, unit) {
            (Some(s), _) => place == Some(s),
            (_, Some(u)) => t_unit == Some(u),
            _ => true,
        };
        let held = m == month && (status == "published" || status == "completed") && ends_at <= now;
        let Some(signed) = by_activity.get(&id).filter(|_| held && inside) else {
            continue;
        };
        let minutes: i64 = signed.iter().map(|s| s.1).sum();
        let form = if dispatch.is_some() {
            "dispatched".to_string()
        } else {
            form
        };
        r.held += 1;
        r.person_times += signed.len() as i64;
        r.minutes += minutes;
        for (key, map) in [(category, &mut r.by_category), (form, &mut r.by_form)] {
            let e = map.entry(key).or_default();
            e.0 += 1;
            e.1 += signed.len() as i64;
            e.2 += minutes;
        }
        people.extend(signed.iter().map(|s| s.0));
        held_by.insert(team);
    }
    r.volunteers = people.len() as i64;
    r.teams = held_by.len() as i64;
    r
}

/// The report's figures in the recount's shape.
fn as_recount(m: &Value) -> Recount {
    let map = |lines: &Value| -> HashMap<String, (i64, i64, i64)> {
        lines
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["held"].as_i64().unwrap() > 0)
            .map(|l| {
                (
                    l["code"].as_str().unwrap().to_string(),
                    (
                        l["held"].as_i64().unwrap(),
                        l["person_times"].as_i64().unwrap(),
                        l["minutes"].as_i64().unwrap(),
                    ),
                )
            })
            .collect()
    };
    Recount {
        held: m["total"]["held"].as_i64().unwrap(),
        person_times: m["total"]["person_times"].as_i64().unwrap(),
        minutes: m["total"]["minutes"].as_i64().unwrap(),
        by_category: map(&m["by_category"]),
        by_form: map(&m["by_form"]),
        volunteers: m["volunteers_active"].as_i64().unwrap(),
        teams: m["teams_active"].as_i64().unwrap(),
    }
}

/// A new unit paired with 枫林社区, with its admin and a team of three; answers (unit, team,
/// token, community, the community's street).
async fn new_unit(app: &TestApp, admin: &str) -> (i64, i64, String, i64, i64) {
    let res = app
        .post(
            admin,
            "/api/v1/units",
            json!({"name": "月报测试单位", "level": "city", "kind": "机关"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let unit = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let community = app.find_id(admin, "/api/v1/communities", "name", "枫林社区").await;
    let street = app.get_json(admin, &format!("/api/v1/communities/{community}")).await["street_id"]
        .as_i64()
        .unwrap();
    let res = app
        .post(
            admin,
            "/api/v1/pairings",
            json!({"unit_id": unit, "community_id": community}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    app.new_account(admin, "yuebao", "unit_admin", json!({"unit_id": unit}))
        .await;
    let token = app.token("yuebao").await;
    let team = app.new_team(&token, "月报测试队").await;
    (unit, team, token, community, street)
}

#[tokio::test]
async fn figures_equal_a_recount_and_a_new_activity_adds_exactly_its_records() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let (unit, team, token, community, street) = new_unit(&app, &admin).await;
    let mut vols = vec![];
    for i in 0..3u32 {
        let body = json!({"name": format!("月报{i}号"), "id_number": resident_id(1991, 4, 5 + i, 810 + i),
            "phone": format!("1390000881{i}"), "consent": "true", "id_consent": "true"});
        vols.push(app.add_member(&token, team, body).await);
    }
    // Held four hours ago to one hour ago, in 枫林社区; two of three come, one leaves early.
    let past = app
        .activity(
            &token,
            team,
            -4 * 3600,
            -3600,
            json!({"category": "helping_weak", "community_id": community}),
            false,
        )
        .await;
    let a = app.get_json(&token, &format!("/api/v1/activities/{past}")).await;
    let (start, end) = (a["starts_at"].as_i64().unwrap(), a["ends_at"].as_i64().unwrap());
    let month = local(start).format("%Y-%m").to_string();
    let path = format!("/api/v1/stats/monthly?month={month}");
    let before = app.get_json(&admin, &path).await;
    for v in &vols {
        let res = app
            .post(
                &token,
                &format!("/api/v1/activities/{past}/signups"),
                json!({"volunteer_id": v}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let attend =
        |action: &str, who: Vec<i64>, at: i64| json!({"volunteer_ids": who, "action": action, "at": format_local(at)});
    let url = format!("/api/v1/activities/{past}/attendance");
    app.post(&token, &url, attend("sign_in", vols[..2].to_vec(), start))
        .await;
    app.post(&token, &url, attend("sign_out", vec![vols[0]], end - 1800))
        .await;
    app.post(&token, &url, attend("sign_out", vec![vols[1]], end)).await;
    let res = app
        .post(&token, &format!("/api/v1/activities/{past}/hours/confirm"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());

    // The unit's own month: exactly this activity (150 + 180 minutes).
    let mine = app.get_json(&token, "/api/v1/stats/monthly").await;
    let own = app.get_json(&token, &path).await;
    assert_eq!(own["area"], "unit");
    assert_eq!(own["area_id"], unit);
    assert_eq!(own["area_name"], "月报测试单位");
    let r = as_recount(&own);
    assert_eq!((r.held, r.person_times, r.minutes), (1, 2, 330), "{own}");
    assert_eq!(r.by_category["helping_weak"], (1, 2, 330));
    assert_eq!(r.by_form["scattered"], (1, 2, 330));
    assert_eq!((r.volunteers, r.teams), (2, 1));
    assert_eq!(own["total"]["hours"], 5.5);
    // Three people put on the roster this month (the default month, when it is this one).
    let this_month = local(leifeng::db::now()).format("%Y-%m").to_string();
    let now_report = app
        .get_json(&token, &format!("/api/v1/stats/monthly?month={this_month}"))
        .await;
    assert_eq!(now_report["new_registrations"], 3, "{now_report}");
    assert!(mine["month"].is_string());
    // The paragraph says the numbers.
    let summary = own["summary"].as_str().unwrap();
    for needle in ["1支", "1场", "2人次", "5.5小时", "月报测试单位"] {
        assert!(summary.contains(needle), "{needle} in {summary}");
    }

    // The district's month grew by exactly this activity.
    let after = app.get_json(&admin, &path).await;
    let (b, a2) = (as_recount(&before), as_recount(&after));
    assert_eq!(a2.held - b.held, 1);
    assert_eq!(a2.person_times - b.person_times, 2);
    assert_eq!(a2.minutes - b.minutes, 330);
    // And every figure equals a recount from the raw rows: the district, 枫林社区's street, the
    // unit, and a demo unit with a year of records, for this month and a past one.
    let now = after["generated_at"].as_i64().unwrap();
    assert_eq!(as_recount(&after), recount(&app.db, &month, now, None, None).await);
    let s = app.get_json(&admin, &format!("{path}&street_id={street}")).await;
    assert_eq!(s["area"], "street");
    assert_eq!(as_recount(&s), recount(&app.db, &month, now, Some(street), None).await);
    let u = app.get_json(&admin, &format!("{path}&unit_id={unit}")).await;
    assert_eq!(as_recount(&u), r);
    let shuiwu = app.token("shuiwu").await;
    let demo_unit = app.get_json(&shuiwu, "/api/v1/stats/monthly").await["area_id"]
        .as_i64()
        .unwrap();
    let prev = leifeng::domain::monthly::YearMonth::parse(&month).unwrap().prev().key();
    for m in [&month, &prev] {
        let d = app
            .get_json(&admin, &format!("/api/v1/stats/monthly?month={m}&unit_id={demo_unit}"))
            .await;
        assert_eq!(
            as_recount(&d),
            recount(&app.db, m, d["generated_at"].as_i64().unwrap(), None, Some(demo_unit)).await,
            "{m}"
        );
        let all = app.get_json(&admin, &format!("/api/v1/stats/monthly?month={m}")).await;
        assert_eq!(
            as_recount(&all),
            recount(&app.db, m, all["generated_at"].as_i64().unwrap(), None, None).await,
            "{m}"
        );
    }
    // The demo's past month is full: the form is not empty.
    let full = app
        .get_json(&admin, &format!("/api/v1/stats/monthly?month={prev}"))
        .await;
    assert!(full["total"]["held"].as_i64().unwrap() > 0, "{full}");
    assert!(full["volunteers_active"].as_i64().unwrap() > 0, "{full}");
}

#[tokio::test]
async fn each_asks_only_for_its_own_area_and_bad_months_are_refused() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let (unit, _, token, _, street) = new_unit(&app, &admin).await;
    let donghu = app.token("donghu").await;
    let own = app.get_json(&donghu, "/api/v1/stats/monthly").await;
    assert_eq!(own["area"], "street");
    let own_street = own["area_id"].as_i64().unwrap();
    assert_ne!(own_street, street, "the new unit is paired into another street");
    // A street asking for another street, or another street's unit: 403.
    for q in [format!("street_id={street}"), format!("unit_id={unit}")] {
        let res = app.get(&donghu, &format!("/api/v1/stats/monthly?{q}")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{q}");
        let res = app.get(&donghu, &format!("/stats/monthly.xlsx?{q}")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{q}");
    }
    // An id that does not exist reads like one outside its area.
    let res = app.get(&donghu, "/api/v1/stats/monthly?unit_id=999999").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A unit paired into the street: allowed.
    let units = app.get_json(&donghu, "/api/v1/units?per_page=500").await;
    let paired = units["items"][0]["id"].as_i64().unwrap();
    let res = app
        .get_json(&donghu, &format!("/api/v1/stats/monthly?unit_id={paired}"))
        .await;
    assert_eq!(res["area"], "unit");
    // A unit asks for itself only.
    let res = app
        .get(&token, &format!("/api/v1/stats/monthly?unit_id={paired}"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .get(&token, &format!("/api/v1/stats/monthly?street_id={street}"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Roles without a monthly form: the community, the police, a volunteer.
    for who in ["chunxiao", "jiaojing", "volunteer"] {
        let t = app.token(who).await;
        assert_eq!(
            app.get(&t, "/api/v1/stats/monthly").await.status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            app.get(&t, "/stats/monthly").await.status(),
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    // The district: both at once, or a street that does not exist, is a 422 naming the field.
    let res = app
        .get(
            &admin,
            &format!("/api/v1/stats/monthly?street_id={street}&unit_id={unit}"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["unit_id"]);
    let res = app.get(&admin, "/api/v1/stats/monthly?street_id=999999").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["street_id"]);

    // Bad months: malformed, in the future, outside any campaign year.
    let next = leifeng::domain::monthly::YearMonth::of(leifeng::db::now()).next().key();
    for (month, says) in [
        ("2026-13", "2026-13"),
        ("abc", "abc"),
        ("2026-00", "2026-00"),
        (next.as_str(), next.as_str()),
        ("1999-05", "1999-05"),
    ] {
        let res = app.get(&admin, &format!("/api/v1/stats/monthly?month={month}")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{month}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(error_fields(&body), vec!["month"], "{month}");
        let msg = body["error"]["details"][0]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{month}: {msg}");
        let res = app.get(&admin, &format!("/stats/monthly?month={month}")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "page {month}");
        assert!(res.text().await.unwrap().contains("aria-invalid=\"true\""), "{month}");
    }
    let res = app.get(&admin, "/api/v1/stats/monthly?month=2026-13").await;
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026-03"),
        "the message shows the format: {body}"
    );
}

/// One part of the workbook, as text.
fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx.to_vec())).unwrap();
    let mut out = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the workbook"))
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn the_form_opens_equals_the_json_prints_and_is_audited() {
    use calamine::{Data, Reader};
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let donghu = app.token("donghu").await;
    let json_of = app.get_json(&donghu, "/api/v1/stats/monthly").await;
    let month = json_of["month"].as_str().unwrap().to_string();
    let res = app.get(&donghu, &format!("/stats/monthly.xlsx?month={month}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let bytes = res.bytes().await.unwrap().to_vec();
    // The API's download is the same form.
    let api = app
        .get(&donghu, &format!("/api/v1/stats/monthly.xlsx?month={month}"))
        .await;
    assert_eq!(api.status(), StatusCode::OK);

    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let text = |r: u32, c: u32| sheet.get_value((r, c)).map(|d| d.to_string()).unwrap_or_default();
    let num = |r: u32, c: u32| match sheet.get_value((r, c)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("({r}, {c}) is {other:?}"),
    };
    let row_of = |label: &str| -> u32 {
        (0..sheet.height() as u32)
            .find(|r| text(*r, 1) == label || text(*r, 0) == label)
            .unwrap_or_else(|| panic!("{label} in the form"))
    };
    // The title, who reports, the 填报 line.
    assert!(text(0, 0).contains("学雷锋志愿服务进社区活动月报表"), "{}", text(0, 0));
    let (y, m) = month.split_once('-').unwrap();
    assert!(text(0, 0).contains(&format!("{y}年{}月", m.trim_start_matches('0'))));
    assert!(text(1, 0).contains(json_of["area_name"].as_str().unwrap()));
    assert!(text(2, 0).starts_with("填报单位"));
    assert!(text(2, 2).starts_with("填报人"));
    assert!(text(2, 4).starts_with("填报日期"));
    assert!(text(1, 2).starts_with("统计期间"));
    // Every line's cells equal the JSON.
    let total = row_of("合计");
    let check = |r: u32, l: &Value| {
        assert_eq!(num(r, 2), l["held"].as_f64().unwrap(), "{l}");
        assert_eq!(num(r, 3), l["person_times"].as_f64().unwrap(), "{l}");
        assert!((num(r, 4) - l["hours"].as_f64().unwrap()).abs() < 1e-9, "{l}");
    };
    check(total, &json_of["total"]);
    for group in ["by_category", "by_form"] {
        for l in json_of[group].as_array().unwrap() {
            check(row_of(l["label"].as_str().unwrap()), l);
        }
    }
    for (label, key) in [
        ("参加志愿者（人）", "concentrated_people"),
        ("参加志愿服务队（支）", "concentrated_teams"),
        ("参加服务的志愿者（人）", "volunteers_active"),
        ("开展活动的志愿服务队（支）", "teams_active"),
        ("新登记志愿者（人）", "new_registrations"),
    ] {
        assert_eq!(num(row_of(label), 2), json_of[key].as_f64().unwrap(), "{label}");
    }
    // The needs (四单) received and fulfilled, from the needs' own steps.
    for (label, key) in [("接收需求（件）", "received"), ("办结需求（件）", "fulfilled")] {
        assert_eq!(
            num(row_of(label), 2),
            json_of["needs"][key].as_f64().unwrap(),
            "{label}"
        );
    }
    // Merged header cells, and the print setup of the paper forms.
    let ws = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(ws.contains("<mergeCell ref=\"A4:B5\"/>"), "{ws}");
    assert!(ws.contains("<mergeCell ref=\"C4:E4\"/>"));
    // The period and 填报人 lines have the width their text needs (LibreOffice clips in print).
    assert!(ws.contains("<mergeCell ref=\"C2:E2\"/>"), "{ws}");
    assert!(ws.contains("<mergeCell ref=\"C3:D3\"/>"), "{ws}");
    let setup = &ws[ws.find("<pageSetup").expect("page setup")..];
    let setup = &setup[..setup.find("/>").unwrap()];
    assert!(setup.contains("paperSize=\"9\""), "{setup}");
    assert!(setup.contains("orientation=\"portrait\""), "{setup}");
    assert!(setup.contains("fitToHeight=\"0\""), "{setup}");
    assert!(!setup.contains("fitToWidth=") || setup.contains("fitToWidth=\"1\""));
    assert!(ws.contains("<pageSetUpPr fitToPage=\"1\"/>"));
    assert!(ws.contains("<oddFooter>"), "page numbers");
    let book = part(&bytes, "xl/workbook.xml");
    assert!(book.contains("<sheet name=\"月报表\""), "{book}");
    assert!(book.contains("_xlnm.Print_Titles"), "{book}");
    assert!(book.contains("$1:$5"), "title and header repeat: {book}");

    // Both downloads are in the audit trail as exports.
    let audit = app.get_json(&admin, "/api/v1/audit?object_type=monthly").await;
    let exports = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "export")
        .count();
    assert_eq!(exports, 2, "{audit}");

    // The page shows the same figures, the download and the paragraph in a readonly box.
    let page = app.get(&donghu, &format!("/stats/monthly?month={month}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("monthly.xlsx?month={month}")), "{html}");
    assert!(html.contains("<textarea id=\"summary\" readonly"));
    let summary = json_of["summary"].as_str().unwrap();
    assert!(html.contains(summary), "{summary}");
    // In English: the lines, the title and the paragraph.
    let res = app.put(&donghu, "/api/v1/me/lang", json!({"lang": "en"})).await;
    assert!(res.status().is_success());
    let en = app
        .get_json(&donghu, &format!("/api/v1/stats/monthly?month={month}"))
        .await;
    assert_eq!(en["total"]["label"], "Total");
    assert_eq!(en["total"]["held"], json_of["total"]["held"]);
    let para = en["summary"].as_str().unwrap();
    assert!(para.starts_with("In "), "{para}");
    if json_of["total"]["held"].as_i64().unwrap() > 0 {
        let held = en["total"]["held"].as_i64().unwrap();
        let held = leifeng::domain::monthly::grouped(held);
        assert!(para.contains(&format!("held {held} activities")), "{para}");
    }
}
