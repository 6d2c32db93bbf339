//! Every role × every resource action × inside / outside the role's scope, through the HTTP API.
//!
//! "Inside" and "outside" are fixed places in the demo district: 东湖街道 and its 春晓社区 (where the
//! street, community and unit accounts sit) against 西岭街道 and its 枫林社区.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, PASSWORD};

/// What each role may do: `Y`/`N` for actions without a place, two letters (inside, outside)
/// for those with one.
const TABLE: &[(&str, &str)] = &[
    ("admin", "streets list=Y view=YY create=Y update=YY delete=Y | communities list=Y view=YY create=YY update=YY delete=YY | units list=Y view=YY create=Y update=YY delete=Y | pairings list=Y view=YY create=YY delete=YY | users list=Y view=YY create=YY update=YY delete=YY | audit list=Y"),
    ("donghu", "streets list=Y view=YN create=N update=NN delete=N | communities list=Y view=YN create=YN update=YN delete=YN | units list=Y view=YN create=N update=NN delete=N | pairings list=Y view=YN create=NN delete=NN | users list=Y view=YN create=YN update=YN delete=YN | audit list=N"),
    ("chunxiao", "streets list=Y view=YN create=N update=NN delete=N | communities list=Y view=YN create=NN update=YN delete=NN | units list=Y view=YN create=N update=NN delete=N | pairings list=Y view=YN create=NN delete=NN | users list=Y view=YN create=NN update=NN delete=NN | audit list=N"),
    ("shuiwu", "streets list=N view=NN create=N update=NN delete=N | communities list=Y view=YN create=NN update=NN delete=NN | units list=Y view=YN create=N update=YN delete=N | pairings list=Y view=YN create=NN delete=NN | users list=Y view=NN create=NN update=NN delete=NN | audit list=N"),
    ("jiaojing", "streets list=Y view=YY create=N update=NN delete=N | communities list=Y view=YY create=NN update=NN delete=NN | units list=Y view=YY create=N update=NN delete=N | pairings list=N view=NN create=NN delete=NN | users list=Y view=NN create=NN update=NN delete=NN | audit list=N"),
    ("volunteer", "streets list=N view=NN create=N update=NN delete=N | communities list=N view=NN create=NN update=NN delete=NN | units list=N view=NN create=N update=NN delete=N | pairings list=N view=NN create=NN delete=NN | users list=Y view=NN create=NN update=NN delete=NN | audit list=N"),
];

/// The fixed places and objects the table speaks of.
struct Places {
    admin: String,
    street: [i64; 2],
    community: [i64; 2],
    unit: [i64; 2],
    pairing: [i64; 2],
    account: [i64; 2],
    /// A unit paired with neither 湖滨社区 nor 松涛社区, for new pairings.
    spare_unit: i64,
    spare_community: [i64; 2],
}

async fn places(app: &TestApp) -> Places {
    let admin = app.token("admin").await;
    let id = |list: &'static str, name: &'static str| {
        let admin = admin.clone();
        async move { app.find_id(&admin, list, "name", name).await }
    };
    let street = [
        id("/api/v1/streets", "东湖街道").await,
        id("/api/v1/streets", "西岭街道").await,
    ];
    let community = [
        id("/api/v1/communities", "春晓社区").await,
        id("/api/v1/communities", "枫林社区").await,
    ];
    let spare_community = [
        id("/api/v1/communities", "湖滨社区").await,
        id("/api/v1/communities", "松涛社区").await,
    ];
    let unit = [
        id("/api/v1/units", "明湖区税务局").await,
        id("/api/v1/units", "明湖区市场监督管理局").await,
    ];
    let pairing_of = |u: i64, c: i64| {
        let admin = admin.clone();
        async move {
            let page = app
                .get_json(&admin, &format!("/api/v1/pairings?unit_id={u}&community_id={c}"))
                .await;
            page["items"][0]["id"].as_i64().expect("demo pairing")
        }
    };
    let pairing = [
        pairing_of(unit[0], community[0]).await,
        pairing_of(unit[1], community[1]).await,
    ];
    let chunxiao = app.find_id(&admin, "/api/v1/users", "username", "chunxiao").await;
    let fenglin = app
        .new_account(
            &admin,
            "fenglin",
            "community_admin",
            json!({"community_id": community[1]}),
        )
        .await;
    let spare_unit = id("/api/v1/units", "明湖区图书馆").await;
    Places {
        admin,
        street,
        community,
        unit,
        pairing,
        account: [chunxiao, fenglin],
        spare_unit,
        spare_community,
    }
}

