//! The concentrated-day calendar (附件5): third Saturdays, moves with a reason, themes, exports.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app};

#[tokio::test]
async fn the_calendar_is_the_third_saturday_of_each_month_and_moves_only_with_a_reason() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let days = app.get_json(&admin, "/api/v1/calendar").await;
    let days = days["items"].as_array().unwrap();
    let year = app.get_json(&admin, "/api/v1/campaigns/active").await["year"]
        .as_i64()
        .unwrap() as i32;
    assert_eq!(days.len(), 8, "May to December");
    for d in days {
        let date = chrono::NaiveDate::parse_from_str(d["day"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        use chrono::Datelike;
        assert_eq!(date.weekday(), chrono::Weekday::Sat);
        assert!((15..=21).contains(&date.day()), "{date}");
        assert_eq!(date.year(), year);
    }
    let october = days.iter().find(|d| d["month"] == 10).unwrap();
    let planned = october["day"].as_str().unwrap().to_string();
    let moved = format!("{year}-10-24");
    let res = app.put(&admin, "/api/v1/calendar/10", json!({"day": moved})).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app
        .put(
            &admin,
            "/api/v1/calendar/10",
            json!({"day": format!("{year}-11-01"), "reason": "x"}),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["details"][0]["code"],
        "err.calendar_month"
    );
    let res = app
        .put(
            &admin,
            "/api/v1/calendar/10",
            json!({"day": moved, "reason": "国庆假期后顺延", "theme": "敬老月·助老服务"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let d: Value = res.json().await.unwrap();
    assert_eq!(
        (d["day"].as_str(), d["planned_day"].as_str(), d["theme"].as_str()),
        (Some(moved.as_str()), Some(planned.as_str()), Some("敬老月·助老服务"))
    );
    let street = app.token("donghu").await;
    assert_eq!(
        app.put(&street, "/api/v1/calendar/10", json!({"theme": "x"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // The iCalendar feed is public, for phones to subscribe to; the form exports as .xlsx.
    let ics = app.http.get(app.url("/calendar.ics")).send().await.unwrap();
    assert!(ics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let body = ics.text().await.unwrap();
    assert_eq!(body.matches("BEGIN:VEVENT").count(), 8);
    assert!(body.contains(&format!("DTSTART;VALUE=DATE:{}", moved.replace('-', ""))));
    assert!(body.contains("敬老月·助老服务") && body.contains("国庆假期后顺延"));
    let xlsx = app.get(&street, "/calendar.xlsx").await;
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let log = app.get_json(&admin, "/api/v1/audit?object_type=calendar").await;
    assert!(log["items"].as_array().unwrap().iter().any(|e| e["action"] == "update"));
}
