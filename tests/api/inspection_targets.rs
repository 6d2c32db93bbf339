//! The new-inspection page offers an activity as what is inspected: its teams' recent
//! activities and a search, within the inspector's scope only.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

fn today() -> String {
    leifeng::domain::campaign::today()
}

/// The `activity:ID` options of the new-inspection page, with their labels.
fn activity_options(html: &str) -> Vec<(i64, String)> {
    html.split("<option value=\"activity:")
        .skip(1)
        .filter_map(|s| {
            let id = s[..s.find('"')?].parse().ok()?;
            let label = &s[s.find('>')? + 1..s.find("</option>")?];
            Some((id, label.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn an_inspector_picks_an_activity_on_the_new_inspection_page() {
    let app = spawn_app().await;
    let (web, csrf) = app.web_login("donghu").await;
    let page = web.get(app.url("/inspections/new")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"activity_q\""), "a search for activities");
    let offered = activity_options(&html);
    assert!(!offered.is_empty() && offered.len() <= 30, "{offered:?}");
    // The search narrows the list to activities whose title matches.
    let (id, label) = offered[0].clone();
    let word: String = label.split(" · ").nth(1).unwrap().chars().take(4).collect();
    let q = leifeng::web::urlencode(&word);
    let html = web
        .get(app.url(&format!("/inspections/new?activity_q={q}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let found = activity_options(&html);
    assert!(found.iter().any(|(a, _)| *a == id), "{word}: {found:?}");
    let none = web
        .get(app.url("/inspections/new?activity_q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E6%B4%BB%E5%8A%A8"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(activity_options(&none).is_empty());

    // Planned from the page: the inspection is of the activity, answered by its team's unit.
    let res = web
        .post(app.url("/inspections"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("target", &format!("activity:{id}")),
            ("announced", "false"),
            ("planned_on", &today()),
            ("inspectors", "李建华"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let iid: i64 = to.trim_start_matches("/inspections/").parse().unwrap();
    let street = app.token("donghu").await;
    let i = app.get_json(&street, &format!("/api/v1/inspections/{iid}")).await;
    assert_eq!(i["target_kind"], "activity");
    assert_eq!(i["target_id"], id);

    // Another street's activity is not offered, and is refused when posted anyway: one of
    // 明湖区市场监督管理局's team (it serves only a community of 西岭街道).
    let admin = app.token("admin").await;
    let other = app
        .find_id(&admin, "/api/v1/units", "name", "明湖区市场监督管理局")
        .await;
    app.new_account(&admin, "shijianju", "unit_admin", json!({"unit_id": other}))
        .await;
    let theirs = app.token("shijianju").await;
    let team = app.new_team(&theirs, "市场监管志愿服务队").await;
    let foreign = app.activity(&theirs, team, 86_400, 90_000, json!({}), false).await;
    let html = web
        .get(app.url("/inspections/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!activity_options(&html).iter().any(|(a, _)| *a == foreign));
    let res = web
        .post(app.url("/inspections"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("target", &format!("activity:{foreign}")),
            ("planned_on", &today()),
            ("inspectors", "李建华"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
