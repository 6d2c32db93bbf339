//! A closed year's explanations: the facts behind every score are frozen with the ranking, so a
//! correction made afterwards changes neither the points nor the drill-down under them (while a
//! live year's drill-down follows the records); a year closed before facts were frozen reads
//! today's records and says so.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::assessment::{score_of, small_unit};
use crate::helpers::TestApp;
use crate::service::when;

/// The parts of an explanation that are facts (everything but when and whether it was frozen).
fn facts(e: &Value) -> Value {
    let mut f = e.clone();
    let o = f.as_object_mut().unwrap();
    for k in ["computed_on", "frozen", "facts_frozen", "score"] {
        o.remove(k);
    }
    f
}

async fn explain(app: &TestApp, token: &str, kind: &str, id: i64) -> Value {
    app.get_json(token, &format!("/api/v1/assessment/{kind}/{id}")).await
}

/// The explanation page in `lang` (the account's language is set to it).
async fn page(app: &TestApp, token: &str, kind: &str, id: i64, lang: &str) -> String {
    let res = app.put(token, "/api/v1/me/lang", json!({ "lang": lang })).await;
    assert!(res.status().is_success(), "{lang}");
    let res = app.get(token, &format!("/assessment/{kind}/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

/// A dispatched action for `team` (the district's), starting in a day; answers its id.
async fn dispatch(app: &TestApp, admin: &str, team: i64, title: &str) -> i64 {
    let input = json!({"title": title, "target": "火车站周边", "category": "traffic", "dimension": "order",
        "address": "火车站站前广场", "starts_at": when(86400), "ends_at": when(86400 + 7200),
        "teams": [{"team_id": team, "required": 2}]});
    let res = app.post(admin, "/api/v1/dispatches", input).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// The facts frozen for the active campaign (the demo closed an earlier year already).
async fn frozen_rows(app: &TestApp, token: &str) -> i64 {
    let campaign = app.get_json(token, "/api/v1/assessment?kind=unit").await["campaign_id"].clone();
    leifeng::on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "select count(*) from assessment_snapshot_facts where campaign_id = $1")
        .bind(campaign.as_i64().unwrap()).fetch_one(pool).await.unwrap())
}

#[tokio::test]
async fn closing_freezes_every_explanation_as_it_stood() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.token("admin").await;
    let shuiwu = app.token("shuiwu").await;
    // A demo unit with a year of records, and one of its teams, as the unit itself sees them.
    let mine = app.get_json(&shuiwu, "/api/v1/assessment?kind=unit").await;
    let unit = mine["scores"][0]["id"].as_i64().unwrap();
    let before = explain(&app, &shuiwu, "unit", unit).await;
    let team = before["teams"][0][0].as_i64().unwrap();
    let team_before = explain(&app, &shuiwu, "team", team).await;
    assert_eq!(
        (before["frozen"].clone(), before["facts_frozen"].clone()),
        (json!(false), json!(false))
    );
    for list in ["months", "activities", "checkins"] {
        assert!(!before[list].as_array().unwrap().is_empty(), "{list}: {before}");
    }
    assert_eq!(frozen_rows(&app, &admin).await, 0);

    let res = app.post(&admin, "/api/v1/assessment/close", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let ranking: Value = res.json().await.unwrap();
    // Every score's facts were frozen: one row each (units, communities and teams).
    let scored = ranking["scores"].as_array().unwrap().len() as i64;
    assert!(scored > 10, "{scored}");
    assert_eq!(frozen_rows(&app, &admin).await, scored);

    // The frozen facts are exactly what the explanation gave right before closing.
    let after = explain(&app, &shuiwu, "unit", unit).await;
    assert_eq!(
        (after["frozen"].clone(), after["facts_frozen"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(facts(&after), facts(&before));
    let team_after = explain(&app, &shuiwu, "team", team).await;
    assert_eq!(team_after["facts_frozen"], true);
    assert_eq!(facts(&team_after), facts(&team_before));
    // The district sees the same; scopes hold as before: another unit's id answers 404.
    assert_eq!(explain(&app, &admin, "unit", unit).await, after);
    let (other, _, other_token) = small_unit(&app, &admin).await;
    assert_eq!(
        app.get(&other_token, &format!("/api/v1/assessment/unit/{unit}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&shuiwu, &format!("/api/v1/assessment/unit/{other}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The page says the facts are the frozen ones, in both languages.
    let on = after["computed_on"].as_str().unwrap();
    let zh = page(&app, &shuiwu, "unit", unit, "zh-CN").await;
    assert!(zh.contains("与得分一同冻结") && zh.contains(on), "{zh}");
    let en = page(&app, &shuiwu, "unit", unit, "en").await;
    assert!(en.contains("are as they were frozen on") && en.contains(on), "{en}");
}

#[tokio::test]
async fn corrections_after_closing_do_not_move_the_drill_down() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.token("admin").await;
    let (unit, team, unit_token) = small_unit(&app, &admin).await;
    score_of(&app, &admin, "unit", unit).await;
    let start = explain(&app, &unit_token, "unit", unit).await;
    assert!(start["dispatches"].as_array().unwrap().is_empty(), "{start}");

    // A live year: the drill-down follows the records (a new dispatched action, then its answer).
    let first = dispatch(&app, &admin, team, "站前广场文明劝导").await;
    let live = explain(&app, &unit_token, "unit", unit).await;
    assert_eq!(live["dispatches"].as_array().unwrap().len(), 1, "{live}");
    assert_eq!(live["dispatches"][0]["answer"], "pending");
    let answer = format!("/api/v1/dispatches/{first}/teams/{team}/answer");
    let res = app
        .post(&admin, &answer, json!({"answer": "decline", "reason": "全员外出培训"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let answered = explain(&app, &unit_token, "unit", unit).await;
    assert_eq!(answered["dispatches"][0]["answer"], "declined");
    assert_ne!(facts(&answered), facts(&live));

    let res = app.post(&admin, "/api/v1/assessment/close", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let frozen = explain(&app, &unit_token, "unit", unit).await;
    let frozen_team = explain(&app, &unit_token, "team", team).await;
    assert_eq!(facts(&frozen), facts(&answered));
    assert_eq!(frozen["dispatches"][0]["review"], "");

    // Corrections afterwards: the district rejects the decline, dispatches another action, and
    // the team answers it.
    let review = format!("/api/v1/dispatches/{first}/teams/{team}/review");
    let res = app
        .post(
            &admin,
            &review,
            json!({"decision": "reject", "note": "培训可调整，请派人"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["review"], "rejected");
    let second = dispatch(&app, &admin, team, "地铁口秩序维护").await;
    let res = app
        .post(
            &admin,
            &format!("/api/v1/dispatches/{second}/teams/{team}/answer"),
            json!({"answer": "decline", "reason": "人手不足"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The explanation after the change is the one before it, to the letter.
    assert_eq!(explain(&app, &unit_token, "unit", unit).await, frozen);
    assert_eq!(explain(&app, &unit_token, "team", team).await, frozen_team);
    assert_eq!(explain(&app, &admin, "unit", unit).await, frozen);
}

#[tokio::test]
async fn a_year_closed_before_facts_were_frozen_reads_the_records_and_says_so() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.token("admin").await;
    let (unit, team, unit_token) = small_unit(&app, &admin).await;
    let res = app.post(&admin, "/api/v1/assessment/close", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    // As a year closed before the facts were frozen: no rows.
    let mut tx = app.db.begin().await.unwrap();
    let campaign = res.json::<Value>().await.unwrap()["campaign_id"].as_i64().unwrap();
    leifeng::on_tx!(&mut tx, c => sqlx::query("delete from assessment_snapshot_facts where campaign_id = $1")
        .bind(campaign).execute(&mut *c).await.map(|_| ()).unwrap());
    tx.commit().await.unwrap();
    let e = explain(&app, &unit_token, "unit", unit).await;
    assert_eq!(
        (e["frozen"].clone(), e["facts_frozen"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(e["teams"][0][0], team);
    // Its facts are today's records: a dispatch made since shows.
    dispatch(&app, &admin, team, "站前广场文明劝导").await;
    let now = explain(&app, &unit_token, "unit", unit).await;
    assert_eq!(now["dispatches"].as_array().unwrap().len(), 1, "{now}");
    assert_eq!(now["score"], e["score"], "the points stay frozen");
    let zh = page(&app, &unit_token, "unit", unit, "zh-CN").await;
    assert!(zh.contains("尚未冻结得分依据"), "{zh}");
    let en = page(&app, &unit_token, "unit", unit, "en").await;
    assert!(
        en.contains("closed before the facts behind the scores were frozen"),
        "{en}"
    );
}
