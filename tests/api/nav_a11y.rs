//! The menu in sections, the icon, uploads that keep the CSRF token out of the address, labels in
//! English, and the demo's activities in daytime.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_menu_has_at_most_seven_sections_and_only_what_the_role_may_open() {
    let app = spawn_app().await;
    for (user, sections) in [
        ("admin", 7),
        ("donghu", 7),
        ("shuiwu", 6),
        ("jiaojing", 4),
        ("volunteer", 2),
    ] {
        let (c, _) = app.web_login(user).await;
        let html = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        let nav = &html[html.find("<nav aria-label=").unwrap()..html.find("</nav>").unwrap()];
        let top =
            nav.matches("<li><details class=\"section\"").count() + nav.matches("<li><a class=\"section\"").count();
        assert_eq!(top, sections, "{user}");
        assert!(html.contains("class=\"skip\" href=\"#main\""), "{user}: a skip link");
        assert!(html.contains("class=\"header-tools\""), "{user}: the slot for the bell");
        assert!(html.contains("<meta name=\"description\""), "{user}: a description");
    }
}

#[tokio::test]
async fn the_icon_is_served() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/x-icon");
    assert_eq!(&res.bytes().await.unwrap()[..4], &[0, 0, 1, 0]);
}

#[tokio::test]
async fn an_upload_carries_its_csrf_token_in_the_form_not_the_address() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "上传测试队").await;
    let (browser, csrf) = app.web_login("shuiwu").await;
    let page = browser
        .get(app.url(&format!("/teams/{team}/roster/import")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("?csrf="), "no token in a form's address");
    let upload = |token: Option<&str>| {
        let mut form = Form::new();
        if let Some(t) = token {
            form = form.text("csrf", t.to_string());
        }
        form.part("file", Part::bytes(b"not a workbook".to_vec()).file_name("x.xlsx"))
    };
    // With the token as the form's first field the upload is read (and refused for its content).
    let res = browser
        .post(app.url(&format!("/teams/{team}/roster/import")))
        .multipart(upload(Some(&csrf)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Without it, or with another, it is refused before it is read.
    for token in [None, Some("forged")] {
        let res = browser
            .post(app.url(&format!("/teams/{team}/roster/import")))
            .multipart(upload(token))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{token:?}");
    }
}

#[tokio::test]
async fn english_pages_name_audit_entries_and_fixed_lists_in_english() {
    let app = spawn_app().await;
    let (c, csrf) = app.web_login("admin").await;
    let res = c
        .post(app.url("/lang"))
        .form(&[("csrf", csrf.as_str()), ("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let audit = c.get(app.url("/audit")).send().await.unwrap().text().await.unwrap();
    for raw in ["audit.action.", "audit.type."] {
        assert!(!audit.contains(raw), "a raw key on /audit: {raw}");
    }
    let new = c
        .get(app.url("/activities/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (zh, en) in [("公共事务服务", "Public affairs"), ("秩序好", "Good order")] {
        assert!(!new.contains(zh) && new.contains(en), "{zh} → {en}");
    }
    assert!(
        new.contains("lang=\"zh-CN\">中文</button>"),
        "the other language is marked"
    );
}

#[tokio::test]
async fn the_demo_activities_are_in_daytime_except_the_one_under_way() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let now = chrono::Utc::now().timestamp();
    for when in ["upcoming", "past"] {
        let page = app
            .get_json(&admin, &format!("/api/v1/activities?when={when}&per_page=500"))
            .await;
        for a in page["items"].as_array().unwrap() {
            let (starts, ends) = (a["starts_at"].as_i64().unwrap(), a["ends_at"].as_i64().unwrap());
            if starts <= now + 3600 && now < ends {
                continue;
            }
            let hour = chrono::Timelike::hour(&leifeng::domain::dates::local(starts));
            assert!((7..=18).contains(&hour), "{} starts at {hour}:00", a["title"]);
        }
    }
}
