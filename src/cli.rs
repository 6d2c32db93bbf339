//! The command line: serve, migrate, user add, demo, backup.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::app;
use crate::auth::Acting;
use crate::db::Db;
use crate::error::AppError;
use crate::features::users::{service as users, AccountInput};
use crate::i18n::Lang;
use crate::state::{AppState, Config};

#[derive(Parser)]
#[command(
    name = "leifeng",
    version,
    about = "Leifeng: runs a district's 学雷锋志愿服务进社区 volunteer campaign"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives; every command that touches data takes these.
#[derive(Args, Clone)]
struct DbArgs {
    /// Directory for the embedded SQLite database (used when no database URL is given).
    #[arg(long, env = "LEIFENG_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host/db) or sqlite://PATH; default: SQLite in the data dir.
    #[arg(long, env = "LEIFENG_DATABASE_URL")]
    database_url: Option<String>,
}

/// Where notifications go: e-mail over SMTP and SMS through an HTTP provider.
#[derive(Args, Clone)]
struct NotifyArgs {
    /// E-mail: smtp://user:pass@host:port (smtps:// for TLS from the start). Unset: no e-mail.
    #[arg(long, env = "LEIFENG_SMTP_URL")]
    smtp_url: Option<String>,
    /// The From address of e-mail.
    #[arg(long, env = "LEIFENG_SMTP_FROM", default_value = "Leifeng <noreply@localhost>")]
    smtp_from: String,
    /// none, starttls or tls (default: tls for smtps://, starttls for smtp://).
    #[arg(long, env = "LEIFENG_SMTP_TLS")]
    smtp_tls: Option<String>,
    /// SMS: the provider's HTTP endpoint ({phone} and {text} may appear in it). Unset: no SMS.
    #[arg(long, env = "LEIFENG_SMS_URL")]
    sms_url: Option<String>,
    /// GET, POST or PUT.
    #[arg(long, env = "LEIFENG_SMS_METHOD", default_value = "POST")]
    sms_method: String,
    /// The request body with {phone} and {text} (JSON when it starts with `{`, else a form).
    #[arg(
        long,
        env = "LEIFENG_SMS_BODY",
        default_value = r#"{"phone":"{phone}","text":"{text}"}"#
    )]
    sms_body: String,
    /// Authorization header value (`Bearer …`), or `Header-Name: value`.
    #[arg(long, env = "LEIFENG_SMS_AUTH")]
    sms_auth: Option<String>,
    /// E-mails per minute, all instances together (0: no limit).
    #[arg(long, env = "LEIFENG_EMAIL_PER_MINUTE", default_value_t = 60_000)]
    email_per_minute: i64,
    /// SMS per minute, all instances together (0: no limit).
    #[arg(long, env = "LEIFENG_SMS_PER_MINUTE", default_value_t = 600)]
    sms_per_minute: i64,
    /// Do not write messages of unconfigured channels to the log (they are skipped either way).
    #[arg(long, env = "LEIFENG_NOTIFY_NO_LOG")]
    notify_no_log: bool,
}

