//! The campaign year, continued: check-ins through the street to the community and the plans,
//! masking, sign-up through an invitation, the board, hostile uploads, the registration form and
//! the traffic list as Excel, a sign-up matching only by name and phone.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

use crate::campaign::{members, person, upload};
use crate::helpers::{error_fields, spawn_app};
use leifeng::demo::resident_id;

#[tokio::test]
async fn a_check_in_goes_through_the_street_to_the_community_and_the_plan_follows() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let street = app.token("donghu").await;
    let community = app.token("chunxiao").await;
    let admin = app.token("admin").await;
    let team = app.new_team(&unit, "报到测试队").await;
    let chunxiao = app.find_id(&admin, "/api/v1/communities", "name", "春晓社区").await;
    let fenglin = app.find_id(&admin, "/api/v1/communities", "name", "枫林社区").await;
    let res = app
        .post(
            &unit,
            "/api/v1/checkins",
            json!({"team_id": team, "community_id": fenglin}),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["details"][0]["code"],
        "err.checkin_not_paired"
    );
    let res = app
        .post(
            &unit,
            "/api/v1/checkins",
            json!({"team_id": team, "community_id": chunxiao}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let k: Value = res.json().await.unwrap();
    let id = k["id"].as_i64().unwrap();
    assert_eq!(k["status"], "filed");
    assert_eq!(
        app.post(
            &unit,
            "/api/v1/checkins",
            json!({"team_id": team, "community_id": chunxiao})
        )
        .await
        .status(),
        StatusCode::CONFLICT
    );

    let confirm = json!({"step": "confirm"});
    assert_eq!(
        app.post(&community, &format!("/api/v1/checkins/{id}/move"), confirm.clone())
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post(
            &unit,
            &format!("/api/v1/checkins/{id}/move"),
            json!({"step": "forward"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &street,
            &format!("/api/v1/checkins/{id}/move"),
            json!({"step": "forward"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    let res = app
        .post(
            &community,
            &format!("/api/v1/checkins/{id}/move"),
            json!({"step": "return"}),
        )
        .await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app
        .post(&community, &format!("/api/v1/checkins/{id}/move"), confirm)
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "confirmed");

    let plan = |name: &str, bytes: Vec<u8>| {
        Form::new()
            .text("plan_text", "每月第三个周六到春晓社区服务")
            .part("file", Part::bytes(bytes).file_name(name.to_string()))
    };
    let url = app.url(&format!("/api/v1/checkins/{id}/plan"));
    let res = app
        .http
        .post(&url)
        .bearer_auth(&unit)
        .multipart(plan("方案.pdf", b"MZ\x90\x00 not a pdf".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["details"][0]["code"],
        "err.plan_type"
    );
    let res = app
        .http
        .post(&url)
        .bearer_auth(&unit)
        .multipart(plan("方案.pdf", b"%PDF-1.4 plan".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let file = app.get(&community, &format!("/api/v1/checkins/{id}/plan-file")).await;
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4 plan");
}

#[tokio::test]
async fn personal_data_is_masked_for_those_who_do_not_keep_the_roster_and_full_views_are_logged() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let street = app.token("donghu").await;
    let team = app.new_team(&unit, "脱敏测试队").await;
    let id = resident_id(1988, 8, 8, 808);
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{team}/members"),
            person("郑十", &id, "13912345678"),
        )
        .await;
    let vid = res.json::<Value>().await.unwrap()["volunteer_id"].as_i64().unwrap();
    // Masked by default even for the unit that keeps the roster; in full when it asks.
    assert_eq!(members(&app, &unit, team).await[0]["phone"], "139****5678");
    let full = app
        .get_json(&unit, &format!("/api/v1/teams/{team}/members?reveal=true"))
        .await;
    assert_eq!(full[0]["id_number"], id.as_str());
    let masked = members(&app, &street, team).await;
    assert_eq!(masked[0]["id_number"], format!("{}********{}", &id[..6], &id[14..]));
    assert_eq!(masked[0]["phone"], "139****5678");
    // A street cannot unmask; the unit can, and the view is logged.
    let r = app
        .get_json(&street, &format!("/api/v1/volunteers/{vid}?reveal=true"))
        .await;
    assert_eq!(r["unmasked"], false);
    let r = app
        .get_json(&unit, &format!("/api/v1/volunteers/{vid}?reveal=true"))
        .await;
    assert_eq!(
        (r["unmasked"].as_bool(), r["id_number"].as_str()),
        (Some(true), Some(id.as_str()))
    );
    let log = app
        .get_json(&admin, &format!("/api/v1/audit?object_type=volunteer&object_id={vid}"))
        .await;
    assert!(log["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "view_unmasked" && e["username"] == "shuiwu"));
    // The police see no roster at all.
    let police = app.token("jiaojing").await;
    assert_eq!(
        app.get(&police, &format!("/api/v1/teams/{team}/members"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn volunteers_sign_up_through_an_invitation_and_keep_their_own_data() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "邀请测试队").await;
    let res = app
        .post(&unit, &format!("/api/v1/teams/{team}/invitations"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let url = res.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_string();
    let invite = url.split("invite=").nth(1).unwrap().to_string();
    let mut join = person("冯志", &resident_id(1999, 9, 9, 909), "13788889999");
    join["username"] = json!("fengzhi");
    join["password"] = json!("Serve-People-2026");
    join["invite"] = json!("forged");
    let res = app.join(&join).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["invite"]);
    join["invite"] = json!(invite);
    let res = app.join(&join).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(members(&app, &unit, team).await.iter().any(|m| m["name"] == "冯志"));
    // Signing up twice as the same person is refused.
    join["username"] = json!("fengzhi2");
    let res = app.join(&join).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let me = app.token_for("fengzhi", "Serve-People-2026").await;
    let record = app.get_json(&me, "/api/v1/me/volunteer").await;
    assert_eq!(
        (record["name"].as_str(), record["unmasked"].as_bool()),
        (Some("冯志"), Some(true))
    );
    let res = app.put(&me, "/api/v1/me/volunteer", json!({"phone": "bad"})).await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["phone"]);
    let res = app
        .put(
            &me,
            "/api/v1/me/volunteer",
            json!({"phone": "13788880000", "skills": "急救"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["skills"], "急救");
    let export = app.get(&me, "/api/v1/me/volunteer/export").await;
    assert!(export.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let data: Value = export.json().await.unwrap();
    assert_eq!(data["phone"], "13788880000");
    // A volunteer sees no one else's record.
    let other = members(&app, &unit, team)
        .await
        .iter()
        .find(|m| m["name"] != "冯志")
        .map(|m| m["volunteer_id"].clone());
    if let Some(other) = other {
        assert_eq!(
            app.get(&me, &format!("/api/v1/volunteers/{other}")).await.status(),
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_board_shows_every_milestone_per_unit_and_community_in_scope() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let board = app.get_json(&admin, "/api/v1/board").await;
    let rows = board["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50, "30 units and 20 communities");
    let units: Vec<&Value> = rows.iter().filter(|r| r["kind"] == "unit").collect();
    assert_eq!(units.len(), 30);
    let statuses = ["done", "late", "missing", "open", "none"];
    for r in rows {
        for m in ["formation", "roster", "traffic", "checkin", "plan"] {
            assert!(statuses.contains(&r[m]["status"].as_str().unwrap()), "{r}");
        }
    }
    // The demo's April: some rosters on time, some late, some never submitted.
    let roster: Vec<&str> = units.iter().map(|r| r["roster"]["status"].as_str().unwrap()).collect();
    assert!(
        roster.contains(&"done") && roster.contains(&"late") && roster.contains(&"missing"),
        "{roster:?}"
    );
    let missing = app.get_json(&admin, "/api/v1/board?status=missing&kind=unit").await;
    assert!(missing["rows"].as_array().unwrap().iter().all(|r| r["kind"] == "unit"));

    let unit = app.token("shuiwu").await;
    let own = app.get_json(&unit, "/api/v1/board").await;
    assert_eq!(own["rows"].as_array().unwrap().len(), 1);
    assert_eq!(own["rows"][0]["name"], "明湖区税务局");
    let street = app.token("donghu").await;
    let streets: Vec<String> = app.get_json(&street, "/api/v1/board?kind=community").await["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["street"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(streets, vec!["东湖街道"; 5]);
    let police = app.token("jiaojing").await;
    assert_eq!(app.get(&police, "/api/v1/board").await.status(), StatusCode::FORBIDDEN);
    let xlsx = app.get(&admin, "/api/v1/board/export.xlsx").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let log = app.get_json(&admin, "/api/v1/audit?object_type=board").await;
    assert_eq!(log["items"][0]["action"], "export");
}

#[tokio::test]
async fn uploads_of_garbage_never_panic_and_never_write() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "乱码测试队").await;
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet: Vec<char> = "0123456789Xx-./年月日 男女党团员群众\u{3000}１２ａ\n,;'\"<>%"
        .chars()
        .collect();
    for round in 0..6 {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["姓名", "联系电话", "身份证号", "出生年月", "政治面貌", "管理人员"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for r in 1..40u32 {
            for c in 0..6u16 {
                let len = (next() % 20) as usize;
                let s: String = (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect();
                ws.write_string(r, c, &s).unwrap();
            }
        }
        // One certainly wrong row, so the file as a whole must be refused.
        ws.write_string(40, 0, "").unwrap();
        ws.write_string(40, 1, "not a phone").unwrap();
        let (status, report) = upload(&app, &unit, team, wb.save_to_buffer().unwrap(), round % 2 == 0).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::OK,
            "{status} {report}"
        );
        assert_eq!(members(&app, &unit, team).await.len(), 0, "round {round}: {report}");
    }
    // Random bytes are not a workbook.
    let noise: Vec<u8> = (0..5000).map(|_| next() as u8).collect();
    let (status, body) = upload(&app, &unit, team, noise, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["code"], "err.not_xlsx");
}

#[tokio::test]
async fn the_registration_form_and_the_traffic_list_upload_as_excel() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let street = app.token("donghu").await;
    let team = app.new_team(&unit, "登记表测试队").await;
    let form = |community: &str, leader: &str| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "附件4 志愿者服务登记表").unwrap();
        ws.write_string(1, 0, "项目").unwrap();
        ws.write_string(1, 1, "内容").unwrap();
        let items = [
            ("文明单位", "明湖区税务局"),
            ("志愿服务队名称", "登记表测试队"),
            ("负责人", leader),
            ("联系人", "张联络 0571-87654321"),
            ("报到社区", community),
            ("服务类别", "1、7"),
        ];
        for (i, (k, v)) in items.iter().enumerate() {
            ws.write_string(i as u32 + 2, 0, *k).unwrap();
            ws.write_string(i as u32 + 2, 1, *v).unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let post = |bytes: Vec<u8>, dry_run: bool| {
        let url = app.url(&format!("/api/v1/teams/{team}/registration/import?dry_run={dry_run}"));
        app.http
            .post(url)
            .bearer_auth(&unit)
            .multipart(Form::new().part("file", Part::bytes(bytes).file_name("附件4.xlsx")))
            .send()
    };
    let res = post(form("西岭街道 枫林社区", "王负责 12345"), true).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: Value = res.json().await.unwrap();
    let columns: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert_eq!(columns, vec!["负责人", "报到社区"], "{report}");
    let res = post(form("东湖街道 春晓社区", "王负责 13877776666"), false)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let t = app.get_json(&unit, &format!("/api/v1/teams/{team}")).await;
    assert_eq!(
        (t["leader_name"].as_str(), t["leader_phone"].as_str()),
        (Some("王负责"), Some("13877776666"))
    );
    let filed = app.get_json(&street, "/api/v1/checkins").await;
    assert!(filed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["team_id"] == team && k["status"] == "filed"));

    // 附件3: the people listed must be on the unit's rosters and qualify.
    let year = app.get_json(&unit, "/api/v1/campaigns/active").await["year"]
        .as_i64()
        .unwrap() as i32;
    let young = resident_id(year - 22, 6, 1, 61);
    app.post(
        &unit,
        &format!("/api/v1/teams/{team}/members"),
        person("小青", &young, "13655556666"),
    )
    .await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["序号", "姓名", "身份证号", "联系电话"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (name, id, phone)) in [("小青", young.as_str(), "13655556666"), ("路人", "", "13000000000")]
        .iter()
        .enumerate()
    {
        ws.write_string(r as u32 + 1, 1, *name).unwrap();
        ws.write_string(r as u32 + 1, 2, *id).unwrap();
        ws.write_string(r as u32 + 1, 3, *phone).unwrap();
    }
    let unit_id = app.get_json(&unit, "/api/v1/me").await["unit_id"].as_i64().unwrap();
    let url = app.url(&format!("/api/v1/units/{unit_id}/traffic/import?dry_run=false"));
    let res = app
        .http
        .post(url)
        .bearer_auth(&unit)
        .multipart(Form::new().part(
            "file",
            Part::bytes(wb.save_to_buffer().unwrap()).file_name("附件3.xlsx"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["errors"][0]["row"], 3);
    assert_eq!(report["errors"][0]["value"], "路人");
    let list = app.get_json(&unit, "/api/v1/traffic").await;
    assert!(
        !list["items"].as_array().unwrap().iter().any(|x| x["name"] == "小青"),
        "all or nothing"
    );
}

#[tokio::test]
async fn a_sign_up_matching_only_by_name_and_phone_waits_for_the_team() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "确认测试队").await;
    // On the roster without an ID number.
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{team}/members"),
            json!({"name": "褚明", "phone": "13722223333", "consent": "on"}),
        )
        .await;
    let on_record = res.json::<Value>().await.unwrap()["volunteer_id"].as_i64().unwrap();
    let sign_up = |username: &str| json!({"name": "褚明", "phone": "13722223333", "consent": "true", "username": username, "password": "Serve-People-2026"});
    let res = app
        .http
        .post(app.url("/api/v1/join"))
        .json(&sign_up("chuming"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["pending"], true);
    let me = app.token_for("chuming", "Serve-People-2026").await;
    let res = app.get(&me, "/api/v1/me/volunteer").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.json::<Value>().await.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("确认"));

    // The team sees it and confirms: the account is linked to the record on the roster.
    let pending = app.get_json(&unit, &format!("/api/v1/teams/{team}/pending")).await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let user_id = pending[0]["user_id"].as_i64().unwrap();
    let street = app.token("donghu").await;
    assert_eq!(
        app.post(
            &street,
            &format!("/api/v1/teams/{team}/pending/{user_id}"),
            json!({"decision": "confirm"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{team}/pending/{user_id}"),
            json!({"decision": "confirm"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.get_json(&me, "/api/v1/me/volunteer").await["id"], on_record);

    // Another sign-up with the same name and phone is refused now that the record has an account.
    let res = app
        .http
        .post(app.url("/api/v1/join"))
        .json(&sign_up("chuming2"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // A rejected match gets a record of its own.
    app.post(
        &unit,
        &format!("/api/v1/teams/{team}/members"),
        json!({"name": "卫东", "phone": "13744445555", "consent": "on"}),
    )
    .await;
    let mut other = sign_up("weidong");
    other["name"] = json!("卫东");
    other["phone"] = json!("13744445555");
    app.join(&other).await;
    let pending = app.get_json(&unit, &format!("/api/v1/teams/{team}/pending")).await;
    let user_id = pending[0]["user_id"].as_i64().unwrap();
    let record = app
        .post(
            &unit,
            &format!("/api/v1/teams/{team}/pending/{user_id}"),
            json!({"decision": "reject"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let roster_ids: Vec<i64> = members(&app, &unit, team)
        .await
        .iter()
        .map(|m| m["volunteer_id"].as_i64().unwrap())
        .collect();
    assert!(
        !roster_ids.contains(&record["volunteer_id"].as_i64().unwrap()),
        "a new, separate record"
    );
}
