//! The public site: `/` for anyone not signed in, the district's figures (equal to a recount from
//! the records), the filtered list of activities, reports with their photos, the certificate
//! check; hostile query values, personal data and photos that are not public.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app, TestApp};

/// The headline figures counted again here, in a way of their own: the kept figures brought up to
/// date first (as the job does), then the year's held (published or completed) activities and every
/// confirmed sign-in's minutes read and added up in Rust; volunteers on rosters and teams as the
/// district's figures (`GET /api/v1/stats`) give them.
async fn recount(app: &TestApp) -> (i64, i64, i64, f64) {
    leifeng::features::stats::service::refresh(&app.db, 0).await.unwrap();
    let db = &app.db;
    let campaign: i64 = async {
        leifeng::on_db!(db, pool => sqlx::query_scalar("select id from campaigns where active").fetch_one(pool).await)
    }
    .await
    .unwrap();
    let acts: Vec<(i64, String)> = async {
        leifeng::on_db!(db, pool => sqlx::query_as("select id, status from activities where campaign_id = $1")
            .bind(campaign).fetch_all(pool).await)
    }
    .await
    .unwrap();
    let held: std::collections::HashSet<i64> = acts
        .iter()
        .filter(|a| a.1 == "published" || a.1 == "completed")
        .map(|a| a.0)
        .collect();
    let lines: Vec<(i64, Option<i64>, Option<i64>)> = async {
        leifeng::on_db!(db, pool => sqlx::query_as("select activity_id, minutes, confirmed_at from attendance").fetch_all(pool).await)
    }.await.unwrap();
    let minutes: i64 = lines
        .iter()
        .filter(|l| held.contains(&l.0) && l.2.is_some())
        .filter_map(|l| l.1)
        .sum();
    let admin = app.token("admin").await;
    let stats = app.get_json(&admin, "/api/v1/stats").await;
    let total = |key: &str| {
        stats["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["dim"] == "total" && f["key"] == key)
            .map(|f| f["people"].as_i64().unwrap())
            .unwrap_or(0)
    };
    (
        total("volunteers"),
        total("teams"),
        held.len() as i64,
        (minutes as f64 / 60.0 * 100.0).round() / 100.0,
    )
}

#[tokio::test]
async fn anyone_sees_the_public_home_with_the_districts_figures_and_staff_keep_their_workbench() {
    let app = spawn_app().await;
    // Not signed in: `/` is the public home, not the sign-in page.
    let res = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Attribute values from variables come HTML-escaped (`/` as `&#x2f;`).
    let html = res.text().await.unwrap().replace("&#x2f;", "/");
    for needle in [
        "property=\"og:title\"",
        "property=\"og:image\"",
        "og.png",
        "href=\"/needs/wall\"",
        "href=\"/needs/ask\"",
        "href=\"/honours\"",
        "href=\"/verify\"",
        "href=\"/login?next=",
    ] {
        assert!(html.contains(needle), "{needle} on the public home");
    }
    let og = app.http.get(app.url("/static/og.png")).send().await.unwrap();
    assert_eq!(og.headers()["content-type"], "image/png");
    assert!(og.bytes().await.unwrap().starts_with(b"\x89PNG"));

    // The figures are those of a recount from the records.
    let home: Value = app
        .http
        .get(app.url("/api/v1/public/home"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let f = &home["figures"];
    let (volunteers, teams, activities, hours) = recount(&app).await;
    assert_eq!(f["volunteers"].as_i64(), Some(volunteers));
    assert_eq!(f["teams"].as_i64(), Some(teams));
    assert_eq!(f["activities"].as_i64(), Some(activities));
    assert_eq!(f["hours"].as_f64(), Some(hours));
    assert!(hours > 0.0 && activities > 0, "the demo has a year behind it");
    assert!(html.contains(&format!("<dd>{}</dd>", volunteers)));
    // The demo shows reports, with photos that say what they show.
    let reports = home["reports"].as_array().unwrap();
    assert!(!reports.is_empty());
    assert!(reports
        .iter()
        .any(|r| r["cover_photo"].is_i64() && !r["cover_alt"].as_str().unwrap().is_empty()));

    // A new confirmed fact moves the figure: the recount and the home still agree.
    let unit = app.token("shuiwu").await;
    let team = app.get_json(&unit, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    app.activity(&unit, team, 3 * 86400, 3 * 86400 + 3600, json!({}), false)
        .await;
    let home: Value = app
        .http
        .get(app.url("/api/v1/public/home"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(home["figures"]["teams"].as_i64(), Some(recount(&app).await.1));
    assert!(!home["upcoming"].as_array().unwrap().is_empty());

    // Signed in: `/` is still the workbench, with a link to the public site, which stays open.
    let (c, _) = app.web_login("admin").await;
    let work = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(work.contains("href=\"/site\""), "a link to the public site");
    assert!(!work.contains("og:title"), "the workbench, not the public home");
    let site = c.get(app.url("/site")).send().await.unwrap();
    assert_eq!(site.status(), StatusCode::OK);
    assert!(site.text().await.unwrap().contains("og:title"));

    // Both languages.
    let en = app
        .http
        .get(app.url("/site"))
        .header("cookie", "lf_lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Registered volunteers"));
}

#[tokio::test]
async fn the_public_list_filters_and_refuses_hostile_values_cleanly() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let team = app.get_json(&unit, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let community = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;
    let day = leifeng::domain::dates::local(leifeng::db::now() + 5 * 86400)
        .format("%Y-%m-%d")
        .to_string();
    let id = app
        .activity(
            &unit,
            team,
            5 * 86400,
            5 * 86400 + 7200,
            json!({"category": "emergency", "community_id": community, "leader_name": "测试队长", "leader_phone": "13912345678"}),
            false,
        )
        .await;
    let draft = app
        .activity(
            &unit,
            team,
            5 * 86400,
            5 * 86400 + 7200,
            json!({"category": "emergency"}),
            true,
        )
        .await;
    let ids = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let get = |q: String| {
        let app = &app;
        async move {
            app.http
                .get(app.url(&format!("/api/v1/public/activities?{q}")))
                .send()
                .await
                .unwrap()
        }
    };

    let all: Value = get(format!("category=emergency&from={day}&to={day}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(ids(&all).contains(&id));
    assert!(!ids(&all).contains(&draft), "a draft is not public");
    let item = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(item["community_id"].as_i64(), Some(community));
    assert!(item.get("leader_phone").is_none() && item.get("leader_name").is_none());
    let street = item["street_id"].as_i64().unwrap();
    for (q, expect) in [
        (format!("community_id={community}"), true),
        (format!("street_id={street}&community_id={community}"), true),
        (format!("street_id={}", street + 1000), false),
        ("category=traffic".to_string(), false),
        (format!("to={day}"), true),
        ("from=2000-01-01&to=2000-01-02".to_string(), false),
        // Ids that are no number find nothing; a page past the end is empty.
        ("community_id=abc".to_string(), false),
        ("street_id=1%20or%201=1".to_string(), false),
        ("page=99999".to_string(), false),
        ("page=-3".to_string(), true),
    ] {
        let res = get(q.clone()).await;
        assert_eq!(res.status(), StatusCode::OK, "{q}");
        assert_eq!(ids(&res.json().await.unwrap()).contains(&id), expect, "{q}");
    }
    // Values that are no category or no date are refused naming the field.
    for (q, field) in [
        ("category=%3Cscript%3Ealert(1)%3C/script%3E", "category"),
        ("from=2026-13-45", "from"),
        ("to=yesterday", "to"),
        ("from=2026-06-10&to=2026-06-01", "to"),
    ] {
        let res = get(q.to_string()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(error_fields(&res.json().await.unwrap()), vec![field], "{q}");
        // The page says the same next to the field, escaped, with no 500.
        let page = app
            .http
            .get(app.url(&format!("/site/activities?{q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("class=\"field-error\"") && !html.contains("<script>alert"),
            "{q}"
        );
    }
    let page = app
        .http
        .get(app.url(&format!("/site/activities?community_id={community}&category=emergency")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/activities/{id}\"")), "a way to sign up");
    for q in ["street_id=%00", "page=abc", "from=%E2%80%AE", "category=", "x=1"] {
        let res = app
            .http
            .get(app.url(&format!("/site/activities?{q}")))
            .send()
            .await
            .unwrap();
        assert!(
            res.status() == StatusCode::OK
                || res.status() == StatusCode::UNPROCESSABLE_ENTITY
                || res.status() == StatusCode::BAD_REQUEST,
            "{q}: {}",
            res.status()
        );
    }
}

/// 11-digit mainland mobile numbers and 18-character ID numbers, standing alone.
fn personal_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = vec![];
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == 'X') {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let before = start.checked_sub(1).map(|j| chars[j]);
            let glued = before.is_some_and(|c| c.is_ascii_alphanumeric());
            let mobile = run.len() == 11 && run.starts_with('1') && run.chars().all(|c| c.is_ascii_digit());
            if !glued && (mobile || run.len() == 18) {
                found.push(run);
            }
        } else {
            i += 1;
        }
    }
    found
}

#[tokio::test]
async fn nothing_personal_is_public_and_only_reports_photos_are_served_to_anyone() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.get_json(&unit, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    app.activity(
        &unit,
        team,
        2 * 86400,
        2 * 86400 + 3600,
        json!({"leader_phone": "13912345678"}),
        false,
    )
    .await;
    let reports: Value = app
        .http
        .get(app.url("/api/v1/public/reports"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let report = reports["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cover_photo"].is_i64())
        .unwrap()
        .clone();
    let rid = report["id"].as_i64().unwrap();
    let mut pages = vec![];
    for path in [
        "/".to_string(),
        "/site/activities".to_string(),
        "/reports".to_string(),
        format!("/reports/{rid}"),
        "/verify".to_string(),
        "/api/v1/public/home".to_string(),
        "/api/v1/public/activities".to_string(),
        "/api/v1/public/reports".to_string(),
        format!("/api/v1/public/reports/{rid}"),
    ] {
        let res = app.http.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let body = res.text().await.unwrap();
        assert!(
            personal_numbers(&body).is_empty(),
            "{path}: {:?}",
            personal_numbers(&body)
        );
        pages.push(body);
    }
    assert!(pages[5].contains("\"upcoming\""));
    // The report's page shows its photos with their text alternatives.
    let detail: Value = serde_json::from_str(&pages[8]).unwrap();
    let photo = detail["photos"][0].clone();
    let alt = photo["alt_text"].as_str().unwrap();
    assert!(!alt.is_empty());
    assert!(pages[3].contains(&format!("alt=\"{alt}\"")));
    let url = format!("/activities/{rid}/photos/{}", photo["id"]);
    let img = app.http.get(app.url(&url)).send().await.unwrap();
    assert_eq!(img.status(), StatusCode::OK);
    assert!(img.headers()["cache-control"].to_str().unwrap().starts_with("public"));

    // A photo of an activity that is not a public report (a draft here, stored directly) stays
    // behind the activity's access check, and is no report.
    let draft = app
        .activity(&unit, team, 2 * 86400, 2 * 86400 + 3600, json!({}), true)
        .await;
    let published = app
        .activity(&unit, team, 2 * 86400, 2 * 86400 + 3600, json!({}), false)
        .await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82".to_vec();
    for a in [draft, published] {
        let mut tx = app.db.begin().await.unwrap();
        let pid: i64 = leifeng::on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into activity_photos (activity_id, content_type, size, data, created_at, alt_text)
             values ($1, 'image/png', 10, $2, 0, 'x') returning id")
            .bind(a).bind(png.clone()).fetch_one(&mut *c).await.unwrap());
        tx.commit().await.unwrap();
        let res = app
            .http
            .get(app.url(&format!("/activities/{a}/photos/{pid}")))
            .send()
            .await
            .unwrap();
        if a == draft {
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "a draft's photo");
        } else {
            assert!(
                res.headers()["cache-control"].to_str().unwrap().starts_with("private"),
                "not completed: private"
            );
        }
        for path in [format!("/reports/{a}"), format!("/api/v1/public/reports/{a}")] {
            let res = app.http.get(app.url(&path)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
    // Another activity's photo under the report's path is not found.
    let res = app
        .http
        .get(app.url(&format!("/activities/{rid}/photos/999999")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_certificate_check_sends_a_number_to_its_page_and_never_off_the_site() {
    let app = spawn_app().await;
    let form = app.http.get(app.url("/verify")).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains("name=\"number\""));
    let res = app
        .http
        .get(app.url("/verify?number=%20LFC2026ABC-12_x%20"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/verify/LFC2026ABC-12_x");
    for evil in [
        "//evil.example",
        "https://evil.example",
        "%2F%2Fevil.example",
        "x%0d%0aSet-Cookie:%20a=b",
        "..%2F..%2Flogout",
        "%5C%5Cevil.example",
    ] {
        let res = app
            .http
            .get(app.url(&format!("/verify?number={evil}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{evil}");
        assert!(res.headers().get("location").is_none(), "{evil}");
        assert!(res.text().await.unwrap().contains("class=\"field-error\""));
    }
    // Rate-limited like the other public lookups.
    let mut limited = false;
    for _ in 0..40 {
        let res = app.http.get(app.url("/verify?number=LFC1")).send().await.unwrap();
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
    }
    assert!(limited, "the certificate check is rate-limited");
}