impl NotifyArgs {
    fn config(&self) -> crate::state::NotifyConfig {
        crate::state::NotifyConfig {
            smtp_url: self.smtp_url.clone(),
            smtp_from: self.smtp_from.clone(),
            smtp_tls: self.smtp_tls.clone(),
            sms_url: self.sms_url.clone(),
            sms_method: self.sms_method.clone(),
            sms_body: self.sms_body.clone(),
            sms_auth: self.sms_auth.clone(),
            log_fallback: !self.notify_no_log,
            email_per_minute: self.email_per_minute,
            sms_per_minute: self.sms_per_minute,
            ..Default::default()
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web site and the JSON API (applies pending migrations first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LEIFENG_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        #[command(flatten)]
        db: DbArgs,
        /// On an empty database, create a demo district and print its accounts.
        #[arg(long, env = "LEIFENG_DEMO")]
        demo: bool,
        /// Trust X-Forwarded-For and X-Forwarded-Proto (behind a load balancer).
        #[arg(long, env = "LEIFENG_TRUST_PROXY")]
        trust_proxy: bool,
        /// Always mark cookies Secure (when the site is served over HTTPS without a proxy header).
        #[arg(long, env = "LEIFENG_COOKIE_SECURE")]
        cookie_secure: bool,
        /// Requests one signed-in account may make per minute (0: no limit). Anonymous
        /// requests, sign-ups, sign-ins and certificate checks have their own fixed limits.
        #[arg(long, env = "LEIFENG_USER_RATE_LIMIT", default_value_t = crate::web::limits::PER_ACCOUNT_DEFAULT)]
        user_rate_limit: i64,
        #[command(flatten)]
        notify: NotifyArgs,
    },
    /// Notifications.
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill an empty database with demo data: the demo district (`--scale demo`), or a district
    /// at realistic scale with a concentrated day under way (`--scale district`, for load tests).
    Demo {
        /// `demo` (what `serve --demo` makes), `district` (100,000 volunteers, 20,000 activities,
        /// 1,000,000 sign-ins, 200 live activities with 10,000 sign-ups) or `small` (a tenth of it).
        #[arg(long, default_value = "demo")]
        scale: String,
        /// Write one line per live sign-up, `API_TOKEN ACTIVITY_ID`, for a load generator.
        #[arg(long)]
        tokens_out: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the API's OpenAPI document (what /api/v1/openapi.json serves) as JSON.
    Openapi,
    /// The kept figures (dashboards, `GET /api/v1/stats`, the compliance grid).
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
    /// Write a consistent copy of the live SQLite database (on PostgreSQL, use pg_dump).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Recount every kept figure from the raw records (what the refresh job does for the keys
    /// that changed), e.g. to check them or after restoring a backup.
    Rebuild {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// Send a test message to an e-mail address or a phone through the configured channel and
    /// say what happened.
    Test {
        /// An e-mail address or a mobile number.
        #[arg(long)]
        to: String,
        /// zh-CN or en.
        #[arg(long, default_value = "zh-CN")]
        lang: String,
        #[command(flatten)]
        notify: NotifyArgs,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// district_admin, street_admin, community_admin, unit_admin, police or volunteer.
        #[arg(long)]
        role: String,
        /// The street, community or unit the account belongs to (for those roles).
        #[arg(long)]
        org: Option<i64>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (one line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

impl DbArgs {
    fn config(&self, addr: &str) -> Config {
        Config {
            addr: addr.to_string(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            trust_proxy: false,
            cookie_secure: false,
            user_rate_limit: crate::web::limits::PER_ACCOUNT_DEFAULT,
            notify: Default::default(),
        }
    }

    async fn connect(&self) -> anyhow::Result<(Db, Config)> {
        let cfg = self.config("");
        if cfg.database_url.as_deref().is_none_or(|u| u.trim().is_empty()) {
            std::fs::create_dir_all(&cfg.data_dir)
                .with_context(|| format!("cannot create the data directory {}", cfg.data_dir.display()))?;
        }
        let db = Db::connect(&cfg.database_url()).await?;
        Ok((db, cfg))
    }
}

pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LEIFENG_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        match cli.command {
            Command::Serve {
                addr,
                db,
                demo,
                trust_proxy,
                cookie_secure,
                user_rate_limit,
                notify,
            } => {
                let started = std::time::Instant::now();
                let (pool, mut cfg) = db.connect().await?;
                cfg.addr = addr.clone();
                cfg.trust_proxy = trust_proxy;
                cfg.cookie_secure = cookie_secure;
                cfg.user_rate_limit = user_rate_limit;
                cfg.notify = notify.config();
                crate::features::notifications::channels::Channels::from_config(&cfg.notify)?;
                if demo {
                    crate::demo::seed_and_print(&pool).await?;
                }
                let listener = tokio::net::TcpListener::bind(&addr).await.with_context(|| {
                    format!("cannot listen on {addr}: is another program using it? Try --addr 127.0.0.1:8081")
                })?;
                let url = format!("http://{}", listener.local_addr()?);
                tracing::info!(
                    database = %crate::db::redact(&cfg.database_url()),
                    ready_ms = started.elapsed().as_millis() as u64,
                    "Leifeng is serving at {url}"
                );
                println!("Leifeng is serving at {url}");
                app::serve(AppState::new(pool, cfg), listener).await
            }
            Command::Migrate { db } => {
                let (_, cfg) = db.connect().await?;
                println!("migrations applied to {}", crate::db::redact(&cfg.database_url()));
                Ok(())
            }
            Command::User {
                command:
                    UserCommand::Add {
                        username,
                        role,
                        org,
                        display_name,
                        password_stdin: _,
                        db,
                    },
            } => {
                let mut password = String::new();
                std::io::stdin()
                    .read_to_string(&mut password)
                    .context("cannot read the password from standard input")?;
                let password = password.lines().next().unwrap_or("").to_string();
                let (pool, _) = db.connect().await?;
                let input = AccountInput {
                    username: Some(username),
                    display_name,
                    role: Some(role),
                    org_id: org,
                    password: Some(password),
                    active: Some(true),
                    ..Default::default()
                };
                match users::create(&pool, &Acting::command_line(), &input).await {
                    Ok(a) => {
                        println!("created account {} (id {}, role {})", a.username, a.id, a.role);
                        Ok(())
                    }
                    Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
                        for e in errs {
                            let flag = match e.field.as_str() {
                                "street_id" | "community_id" | "unit_id" => "org".to_string(),
                                "password" => "password-stdin".to_string(),
                                f => f.replace('_', "-"),
                            };
                            eprintln!("--{flag}: {}", e.message(Lang::En));
                        }
                        anyhow::bail!("the account was not created")
                    }
                    Err(e) => Err(anyhow::anyhow!("{e:?}")),
                }
            }
            Command::Demo { scale, tokens_out, db } => {
                let (pool, _) = db.connect().await?;
                let sizes = match scale.as_str() {
                    "demo" => {
                        if tokens_out.is_some() {
                            anyhow::bail!("--tokens-out needs --scale district (or small)");
                        }
                        return crate::demo::seed_and_print(&pool).await;
                    }
                    "district" => crate::demo::scale::Sizes::district(),
                    "small" => crate::demo::scale::Sizes::small(),
                    other => anyhow::bail!("--scale {other}: use demo, district or small"),
                };
                let started = std::time::Instant::now();
                let r = crate::demo::scale::district(&pool, sizes, tokens_out.as_deref()).await?;
                println!(
                    "made {} units, {} communities, {} teams, {} volunteers, {} activities, {} sign-ins in {:.1} s",
                    r.units,
                    r.communities,
                    r.teams,
                    r.volunteers,
                    r.activities,
                    r.signins,
                    started.elapsed().as_secs_f64()
                );
                println!(
                    "concentrated day under way: {} activities, {} signed-up volunteers{}",
                    r.live_activities,
                    r.live_signups,
                    tokens_out
                        .map(|p| format!("; tokens in {}", p.display()))
                        .unwrap_or_default()
                );
                Ok(())
            }
            Command::Notify {
                command: NotifyCommand::Test { to, lang, notify, db },
            } => {
                let (pool, _) = db.connect().await?;
                let cfg = notify.config();
                let r =
                    crate::features::notifications::delivery::send_test(&pool, &cfg, &to, Lang::parse(&lang)).await?;
                let channel = r.channel.as_str();
                match r.state {
                    crate::domain::notification::DeliveryState::Sent => {
                        println!("{channel}: sent to {to}");
                        Ok(())
                    }
                    state => {
                        println!("{channel}: {} — {}", state.as_str(), r.error);
                        anyhow::bail!("the test message to {to} was not sent")
                    }
                }
            }
            Command::Stats {
                command: StatsCommand::Rebuild { db },
            } => {
                let (pool, _) = db.connect().await?;
                let started = std::time::Instant::now();
                let n = crate::features::stats::service::rebuild(&pool)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                println!("recounted {n} keys in {:.1} s", started.elapsed().as_secs_f64());
                Ok(())
            }
            Command::Openapi => {
                println!("{}", serde_json::to_string_pretty(crate::openapi::document())?);
                Ok(())
            }
            Command::Backup { to, db } => {
                let (pool, _) = db.connect().await?;
                pool.backup(&to).await?;
                println!("backup written to {}", to.display());
                Ok(())
            }
        }
    })
}
