//! The campaign year through the API: milestones, teams and rosters (typed and uploaded), the
//! review, traffic volunteers and training. Check-ins and plans, masking, sign-up and the board
//! are in `campaign_checkins`; the helpers here serve both.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app, TestApp};
use leifeng::demo::resident_id;

pub(crate) fn person(name: &str, id: &str, phone: &str) -> Value {
    json!({"name": name, "id_number": id, "phone": phone, "consent": "true", "id_consent": "true"})
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    team: i64,
    bytes: Vec<u8>,
    dry_run: bool,
) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("名册.xlsx"));
    let url = app.url(&format!("/api/v1/teams/{team}/roster/import?dry_run={dry_run}"));
    let res = app
        .http
        .post(url)
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

pub(crate) async fn members(app: &TestApp, token: &str, team: i64) -> Vec<Value> {
    app.get_json(token, &format!("/api/v1/teams/{team}/members"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn the_campaign_opens_with_the_plans_dates_and_only_the_district_changes_them() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let c = app.get_json(&admin, "/api/v1/campaigns/active").await;
    let year = c["year"].as_i64().unwrap();
    assert_eq!(c["formation_due"], format!("{year}-04-18"));
    assert_eq!(c["roster_due"], format!("{year}-04-20"));
    assert_eq!(c["checkin_due"], format!("{year}-04-25"));
    assert_eq!(c["commendation_month"], format!("{}-03", year + 1));

    let res = app
        .put(
            &admin,
            "/api/v1/campaigns/active",
            json!({"roster_due": format!("{year}/4/21")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["roster_due"],
        format!("{year}-04-21")
    );
    let res = app
        .put(&admin, "/api/v1/campaigns/active", json!({"checkin_due": "4月31日"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["checkin_due"]);
    let res = app
        .put(
            &admin,
            "/api/v1/campaigns/active",
            json!({"checkin_due": format!("{year}-04-01")}),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["details"][0]["code"],
        "err.milestone_order"
    );
    let street = app.token("donghu").await;
    assert_eq!(
        app.put(&street, "/api/v1/campaigns/active", json!({"name": "x"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // A new year becomes the active one; last year's teams are read-only.
    let unit = app.token("shuiwu").await;
    let old_team = app.get_json(&unit, "/api/v1/teams").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let res = app.post(&admin, "/api/v1/campaigns", json!({"year": year + 1})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        app.post(&admin, "/api/v1/campaigns", json!({"year": year + 1}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(app.get_json(&admin, "/api/v1/campaigns/active").await["year"], year + 1);
    let res = app
        .put(&unit, &format!("/api/v1/teams/{old_team}"), json!({"name": "改名"}))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "bad_request");
    assert_eq!(app.get_json(&unit, "/api/v1/teams").await["total"], 0);
}

#[tokio::test]
async fn a_person_entered_by_two_units_is_one_record() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "税务青年突击队").await;
    let id = resident_id(1995, 3, 8, 123);
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{team}/members"),
            person("赵青", &id.to_lowercase(), "138 0000 5555"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let first: Value = res.json().await.unwrap();
    assert_eq!(
        first["sex"],
        if id.chars().nth(16).unwrap().to_digit(10).unwrap() % 2 == 1 {
            "M"
        } else {
            "F"
        }
    );
    assert_eq!(first["birth_date"], "1995-03-08");
    assert!(first["volunteer_no"].as_str().unwrap().starts_with("LF"));

    // Another unit enters the same person: linked, not copied.
    let library = app.find_id(&admin, "/api/v1/units", "name", "明湖区图书馆").await;
    app.new_account(&admin, "tushuguan", "unit_admin", json!({"unit_id": library}))
        .await;
    let other = app.token("tushuguan").await;
    let team2 = app.new_team(&other, "图书馆志愿服务队").await;
    let res = app
        .post(
            &other,
            &format!("/api/v1/teams/{team2}/members"),
            person("赵青", &id, "13800005555"),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["volunteer_id"],
        first["volunteer_id"]
    );
    // Without an ID number, the same name and phone is the same person too.
    let res = app
        .post(
            &other,
            &format!("/api/v1/teams/{team2}/members"),
            json!({"name": "赵青", "phone": "13800005555", "consent": "on"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(members(&app, &other, team2).await.len(), 1);

    // Typed sex and birth date must agree with the ID; consent is required.
    let mut wrong = person("钱多", &resident_id(1990, 1, 1, 457), "13900002222");
    wrong["sex"] = json!("女");
    wrong["birth_date"] = json!("1990.02");
    wrong["id_consent"] = json!(null);
    let res = app.post(&unit, &format!("/api/v1/teams/{team}/members"), wrong).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&res.json().await.unwrap());
    fields.sort();
    assert_eq!(fields, vec!["birth_date", "id_consent", "sex"]);
    let res = app
        .post(
            &unit,
            &format!("/api/v1/teams/{team}/members"),
            person("孙错", "34052419800101001Y", "13900002222"),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["code"], "err.id_chars");
    assert_eq!(members(&app, &unit, team).await.len(), 1);
}

/// A roster as a unit fills it in, messy in the usual ways.
fn messy_roster(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 8, "附件2  志愿者队伍基本情况登记表", &Format::new())
        .unwrap();
    ws.write_string(1, 0, "单位名称（盖章）：明湖区税务局      负责人：李负责")
        .unwrap();
    let headers = [
        "序号",
        "手机号",
        "姓 名",
        "性别",
        "出生\n年月",
        "政治面貌",
        "身份证号",
        "管理人员",
        "服务类别",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let mut r = 3u32;
    for (i, [phone, name, sex, birth, politics, id, manager, categories]) in rows.iter().enumerate() {
        if i == 2 {
            r += 1;
        }
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        for (c, v) in [phone, name, sex, birth, politics, id, manager, categories]
            .iter()
            .enumerate()
        {
            if **v == "DATE:1990-05-03" {
                let d = rust_xlsxwriter::ExcelDateTime::from_ymd(1990, 5, 3).unwrap();
                ws.write_datetime_with_format(r, c as u16 + 1, &d, &Format::new().set_num_format("yyyy-mm-dd"))
                    .unwrap();
            } else {
                ws.write_string(r, c as u16 + 1, **v).unwrap();
            }
        }
        r += 1;
    }
    ws.write_string(r + 1, 0, "填表人：张联络    填表日期：2026年4月19日")
        .unwrap();
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_messy_roster_is_checked_cell_by_cell_and_imported_all_or_nothing() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let team = app.new_team(&unit, "导入测试队").await;
    let (a, b) = (resident_id(1990, 5, 3, 11), resident_id(2000, 12, 31, 22));
    let full_width_b: String = b
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect();
    let mut bad_check = resident_id(1985, 7, 1, 33);
    bad_check.replace_range(17..18, if bad_check.ends_with('1') { "2" } else { "1" });
    let bad = messy_roster(&[
        ["138-0000-1111", "张三", "", "DATE:1990-05-03", "党员", &a, "是", "1、7"],
        [
            "１３９ ００００ ２２２２",
            "李四",
            "",
            "2000年12月",
            "团员",
            &full_width_b,
            "",
            "交通",
        ],
        ["13700003333", "王五", "男", "1985.07", "群众", &bad_check, "", ""],
        ["12345", "赵六", "女", "1991/2/3", "预备党员", "", "否", ""],
        ["13800001111", "张三", "", "", "", &a, "", ""],
        ["13600004444", "陈七", "男", "1988-08-08", "外星人", "", "", ""],
    ]);
    let before = members(&app, &unit, team).await.len();
    for dry_run in [true, false] {
        let (status, report) = upload(&app, &unit, team, bad.clone(), dry_run).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
        assert_eq!(report["rows"], 6);
        let errors: Vec<(i64, String, String)> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_i64().unwrap(),
                    e["column"].as_str().unwrap().into(),
                    e["value"].as_str().unwrap().into(),
                )
            })
            .collect();
        // Rows as Excel numbers them: data starts on row 4, a blank row 6 lies between.
        assert_eq!(
            errors,
            vec![
                (7, "证件号码".into(), bad_check.clone()),
                (8, "联系电话".into(), "12345".into()),
                (9, "证件号码".into(), a.clone()),
                (10, "政治面貌".into(), "外星人".into()),
            ],
            "{report}"
        );
        let messages: Vec<&str> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert!(
            messages[0].contains("校验") && messages[2].contains("第 4 行"),
            "{messages:?}"
        );
    }
    assert_eq!(members(&app, &unit, team).await.len(), before, "nothing was written");

    let fixed = messy_roster(&[
        ["138-0000-1111", "张三", "", "DATE:1990-05-03", "党员", &a, "是", "1、7"],
        [
            "１３９ ００００ ２２２２",
            "李四",
            "",
            "2000年12月",
            "团员",
            &full_width_b,
            "",
            "交通",
        ],
        ["13700003333", "王五", "男", "1985.07", "群众", "", "", ""],
        ["13500006666", "赵六", "女", "1991/2/3", "预备党员", "", "否", ""],
    ]);
    let (status, report) = upload(&app, &unit, team, fixed.clone(), true).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["accepted"], 4);
    assert_eq!(members(&app, &unit, team).await.len(), 0, "a dry run writes nothing");
    let (status, report) = upload(&app, &unit, team, fixed, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let roster = app
        .get_json(&unit, &format!("/api/v1/teams/{team}/members?reveal=true"))
        .await;
    let roster = roster.as_array().unwrap();
    assert_eq!(roster.len(), 4);
    let zhang = roster.iter().find(|m| m["name"] == "张三").unwrap();
    assert_eq!(
        (
            zhang["phone"].as_str(),
            zhang["political_status"].as_str(),
            zhang["is_manager"].as_bool()
        ),
        (Some("13800001111"), Some("cpc_member"), Some(true))
    );
    assert_eq!(zhang["birth_date"], "1990-05-03");
    let li = roster.iter().find(|m| m["name"] == "李四").unwrap();
    assert_eq!(li["id_number"].as_str(), Some(b.as_str()));
    // The manager column declares the unit's managers.
    let unit_id = app.get_json(&unit, "/api/v1/me").await["unit_id"].as_i64().unwrap();
    let managers = app.get_json(&unit, &format!("/api/v1/units/{unit_id}/managers")).await;
    assert!(managers
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "张三" && m["on_roster"] == true));

    // The masked export uploaded again: refused, saying how to get the full one.
    let masked = app
        .get(&unit, &format!("/api/v1/teams/{team}/roster/export.xlsx"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let (status, report) = upload(&app, &unit, team, masked, true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("导出完整信息"),
        "{report}"
    );
    // Export in full, then import the export: the same data, nothing added.
    let export = app
        .get(&unit, &format!("/api/v1/teams/{team}/roster/export.xlsx?reveal=true"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let (status, report) = upload(&app, &unit, team, export, false).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["rows"].as_i64(), report["unchanged"].as_i64()),
        (Some(4), Some(4))
    );
    let again = app
        .get_json(&unit, &format!("/api/v1/teams/{team}/members?reveal=true"))
        .await;
    let again = again.as_array().unwrap();
    assert_eq!(again.len(), 4);
    assert_eq!(
        again.iter().find(|m| m["name"] == "李四").unwrap()["id_number"],
        li["id_number"]
    );
}

#[tokio::test]
async fn a_roster_is_submitted_returned_with_a_reason_and_accepted() {
    let app = spawn_app().await;
    let admin = app.token("admin").await;
    let unit = app.token("shuiwu").await;
    let res = app.post(&unit, "/api/v1/teams", json!({"name": "空队"})).await;
    let empty: i64 = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .post(&unit, &format!("/api/v1/teams/{empty}/roster/submit"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&res.json().await.unwrap());
    fields.sort();
    assert_eq!(fields, vec!["contact_name", "leader_name", "members"]);

    let team = app.new_team(&unit, "审核测试队").await;
    app.post(
        &unit,
        &format!("/api/v1/teams/{team}/members"),
        person("周八", &resident_id(1992, 2, 2, 88), "13512345678"),
    )
    .await;
    let res = app
        .post(&unit, &format!("/api/v1/teams/{team}/roster/submit"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["roster_status"], "submitted");
    assert!(t["roster_submitted_at"].as_i64().is_some());
    assert_eq!(
        app.post(&unit, &format!("/api/v1/teams/{team}/roster/submit"), json!({}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post(
            &unit,
            &format!("/api/v1/teams/{team}/roster/review"),
            json!({"decision": "accept"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post(
            &admin,
            &format!("/api/v1/teams/{team}/roster/review"),
            json!({"decision": "return"}),
        )
        .await;
    assert_eq!(error_fields(&res.json().await.unwrap()), vec!["reason"]);
    let res = app
        .post(
            &admin,
            &format!("/api/v1/teams/{team}/roster/review"),
            json!({"decision": "return", "reason": "请补充职务"}),
        )
        .await;
    let t: Value = res.json().await.unwrap();
    assert_eq!(
        (t["roster_status"].as_str(), t["roster_return_reason"].as_str()),
        (Some("returned"), Some("请补充职务"))
    );
    app.post(&unit, &format!("/api/v1/teams/{team}/roster/submit"), json!({}))
        .await;
    let res = app
        .post(
            &admin,
            &format!("/api/v1/teams/{team}/roster/review"),
            json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["roster_status"], "accepted");
    // A changed roster is submitted again.
    app.post(
        &unit,
        &format!("/api/v1/teams/{team}/members"),
        person("吴九", &resident_id(1993, 3, 3, 99), "13512345679"),
    )
    .await;
    assert_eq!(
        app.get_json(&unit, &format!("/api/v1/teams/{team}")).await["roster_status"],
        "draft"
    );
    let log = app
        .get_json(&admin, &format!("/api/v1/audit?object_type=team&object_id={team}"))
        .await;
    assert!(log["total"].as_i64().unwrap() >= 6);
}

#[tokio::test]
async fn traffic_volunteers_are_chosen_by_the_plans_rules_and_trained_by_the_police() {
    let app = spawn_app().await;
    let unit = app.token("shuiwu").await;
    let police = app.token("jiaojing").await;
    let team = app.new_team(&unit, "交通劝导队").await;
    let year = app.get_json(&unit, "/api/v1/campaigns/active").await["year"]
        .as_i64()
        .unwrap() as i32;
    let ids = [
        ("青年甲", resident_id(year - 25, 1, 1, 1), "群众", "13600000001"),
        ("团员乙", resident_id(year - 40, 1, 1, 2), "团员", "13600000002"),
        (
            "积极分子丙",
            resident_id(year - 50, 1, 1, 3),
            "入党积极分子",
            "13600000003",
        ),
        ("老同志丁", resident_id(year - 50, 1, 1, 4), "群众", "13600000004"),
    ];
    let mut vids = vec![];
    for (name, id, politics, phone) in ids {
        let mut p = person(name, &id, phone);
        p["political_status"] = json!(politics);
        let res = app.post(&unit, &format!("/api/v1/teams/{team}/members"), p).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        vids.push(res.json::<Value>().await.unwrap()["volunteer_id"].as_i64().unwrap());
    }
    for v in &vids[..3] {
        let res = app.post(&unit, "/api/v1/traffic", json!({"volunteer_id": v})).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
    let res = app
        .post(&unit, "/api/v1/traffic", json!({"volunteer_id": vids[3]}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"]["details"][0]["code"],
        "err.traffic_ineligible"
    );
    assert_eq!(
        app.post(&unit, "/api/v1/traffic", json!({"volunteer_id": vids[0]}))
            .await
            .status(),
        StatusCode::CONFLICT
    );

    let unit_id = app.get_json(&unit, "/api/v1/me").await["unit_id"].as_i64().unwrap();
    let mine = app.get_json(&unit, "/api/v1/traffic").await;
    let reasons: Vec<(String, String)> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| vids.contains(&x["id"].as_i64().unwrap()))
        .map(|x| (x["name"].as_str().unwrap().into(), x["reason"].as_str().unwrap().into()))
        .collect();
    assert_eq!(reasons.len(), 3);
    assert!(reasons.contains(&("团员乙".into(), "traffic.reason.league".into())));
    assert!(reasons.contains(&("青年甲".into(), "traffic.reason.youth".into())));
    assert_eq!(
        app.post(&unit, "/api/v1/traffic/submit", json!({"unit_id": unit_id}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    // The police see every unit's list and record training; a unit cannot.
    let all = app.get_json(&police, "/api/v1/traffic").await;
    assert!(all["items"].as_array().unwrap().len() > 3);
    let training = json!({"held_on": format!("{year}-05-10"), "place": "区交警大队", "content": "劝导礼仪与安全", "hours": "2.5", "attended": [vids[0], vids[1]], "passed": [vids[0]]});
    assert_eq!(
        app.post(&unit, "/api/v1/trainings", training.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&police, "/api/v1/trainings", training).await.status(),
        StatusCode::CREATED
    );
    let bad = json!({"held_on": "someday", "place": "", "content": "x", "hours": "30", "attended": [vids[3]]});
    let res = app.post(&police, "/api/v1/trainings", bad).await;
    let mut fields = error_fields(&res.json().await.unwrap());
    fields.sort();
    assert_eq!(fields, vec!["attended", "held_on", "hours", "place"]);
    let record = app.get_json(&unit, &format!("/api/v1/volunteers/{}", vids[0])).await;
    assert_eq!(record["trainings"][0]["minutes"], 150);
    assert_eq!(record["trainings"][0]["passed"], true);
}
