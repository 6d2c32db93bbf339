//! The assessment through the API: scores against hand-computed values, the drill-down, bonuses
//! and penalties (audited, scoped), closing the year (frozen against later corrections), the
//! .xlsx export, and refusals of ids outside the caller's scope.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use leifeng::demo::resident_id;

fn line<'a>(score: &'a Value, indicator: &str) -> &'a Value {
    score["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["indicator"] == indicator)
        .unwrap_or_else(|| panic!("{indicator}"))
}

fn points(score: &Value, indicator: &str) -> f64 {
    line(score, indicator)["points"].as_f64().unwrap()
}

pub(crate) async fn score_of(app: &TestApp, token: &str, kind: &str, id: i64) -> Value {
    let r = app
        .get_json(token, &format!("/api/v1/assessment?kind={kind}&fresh=true"))
        .await;
    r["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{kind} {id} in {r}"))
}

/// A new unit with its own admin and one team of two (one a manager); answers (unit, team).
pub(crate) async fn small_unit(app: &TestApp, admin: &str) -> (i64, i64, String) {
    let res = app
        .post(
            admin,
            "/api/v1/units",
            json!({"name": "考核测试单位", "level": "city", "kind": "机关"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let unit = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.new_account(admin, "kaohe", "unit_admin", json!({"unit_id": unit}))
        .await;
    let token = app.token("kaohe").await;
    let team = app.new_team(&token, "考核测试队").await;
    for (i, name) in ["赵考核", "钱考核"].iter().enumerate() {
        let body = json!({"name": name, "id_number": resident_id(1990, 3, 4 + i as u32, 700 + i as u32),
            "phone": format!("1390000770{i}"), "consent": "true", "id_consent": "true", "is_manager": if i == 0 { "true" } else { "" }});
        app.add_member(&token, team, body).await;
    }
    (unit, team, token)
}

#[tokio::test]
async fn a_small_unit_scores_what_its_facts_give_and_each_point_is_explained() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let (unit, team, _) = small_unit(&app, &admin).await;
    let s = score_of(&app, &admin, "unit", unit).await;
    // Nothing done yet: no hours, nobody served, no activity held.
    assert_eq!(line(&s, "roster_served")["denominator"], 2.0);
    assert_eq!(line(&s, "roster_served")["numerator"], 0.0);
    assert_eq!(points(&s, "roster_served"), 0.0);
    assert_eq!(points(&s, "hours_per_volunteer"), 0.0);
    assert_eq!(points(&s, "monthly_activity"), 0.0);
    // Nothing dispatched and no inspection: full points by the documented rule.
    assert_eq!(points(&s, "dispatches_fulfilled"), 5.0);
    assert_eq!(points(&s, "findings_closed"), 10.0);
    assert_eq!(line(&s, "findings_closed")["note"], "assessment.note.no_inspections");
    // No pairing, so no check-in expected: nothing due, no points.
    assert_eq!(points(&s, "checkins_confirmed"), 0.0);
    // Milestones: weight × on time / due, to one decimal.
    let m = line(&s, "milestones_on_time");
    let (n, d) = (m["numerator"].as_f64().unwrap(), m["denominator"].as_f64().unwrap());
    let expected = if d > 0.0 { (150.0 * n / d).round() / 10.0 } else { 0.0 };
    assert_eq!(m["points"].as_f64().unwrap(), expected);
    let sum: f64 = s["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["points"].as_f64().unwrap())
        .sum();
    assert!((s["total"].as_f64().unwrap() - sum).abs() < 1e-6, "{s}");
    // The team is scored too, under its unit.
    let t = score_of(&app, &admin, "team", team).await;
    assert_eq!(t["parent"], format!("unit:{unit}"));
    assert_eq!(line(&t, "roster_served")["denominator"], 2.0);

    // A demo unit with a year of records: its months and activities are listed behind the points.
    let shuiwu = app.token("shuiwu").await;
    let mine = app.get_json(&shuiwu, "/api/v1/assessment").await;
    let own = mine["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "unit")
        .unwrap()
        .clone();
    let id = own["id"].as_i64().unwrap();
    let e = app.get_json(&shuiwu, &format!("/api/v1/assessment/unit/{id}")).await;
    let met = e["months"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "met")
        .count() as f64;
    assert_eq!(
        line(&e["score"], "monthly_activity")["numerator"].as_f64().unwrap(),
        met
    );
    assert!(!e["activities"].as_array().unwrap().is_empty(), "{e}");
    assert!(!e["teams"].as_array().unwrap().is_empty());
    let minutes: i64 = e["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["minutes"].as_i64().unwrap())
        .sum();
    let hours = line(&e["score"], "hours_per_volunteer")["numerator"].as_f64().unwrap();
    assert!(
        (hours - (minutes as f64 / 60.0 * 10.0).round() / 10.0).abs() < 0.11,
        "{hours} vs {minutes}"
    );
    // The demo inspected this unit: its findings are counted behind the points, and the page
    // leads to those inspections, whose pages list each finding.
    assert!(e["findings"]["total"].as_i64().unwrap() > 0, "{e}");
    let inspected = app
        .get_json(&shuiwu, &format!("/api/v1/inspections?unit_id={id}&per_page=100"))
        .await;
    let raised: i64 = inspected["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] != "cancelled")
        .map(|i| i["finding_count"].as_i64().unwrap())
        .sum();
    assert_eq!(raised, e["findings"]["total"].as_i64().unwrap(), "{inspected}");
    // The page shows the same.
    let page = app.get(&shuiwu, &format!("/assessment/unit/{id}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("/inspections?unit_id={id}")), "{html}");
}

#[tokio::test]
async fn bonuses_and_penalties_are_audited_and_scoped() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let (unit, _, unit_token) = small_unit(&app, &admin).await;
    let before = score_of(&app, &admin, "unit", unit).await["total"].as_f64().unwrap();
    let res = app
        .post(
            &admin,
            "/api/v1/assessment/adjustments",
            json!({"org_kind": "unit", "org_id": unit,
            "points": "2.5", "reason": "志愿服务经验被市级媒体报道", "evidence": "市报 2026-05-03 第2版"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["points"], 25);
    let after = score_of(&app, &admin, "unit", unit).await;
    assert!((after["total"].as_f64().unwrap() - before - 2.5).abs() < 1e-6);
    assert_eq!(after["adjustments"], 2.5);
    let log = app
        .get_json(
            &admin,
            &format!("/api/v1/audit?object_type=assessment_adjustment&object_id={}", a["id"]),
        )
        .await;
    assert_eq!(log["items"][0]["action"], "create");
    // Refused: no reason, points out of range, an org that does not exist, a non-district caller.
    for body in [
        json!({"org_kind": "unit", "org_id": unit, "points": "1", "reason": ""}),
        json!({"org_kind": "unit", "org_id": unit, "points": "50", "reason": "x"}),
        json!({"org_kind": "unit", "org_id": 999_999, "points": "1", "reason": "x"}),
    ] {
        let res = app.post(&admin, "/api/v1/assessment/adjustments", body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let shuiwu = app.token("shuiwu").await;
    let res = app
        .post(
            &shuiwu,
            "/api/v1/assessment/adjustments",
            json!({"org_kind": "unit", "org_id": unit, "points": "5", "reason": "x"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.put(&shuiwu, "/api/v1/assessment/scheme", json!({"items": []}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // The new unit sees its own adjustment; another unit and a street it is not paired into do not.
    let own = app.get_json(&unit_token, "/api/v1/assessment/adjustments").await;
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    let other = app.get_json(&shuiwu, "/api/v1/assessment/adjustments").await;
    assert!(other["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["org_id"] != unit || x["org_kind"] != "unit"));
    let street = app
        .get_json(&app.token("donghu").await, "/api/v1/assessment/adjustments")
        .await;
    assert!(street["items"].as_array().unwrap().is_empty());
    // Hostile ids: another unit's explanation answers like one that does not exist, and the
    // ranking shows a unit only itself.
    assert_eq!(
        app.get(&shuiwu, &format!("/api/v1/assessment/unit/{unit}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&shuiwu, "/api/v1/assessment/unit/999999").await.status(),
        StatusCode::NOT_FOUND
    );
    let mine = app.get_json(&shuiwu, "/api/v1/assessment").await;
    let units: Vec<_> = mine["scores"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] != "team")
        .collect();
    assert_eq!(units.len(), 1);
    assert!(units[0]["rank"].as_i64().unwrap() >= 1);
    let police = app.token("jiaojing").await;
    assert_eq!(
        app.get(&police, "/api/v1/assessment").await.status(),
        StatusCode::FORBIDDEN
    );
    let volunteer = app.token("volunteer").await;
    assert_eq!(app.get(&volunteer, "/assessment").await.status(), StatusCode::FORBIDDEN);
    // A street sees its area only: no unit outside it.
    let donghu = app.token("donghu").await;
    let area = app.get_json(&donghu, "/api/v1/assessment").await;
    assert!(area["scores"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["id"] != unit || s["kind"] != "unit"));
    assert!(!area["scores"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn closing_freezes_the_scores_against_later_corrections() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let (unit, team, unit_token) = small_unit(&app, &admin).await;
    assert_eq!(
        app.get(&admin, "/api/v1/assessment/snapshot").await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app.post(&admin, "/api/v1/assessment/close", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let frozen: Value = res.json().await.unwrap();
    assert_eq!(frozen["frozen"], true);
    let taken = frozen["computed_on"].as_str().unwrap().to_string();
    let before = score_of(&app, &admin, "unit", unit).await;
    // A correction afterwards: a third person on the roster.
    let body = json!({"name": "孙考核", "id_number": resident_id(1991, 5, 6, 733), "phone": "13900007799",
        "consent": "true", "id_consent": "true"});
    app.add_member(&unit_token, team, body).await;
    let after = score_of(&app, &admin, "unit", unit).await;
    assert_eq!(before, after, "the snapshot does not move");
    assert_eq!(line(&after, "roster_served")["denominator"], 2.0);
    let snap = app.get_json(&admin, "/api/v1/assessment/snapshot").await;
    assert_eq!(snap["computed_on"], taken);
    assert_eq!(snap["frozen_by"], "admin");
    // Closed: no second close, no new adjustment, no scheme change.
    assert_eq!(
        app.post(&admin, "/api/v1/assessment/close", json!({})).await.status(),
        StatusCode::CONFLICT
    );
    let res = app
        .post(
            &admin,
            "/api/v1/assessment/adjustments",
            json!({"org_kind": "unit", "org_id": unit, "points": "1", "reason": "x"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let log = app
        .get_json(&admin, "/api/v1/audit?object_type=assessment_snapshot")
        .await;
    assert_eq!(log["items"][0]["action"], "update");
}

#[tokio::test]
async fn the_scheme_changes_the_points_and_the_ranking_exports() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let scheme = app.get_json(&admin, "/api/v1/assessment/scheme").await;
    assert_eq!(scheme["indicators"].as_array().unwrap().len(), 10);
    let caps: i64 = scheme["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cap"].as_i64().unwrap())
        .sum();
    assert_eq!(caps, 100);
    let res = app
        .put(
            &admin,
            "/api/v1/assessment/scheme",
            json!({"items": [{"indicator": "findings_closed", "weight": 4, "cap": 4}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let r = app.get_json(&admin, "/api/v1/assessment").await;
    // The new cap holds; organisations the demo never inspected keep full points, while the
    // demo's overdue rectifications cost the ones inspected some.
    let findings: Vec<f64> = r["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| points(s, "findings_closed"))
        .collect();
    assert!(findings.iter().all(|p| *p <= 4.0), "{findings:?}");
    assert!(findings.contains(&4.0), "{findings:?}");
    assert!(findings.iter().any(|p| *p < 4.0), "{findings:?}");
    let res = app
        .put(
            &admin,
            "/api/v1/assessment/scheme",
            json!({"items": [{"indicator": "nope", "weight": 1, "cap": 1}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let log = app
        .get_json(&admin, "/api/v1/audit?object_type=assessment_scheme")
        .await;
    assert!(log["items"].as_array().unwrap().iter().any(|e| e["action"] == "update"));
    // Units rank within their level and kind: places run from 1 within each category.
    for s in r["scores"].as_array().unwrap() {
        assert!(s["rank"].as_i64().unwrap() >= 1 && s["rank"].as_i64() <= s["rank_of"].as_i64());
    }
    let xlsx = app.get(&admin, "/assessment.xlsx?kind=unit").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let units = r["scores"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "unit")
        .count();
    assert!(sheet.height() >= units + 2, "{} rows for {units} units", sheet.height());
    let audit = app.get_json(&admin, "/api/v1/audit?object_type=assessment").await;
    assert_eq!(audit["items"][0]["action"], "export");
    for page in ["/assessment", "/assessment/scheme", "/assessment/adjustments"] {
        assert_eq!(app.get(&admin, page).await.status(), StatusCode::OK, "{page}");
    }
}
