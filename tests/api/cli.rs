//! The command line: user add, migrate, backup; and the two migration folders kept in step.

use std::io::Write;
use std::process::{Command, Stdio};

use leifeng::db::Db;
use reqwest::StatusCode;

use crate::helpers::{backend, empty_database, fresh_database, spawn_on};

fn leifeng(args: &[&str], db_url: &str, stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leifeng"))
        .args(args)
        .env("LEIFENG_DATABASE_URL", db_url)
        .env("LEIFENG_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the leifeng binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_first_admin_is_made_on_the_command_line_and_can_sign_in() {
    let url = empty_database().await;
    let out = leifeng(&["migrate"], &url, "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = leifeng(
        &[
            "user",
            "add",
            "--username",
            "chief",
            "--role",
            "district_admin",
            "--password-stdin",
        ],
        &url,
        "weak\n",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--password-stdin") && err.contains("at least 10"), "{err}");

    let out = leifeng(
        &[
            "user",
            "add",
            "--username",
            "chief",
            "--role",
            "district_admin",
            "--password-stdin",
        ],
        &url,
        "Lead-Officer-2026\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created account chief"));

    let out = leifeng(
        &[
            "user",
            "add",
            "--username",
            "s1",
            "--role",
            "street_admin",
            "--password-stdin",
        ],
        &url,
        "Lead-Officer-2026\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--org"));

    let app = spawn_on(&url).await;
    assert_eq!(app.login("chief", "Lead-Officer-2026").await.status(), StatusCode::OK);
    let token = app.token_for("chief", "Lead-Officer-2026").await;
    let log = app.get_json(&token, "/api/v1/audit?object_type=user").await;
    assert_eq!(log["items"][0]["username"], "(cli)");
}

#[tokio::test]
async fn backup_copies_a_live_sqlite_database_or_points_to_pg_dump() {
    let url = fresh_database().await;
    let app = spawn_on(&url).await;
    leifeng::demo::seed(&app.db, Some(crate::helpers::PASSWORD.into()))
        .await
        .unwrap();
    let to = std::env::temp_dir().join(format!("leifeng-backup-{}.db", &leifeng::auth::new_token()[..8]));
    let out = leifeng(&["backup", "--to", to.to_str().unwrap()], &url, "");
    if backend() == "postgres" {
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return;
    }
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let copy = Db::connect(&format!("sqlite://{}", to.display())).await.unwrap();
    let copy_app = spawn_on(&format!("sqlite://{}", to.display())).await;
    let token = copy_app.token("admin").await;
    assert_eq!(copy_app.get_json(&token, "/api/v1/units").await["total"], 30);
    drop(copy);
    // Writing over an existing file is refused.
    let out = leifeng(&["backup", "--to", to.to_str().unwrap()], &url, "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
}

/// The SQLite and PostgreSQL migrations give the same tables and columns. Needs both databases,
/// so it runs in the PostgreSQL pass of the suite.
#[tokio::test]
async fn both_migration_folders_produce_the_same_schema() {
    if backend() != "postgres" {
        return;
    }
    let pg_db = fresh_database().await;
    let pg = Db::connect(&pg_db).await.unwrap();
    let dir = std::env::temp_dir().join("leifeng-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let lite = Db::connect(&format!(
        "sqlite://{}",
        dir.join(format!("schema-{}.db", std::process::id())).display()
    ))
    .await
    .unwrap();
    let mut pg_cols: Vec<(String, String)> = match &pg {
        Db::Pg(pool) => sqlx::query_as(
            "select table_name::text, column_name::text from information_schema.columns
             where table_schema = 'public' and table_name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        _ => unreachable!(),
    };
    let mut lite_cols: Vec<(String, String)> = match &lite {
        Db::Sqlite { read, .. } => sqlx::query_as(
            "select m.name, p.name from sqlite_master m join pragma_table_info(m.name) p
             where m.type = 'table' and m.name not like 'sqlite_%' and m.name <> '_sqlx_migrations'",
        )
        .fetch_all(read)
        .await
        .unwrap(),
        _ => unreachable!(),
    };
    pg_cols.sort();
    lite_cols.sort();
    assert!(!pg_cols.is_empty());
    assert_eq!(pg_cols, lite_cols);
}
