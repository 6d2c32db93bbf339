//! The web pages: each role's home, forms with errors next to fields, delete confirmations.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_role_gets_a_home_page_with_its_own_menu() {
    let app = spawn_app().await;
    for (user, sees, not) in [
        ("admin", vec!["/audit", "/users", "/streets"], vec![]),
        ("donghu", vec!["/communities", "/users", "/streets"], vec!["/audit"]),
        ("chunxiao", vec!["/communities", "/units"], vec!["/audit", "/users\""]),
        (
            "shuiwu",
            vec!["/units", "/pairings"],
            vec!["/audit", "href=\"/streets\""],
        ),
        (
            "jiaojing",
            vec!["/units", "/communities"],
            vec!["/pairings\"", "/audit"],
        ),
        ("volunteer", vec![], vec!["/units\"", "/communities\"", "/audit"]),
    ] {
        let (c, _) = app.web_login(user).await;
        let res = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{user}");
        let html = res.text().await.unwrap().replace("&#x2f;", "/");
        for s in sees {
            assert!(html.contains(s), "{user} should see {s}");
        }
        for s in not {
            assert!(!html.contains(s), "{user} should not see {s}");
        }
    }
}

#[tokio::test]
async fn a_form_with_errors_comes_back_with_the_message_next_to_the_field() {
    let app = spawn_app().await;
    let (c, csrf) = app.web_login("admin").await;
    let res = c
        .post(app.url("/units"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "明湖区税务局"),
            ("level", "city"),
            ("contact_phone", "12-34"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("电话号码格式不对"), "phone error shown");
    assert!(html.contains("value=\"明湖区税务局\""), "typed values kept");
    // The duplicate name is reported once the phone is fixed.
    let res = c
        .post(app.url("/units"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "明湖区税务局"),
            ("level", "city"),
            ("contact_phone", "13800001111"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("已有同名文明单位"));
    let res = c
        .post(app.url("/units"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "明湖区档案馆"),
            ("level", "city"),
            ("contact_phone", "13800001111"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = c
        .get(app.url("/units?q=档案馆"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("明湖区档案馆") && html.contains("已保存"));
}

#[tokio::test]
async fn deleting_asks_first_and_explains_a_refusal() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let street = app.find_id(&admin, "/api/v1/streets", "name", "东湖街道").await;
    let (c, csrf) = app.web_login("admin").await;
    let res = c
        .get(app.url(&format!("/streets/{street}/delete")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("东湖街道"));
    let res = c
        .post(app.url(&format!("/streets/{street}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("5 个社区"));
}

#[tokio::test]
async fn list_pages_search_and_paginate() {
    let app = spawn_app().await;
    let (c, _) = app.web_login("admin").await;
    let html = c.get(app.url("/units")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("(30)") && html.contains("1 / 2"), "30 units, 20 a page");
    let html = c
        .get(app.url("/units?page=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("2 / 2"));
    let html = c
        .get(app.url("/units?q=医院"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("明湖区人民医院") && !html.contains("明湖区税务局"));
    let html = c
        .get(app.url("/units?q=不存在的名字"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("没有符合条件的记录"));
}

#[tokio::test]
async fn an_unauthorised_page_says_so_in_the_users_language() {
    let app = spawn_app().await;
    let (c, _) = app.web_login("volunteer").await;
    let res = c.get(app.url("/units")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("没有权限"));
}