struct Counter(u32);

impl Counter {
    fn next(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

/// Performs one action as `token` and answers the status.
async fn perform(
    app: &TestApp,
    p: &Places,
    n: &mut Counter,
    token: &str,
    resource: &str,
    action: &str,
    i: usize,
) -> StatusCode {
    let admin = &p.admin;
    let k = n.next();
    let created_id = |res: reqwest::Response| async move {
        assert_eq!(res.status(), StatusCode::CREATED, "setup");
        res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    };
    let res = match (resource, action) {
        (r, "list") => app.get(token, &format!("/api/v1/{r}")).await,
        ("streets", "view") => app.get(token, &format!("/api/v1/streets/{}", p.street[i])).await,
        ("streets", "create") => {
            app.post(token, "/api/v1/streets", json!({"name": format!("新街道{k}")}))
                .await
        }
        ("streets", "update") => {
            let cur = app.get_json(admin, &format!("/api/v1/streets/{}", p.street[i])).await;
            app.put(token, &format!("/api/v1/streets/{}", p.street[i]), cur).await
        }
        ("streets", "delete") => {
            let id = created_id(
                app.post(admin, "/api/v1/streets", json!({"name": format!("待删街道{k}")}))
                    .await,
            )
            .await;
            app.delete(token, &format!("/api/v1/streets/{id}")).await
        }
        ("communities", "view") => app.get(token, &format!("/api/v1/communities/{}", p.community[i])).await,
        ("communities", "create") => {
            app.post(
                token,
                "/api/v1/communities",
                json!({"street_id": p.street[i], "name": format!("新社区{k}")}),
            )
            .await
        }
        ("communities", "update") => {
            let cur = app
                .get_json(admin, &format!("/api/v1/communities/{}", p.community[i]))
                .await;
            app.put(token, &format!("/api/v1/communities/{}", p.community[i]), cur)
                .await
        }
        ("communities", "delete") => {
            let body = json!({"street_id": p.street[i], "name": format!("待删社区{k}")});
            let id = created_id(app.post(admin, "/api/v1/communities", body).await).await;
            app.delete(token, &format!("/api/v1/communities/{id}")).await
        }
        ("units", "view") => app.get(token, &format!("/api/v1/units/{}", p.unit[i])).await,
        ("units", "create") => {
            app.post(
                token,
                "/api/v1/units",
                json!({"name": format!("新单位{k}"), "level": "city"}),
            )
            .await
        }
        ("units", "update") => {
            let cur = app.get_json(admin, &format!("/api/v1/units/{}", p.unit[i])).await;
            app.put(token, &format!("/api/v1/units/{}", p.unit[i]), cur).await
        }
        ("units", "delete") => {
            let id = created_id(
                app.post(
                    admin,
                    "/api/v1/units",
                    json!({"name": format!("待删单位{k}"), "level": "city"}),
                )
                .await,
            )
            .await;
            app.delete(token, &format!("/api/v1/units/{id}")).await
        }
        ("pairings", "view") => app.get(token, &format!("/api/v1/pairings/{}", p.pairing[i])).await,
        ("pairings", "create") => {
            let unit = created_id(
                app.post(
                    admin,
                    "/api/v1/units",
                    json!({"name": format!("结对单位{k}"), "level": "city"}),
                )
                .await,
            )
            .await;
            app.post(
                token,
                "/api/v1/pairings",
                json!({"unit_id": unit, "community_id": p.spare_community[i]}),
            )
            .await
        }
        ("pairings", "delete") => {
            let unit = created_id(
                app.post(
                    admin,
                    "/api/v1/units",
                    json!({"name": format!("解对单位{k}"), "level": "city"}),
                )
                .await,
            )
            .await;
            let body = json!({"unit_id": unit, "community_id": p.community[i]});
            let id = created_id(app.post(admin, "/api/v1/pairings", body).await).await;
            app.delete(token, &format!("/api/v1/pairings/{id}")).await
        }
        ("users", "view") => app.get(token, &format!("/api/v1/users/{}", p.account[i])).await,
        ("users", "create") => {
            let body = json!({"username": format!("new{k}"), "role": "community_admin", "community_id": p.community[i], "password": PASSWORD});
            app.post(token, "/api/v1/users", body).await
        }
        ("users", "update") => {
            let cur = app.get_json(admin, &format!("/api/v1/users/{}", p.account[i])).await;
            app.put(token, &format!("/api/v1/users/{}", p.account[i]), cur).await
        }
        ("users", "delete") => {
            let body = json!({"username": format!("gone{k}"), "role": "community_admin", "community_id": p.community[i], "password": PASSWORD});
            let id = created_id(app.post(admin, "/api/v1/users", body).await).await;
            app.delete(token, &format!("/api/v1/users/{id}")).await
        }
        other => panic!("no such case {other:?}"),
    };
    let _ = p.spare_unit;
    res.status()
}

#[tokio::test]
async fn every_role_every_action_inside_and_outside_its_scope() {
    let app = spawn_app().await;
    let p = places(&app).await;
    let mut n = Counter(0);
    let mut failures = vec![];
    let mut checked = 0;
    for (user, spec) in TABLE {
        let token = app.token(user).await;
        for group in spec.split('|') {
            let mut words = group.split_whitespace();
            let resource = words.next().unwrap();
            for word in words {
                let (action, expect) = word.split_once('=').unwrap();
                for (i, e) in expect.chars().enumerate() {
                    let status = perform(&app, &p, &mut n, &token, resource, action, i).await;
                    let allowed = e == 'Y';
                    let ok = if allowed {
                        status.is_success()
                    } else {
                        status == StatusCode::FORBIDDEN
                    };
                    checked += 1;
                    if !ok {
                        let place = if expect.len() == 1 {
                            ""
                        } else if i == 0 {
                            " inside"
                        } else {
                            " outside"
                        };
                        failures.push(format!(
                            "{user}: {resource} {action}{place}: expected {}, got {status}",
                            if allowed { "success" } else { "403" }
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 150, "{checked}");
}

#[tokio::test]
async fn lists_show_only_the_scope() {
    let app = spawn_app().await;
    let names = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect()
    };
    let street = app.token("donghu").await;
    let communities = names(app.get_json(&street, "/api/v1/communities?per_page=100").await);
    assert_eq!(communities.len(), 5);
    assert!(communities.contains(&"春晓社区".to_string()) && !communities.contains(&"枫林社区".to_string()));
    // A street's own filter cannot widen the scope.
    let admin = app.token("admin").await;
    let xiling = app.find_id(&admin, "/api/v1/streets", "name", "西岭街道").await;
    assert_eq!(
        app.get_json(&street, &format!("/api/v1/communities?street_id={xiling}"))
            .await["total"],
        0
    );

    let unit = app.token("shuiwu").await;
    let communities = names(app.get_json(&unit, "/api/v1/communities").await);
    let mut sorted = communities.clone();
    sorted.sort();
    assert_eq!(sorted, vec!["岭南社区", "春晓社区"]);
    assert_eq!(names(app.get_json(&unit, "/api/v1/units").await), vec!["明湖区税务局"]);

    let community = app.token("chunxiao").await;
    assert_eq!(
        names(app.get_json(&community, "/api/v1/communities").await),
        vec!["春晓社区"]
    );
    assert_eq!(
        names(app.get_json(&community, "/api/v1/streets").await),
        vec!["东湖街道"]
    );

    let police = app.token("jiaojing").await;
    assert_eq!(app.get_json(&police, "/api/v1/units").await["total"], 30);

    let volunteer = app.token("volunteer").await;
    let me = app.get_json(&volunteer, "/api/v1/users").await;
    assert_eq!(me["total"], 1);
    assert_eq!(me["items"][0]["username"], "volunteer");
}

/// Objects named in a request's body or query, not its path: `Y`/`N` for an object inside and
/// one outside the caller's scope (refused is 403 or 422, with nothing written).
const BODY_TABLE: &[(&str, &str, &str)] = &[
    ("shuiwu", "signup of a volunteer", "YN"),
    ("admin", "signup of a volunteer", "YN"),
    ("shuiwu", "bulk sign-in of a volunteer", "YN"),
    ("admin", "bulk sign-in of a volunteer", "YN"),
    ("chunxiao", "team list narrowed to a community", "YN"),
    ("shuiwu", "activity placed in a community", "YN"),
    ("shuiwu", "activity co-organised by a team", "YN"),
    ("donghu", "monthly figures of a street", "YN"),
    ("shuiwu", "monthly figures of a unit", "YN"),
];

#[tokio::test]
async fn objects_named_in_a_body_or_query_are_checked_against_the_callers_scope() {
    use leifeng::domain::service::format_local;
    let app = spawn_app().await;
    let p = places(&app).await;
    let unit = app.token("shuiwu").await;
    let community = app.token("chunxiao").await;
    let new_team = |token: String, name: &'static str| {
        let app = &app;
        async move {
            let body = json!({"name": name, "leader_name": "李负责", "leader_phone": "13811112222", "contact_name": "张联络", "contact_phone": "13811113333", "categories": "1"});
            let res = app.post(&token, "/api/v1/teams", body).await;
            res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let ours = app.get_json(&unit, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let ours2 = new_team(unit.clone(), "第二队").await;
    let theirs = new_team(community.clone(), "春晓第二队").await;
    let member = |token: String, team: i64, name: &'static str, phone: &'static str| {
        let app = &app;
        async move {
            let res = app
                .post(
                    &token,
                    &format!("/api/v1/teams/{team}/members"),
                    json!({"name": name, "phone": phone, "consent": "true"}),
                )
                .await;
            res.json::<Value>().await.unwrap()["volunteer_id"].as_i64().unwrap()
        }
    };
    let mine = member(unit.clone(), ours, "本队甲", "13600010001").await;
    let stranger = member(community.clone(), theirs, "外队乙", "13600010002").await;
    let now = leifeng::db::now();
    let body = json!({"team_id": ours, "title": "范围表活动", "category": "public_affairs", "dimension": "environment",
        "form": "scattered", "address": "某处", "starts_at": format_local(now - 600), "ends_at": format_local(now + 7200),
        "capacity": 50, "open_to": "all"});
    let live = app
        .post(&unit, "/api/v1/activities", body)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.post(
        &unit,
        &format!("/api/v1/activities/{live}/status"),
        json!({"action": "publish"}),
    )
    .await;

    let mut failures = vec![];
    for (user, case, expect) in BODY_TABLE {
        let token = app.token(user).await;
        for (i, e) in expect.chars().enumerate() {
            let volunteer = [mine, stranger][i];
            let res = match *case {
                "signup of a volunteer" => {
                    app.post(
                        &token,
                        &format!("/api/v1/activities/{live}/signups"),
                        json!({"volunteer_id": volunteer}),
                    )
                    .await
                }
                "bulk sign-in of a volunteer" => {
                    app.post(
                        &token,
                        &format!("/api/v1/activities/{live}/attendance"),
                        json!({"volunteer_ids": [volunteer], "action": "sign_in"}),
                    )
                    .await
                }
                "team list narrowed to a community" => {
                    app.get(&token, &format!("/api/v1/teams?community_id={}", p.community[i]))
                        .await
                }
                "activity placed in a community" => {
                    let body = json!({"team_id": ours, "title": "放在社区", "category": "public_affairs", "dimension": "environment",
                        "form": "scattered", "address": "某处", "starts_at": format_local(now + 86400),
                        "ends_at": format_local(now + 90000), "capacity": 5, "community_id": p.community[i]});
                    app.post(&token, "/api/v1/activities", body).await
                }
                "activity co-organised by a team" => {
                    let co_team = [ours2, theirs][i];
                    let body = json!({"team_id": ours, "title": "合办", "category": "public_affairs", "dimension": "environment",
                        "form": "scattered", "address": "某处", "starts_at": format_local(now + 86400),
                        "ends_at": format_local(now + 90000), "capacity": 5, "co_team_ids": [co_team]});
                    app.post(&token, "/api/v1/activities", body).await
                }
                "monthly figures of a street" => {
                    app.get(&token, &format!("/api/v1/stats/monthly?street_id={}", p.street[i]))
                        .await
                }
                "monthly figures of a unit" => {
                    app.get(&token, &format!("/api/v1/stats/monthly?unit_id={}", p.unit[i]))
                        .await
                }
                other => panic!("no such case {other}"),
            };
            let status = res.status();
            let ok = if e == 'Y' {
                status.is_success()
            } else {
                matches!(status, StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY)
            };
            if !ok {
                let place = if i == 0 { "inside" } else { "outside" };
                failures.push(format!("{user}: {case} {place}: expected {e}, got {status}"));
            }
        }
    }
    // Nothing of the refused ones was written: the outsider is on no list of ours.
    let listed = app.get_json(&unit, &format!("/api/v1/activities/{live}/signups")).await;
    assert!(!listed.to_string().contains("外队乙"), "{listed}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
