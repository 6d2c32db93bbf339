//! DEMO ONLY: what the demo generators (`serve --demo`, `demo --scale`) need besides the audited
//! functions every caller uses — a few lookups, the back-dating of timestamps so the made-up
//! history reads like a past spring, and the bulk loader that writes a district at scale in
//! multi-row statements. Nothing in the running service calls these.

use std::fmt::Write as _;

use super::{Backend, Db, Tx};
use crate::{on_db, on_tx};

/// Whether the database holds no streets and no accounts (the demo only seeds an empty one).
pub async fn is_empty(db: &Db) -> Result<bool, sqlx::Error> {
    let (streets, users): (i64, i64) = on_db!(db, mut pool => {
        let s = sqlx::query_scalar("select count(*) from streets").fetch_one(pool.ex()).await?;
        let u = sqlx::query_scalar("select count(*) from users").fetch_one(pool.ex()).await?;
        (s, u)
    });
    Ok(streets == 0 && users == 0)
}

/// How many volunteer records there are.
pub async fn volunteer_count(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("select count(*) from volunteers").fetch_one(pool).await)
}

/// The ids of a table of the org tree, in order.
pub async fn ids(tx: &mut Tx, table: OrgTable) -> Result<Vec<i64>, sqlx::Error> {
    let sql = format!("select id from {} order by id", table.name());
    on_tx!(tx, c => sqlx::query_scalar(&sql).fetch_all(&mut *c).await)
}

/// The org tables whose ids the scale demo reads.
#[derive(Clone, Copy, Debug)]
pub enum OrgTable {
    Streets,
    Communities,
    Units,
}

impl OrgTable {
    fn name(self) -> &'static str {
        match self {
            OrgTable::Streets => "streets",
            OrgTable::Communities => "communities",
            OrgTable::Units => "units",
        }
    }
}

/// The (unit, community) of each team of a campaign.
pub async fn team_orgs(tx: &mut Tx, campaign_id: i64) -> Result<Vec<(Option<i64>, Option<i64>)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as("select unit_id, community_id from teams where campaign_id = $1")
        .bind(campaign_id).fetch_all(&mut *c).await)
}

/// Each team of a campaign with its community and its unit's first paired community, by id.
pub async fn teams_with_community(
    db: &Db,
    campaign_id: i64,
) -> Result<Vec<(i64, Option<i64>, Option<i64>)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "select t.id, t.community_id, (select min(p.community_id) from pairings p where p.unit_id = t.unit_id)
         from teams t where t.campaign_id = $1 order by t.id").bind(campaign_id).fetch_all(pool).await)
}

async fn set_at(tx: &mut Tx, sql: &str, at: i64, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(sql).bind(at).bind(id).execute(&mut *c).await.map(|_| ()))
}

/// DEMO ONLY: the newest completed activities of the campaign (for their reports).
pub async fn latest_completed(tx: &mut Tx, campaign_id: i64, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "select id from activities where campaign_id = $1 and status = 'completed' and completed_at is not null
         order by completed_at desc, id desc limit $2")
        .bind(campaign_id).bind(limit).fetch_all(&mut *c).await)
}

/// DEMO ONLY: an activity loaded in bulk as held was published when it was made.
pub async fn backdate_published(tx: &mut Tx, activity_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update activities set published_at = coalesce(published_at, created_at) where id = $1")
        .bind(activity_id).execute(&mut *c).await.map(|_| ()))
}

/// DEMO ONLY: the team was formed at `at`.
pub async fn backdate_team_created(tx: &mut Tx, team_id: i64, at: i64) -> Result<(), sqlx::Error> {
    set_at(tx, "update teams set created_at = $1 where id = $2", at, team_id).await
}

/// DEMO ONLY: people joined their teams' rosters over the months after the team was formed (one
/// to eleven fortnights later, never after `now`), so the monthly statistics count registrations
/// in every month of the year.
pub async fn backdate_members_joined(tx: &mut Tx, now: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "update team_members set created_at =
            (select t.created_at from teams t where t.id = team_members.team_id) + (team_members.id % 12) * 1209600
         where (select t.created_at from teams t where t.id = team_members.team_id) + (team_members.id % 12) * 1209600 < $1")
        .bind(now).execute(&mut *c).await.map(|_| ()))
}

/// DEMO ONLY: the team's roster was submitted at `at`.
pub async fn backdate_roster_submitted(tx: &mut Tx, team_id: i64, at: i64) -> Result<(), sqlx::Error> {
    set_at(
        tx,
        "update teams set roster_submitted_at = $1 where id = $2",
        at,
        team_id,
    )
    .await
}

/// DEMO ONLY: the unit's traffic list was submitted at `at`.
pub async fn backdate_traffic_submitted(tx: &mut Tx, unit_id: i64, at: i64) -> Result<(), sqlx::Error> {
    set_at(
        tx,
        "update traffic_lists set submitted_at = $1 where unit_id = $2",
        at,
        unit_id,
    )
    .await
}

/// DEMO ONLY: the check-in was filed, forwarded and confirmed at `at`.
pub async fn backdate_checkin_confirmed(tx: &mut Tx, checkin_id: i64, at: i64) -> Result<(), sqlx::Error> {
    set_at(
        tx,
        "update checkins set filed_at = $1, forwarded_at = $1, confirmed_at = $1 where id = $2",
        at,
        checkin_id,
    )
    .await
}

/// DEMO ONLY: the check-in's plan was filed at `at`.
pub async fn backdate_plan_filed(tx: &mut Tx, checkin_id: i64, at: i64) -> Result<(), sqlx::Error> {
    set_at(
        tx,
        "update checkins set plan_filed_at = $1 where id = $2",
        at,
        checkin_id,
    )
    .await
}

/// DEMO ONLY: the activity's hours were confirmed, and it completed, at `at`.
pub async fn backdate_completed(tx: &mut Tx, activity_id: i64, at: i64) -> Result<(), sqlx::Error> {
    set_at(
        tx,
        "update activities set hours_confirmed_at = $1, completed_at = $1, status = 'completed' where id = $2",
        at,
        activity_id,
    )
    .await
}

/// One literal value of a bulk row.
#[derive(Clone, Debug)]
pub enum Lit {
    Int(i64),
    Text(String),
    Bool(bool),
    Null,
}

impl From<i64> for Lit {
    fn from(v: i64) -> Lit {
        Lit::Int(v)
    }
}

impl From<usize> for Lit {
    fn from(v: usize) -> Lit {
        Lit::Int(v as i64)
    }
}

impl From<bool> for Lit {
    fn from(v: bool) -> Lit {
        Lit::Bool(v)
    }
}

impl From<&str> for Lit {
    fn from(v: &str) -> Lit {
        Lit::Text(v.to_string())
    }
}

impl From<String> for Lit {
    fn from(v: String) -> Lit {
        Lit::Text(v)
    }
}

impl<T: Into<Lit>> From<Option<T>> for Lit {
    fn from(v: Option<T>) -> Lit {
        v.map_or(Lit::Null, Into::into)
    }
}

impl Lit {
    fn write(&self, out: &mut String) {
        match self {
            Lit::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Lit::Text(s) => {
                out.push('\'');
                out.push_str(&s.replace('\'', "''"));
                out.push('\'');
            }
            Lit::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Lit::Null => out.push_str("null"),
        }
    }
}

/// A row of literals: `row![a, b, c]`.
#[macro_export]
macro_rules! row {
    ($($v:expr),* $(,)?) => { vec![$($crate::db::demo::Lit::from($v)),*] };
}

/// DEMO ONLY: rows of literal values for one table, written out in statements of `chunk` rows.
pub struct Bulk {
    head: &'static str,
    rows: Vec<String>,
    chunk: usize,
}

impl Bulk {
    fn new(head: &'static str, chunk: usize) -> Bulk {
        Bulk {
            head,
            rows: vec![],
            chunk,
        }
    }

    /// `id, volunteer_no, name, sex, birth_date, phone, consent_at, created_at, updated_at`
    pub fn volunteers() -> Bulk {
        Bulk::new(
            "insert into volunteers (id, volunteer_no, name, sex, birth_date, phone, consent_at, created_at, updated_at)",
            2000,
        )
    }

    /// `id, team_id, volunteer_id, is_manager, created_at`
    pub fn team_members() -> Bulk {
        Bulk::new(
            "insert into team_members (id, team_id, volunteer_id, is_manager, created_at)",
            2000,
        )
    }

    /// A past activity: `id, campaign_id, team_id, community_id, title, category, dimension, form,
    /// address, starts_at, ends_at, month, day, capacity, taken, attended, open_to, status,
    /// code_secret, hours_confirmed_at, hours_confirmed_by, completed_at, leader_name, content,
    /// created_at, updated_at`
    pub fn held_activities() -> Bulk {
        Bulk::new(
            "insert into activities (id, campaign_id, team_id, community_id, title, category, dimension, form, address,
                starts_at, ends_at, month, day, capacity, taken, attended, open_to, status, code_secret, hours_confirmed_at,
                hours_confirmed_by, completed_at, leader_name, content, created_at, updated_at)",
            1000,
        )
    }

    /// An activity under way: `id, campaign_id, team_id, community_id, title, theme, category,
    /// dimension, form, address, starts_at, ends_at, month, day, capacity, taken, open_to, status,
    /// code_secret, leader_name, content, created_at, updated_at`
    pub fn live_activities() -> Bulk {
        Bulk::new(
            "insert into activities (id, campaign_id, team_id, community_id, title, theme, category, dimension, form, address,
                starts_at, ends_at, month, day, capacity, taken, open_to, status, code_secret, leader_name, content,
                created_at, updated_at)",
            2000,
        )
    }

    /// `activity_id, team_id`
    pub fn activity_teams() -> Bulk {
        Bulk::new("insert into activity_teams (activity_id, team_id)", 2000)
    }

    /// `id, activity_id, volunteer_id, signed_in_at, signed_out_at, method, month,
    /// auto_signed_out, minutes, confirmed_at, created_at`
    pub fn attendance() -> Bulk {
        Bulk::new(
            "insert into attendance (id, activity_id, volunteer_id, signed_in_at, signed_out_at, method, month,
                auto_signed_out, minutes, confirmed_at, created_at)",
            5000,
        )
    }

    /// `id, username, display_name, password_hash, role, lang, active, created_at, updated_at,
    /// password_changed_at`
    pub fn users() -> Bulk {
        Bulk::new(
            "insert into users (id, username, display_name, password_hash, role, lang, active, created_at, updated_at,
                password_changed_at)",
            2000,
        )
    }

    /// `id, user_id, csrf, kind, ip, created_at, last_seen_at, expires_at`
    pub fn sessions() -> Bulk {
        Bulk::new(
            "insert into sessions (id, user_id, csrf, kind, ip, created_at, last_seen_at, expires_at)",
            2000,
        )
    }

    /// `id, activity_id, volunteer_id, status, added_by, created_at, updated_at`
    pub fn signups() -> Bulk {
        Bulk::new(
            "insert into signups (id, activity_id, volunteer_id, status, added_by, created_at, updated_at)",
            2000,
        )
    }

    /// Adds a row, writing the statement out when it is full.
    pub async fn push(&mut self, tx: &mut Tx, row: Vec<Lit>) -> Result<(), sqlx::Error> {
        self.hold(row);
        if self.full() {
            self.flush(tx).await?;
        }
        Ok(())
    }

    /// Keeps the row for a later [`Bulk::flush`] (rows that refer to rows not yet written).
    pub fn hold(&mut self, row: Vec<Lit>) {
        let mut s = String::from("(");
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            v.write(&mut s);
        }
        s.push(')');
        self.rows.push(s);
    }

    pub fn full(&self) -> bool {
        self.rows.len() >= self.chunk
    }

    pub async fn flush(&mut self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!("{} values {}", self.head, self.rows.join(","));
        self.rows.clear();
        on_tx!(tx, c => sqlx::raw_sql(&sql).execute(&mut *c).await.map(|_| ()))
    }
}

/// The tables the scale demo writes with ids of its own choosing.
#[derive(Clone, Copy, Debug)]
pub enum BulkTable {
    Volunteers,
    TeamMembers,
    Activities,
    Attendance,
    Users,
    Signups,
}

impl BulkTable {
    pub const ALL: [BulkTable; 6] = [
        BulkTable::Volunteers,
        BulkTable::TeamMembers,
        BulkTable::Activities,
        BulkTable::Attendance,
        BulkTable::Users,
        BulkTable::Signups,
    ];

    fn name(self) -> &'static str {
        match self {
            BulkTable::Volunteers => "volunteers",
            BulkTable::TeamMembers => "team_members",
            BulkTable::Activities => "activities",
            BulkTable::Attendance => "attendance",
            BulkTable::Users => "users",
            BulkTable::Signups => "signups",
        }
    }
}

/// The largest id of a table (0 when empty).
pub async fn max_id(tx: &mut Tx, table: BulkTable) -> Result<i64, sqlx::Error> {
    let sql = format!("select coalesce(max(id), 0) from {}", table.name());
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(&sql).fetch_one(&mut *c).await)
}

/// DEMO ONLY: links each (volunteer, user) pair, in statements of 2,000.
pub async fn link_volunteer_users(tx: &mut Tx, links: &[(i64, i64)]) -> Result<(), sqlx::Error> {
    for chunk in links.chunks(2000) {
        let mut sql = String::from("update volunteers set user_id = case id ");
        for (v, u) in chunk {
            let _ = write!(sql, "when {v} then {u} ");
        }
        let ids: Vec<String> = chunk.iter().map(|(v, _)| v.to_string()).collect();
        let _ = write!(sql, "end where id in ({})", ids.join(","));
        on_tx!(tx, c => sqlx::raw_sql(&sql).execute(&mut *c).await.map(|_| ())?);
    }
    Ok(())
}

/// Ids were chosen by the bulk loader: moves PostgreSQL's identity sequences past them.
pub async fn move_id_sequences(db: &Db) -> Result<(), sqlx::Error> {
    if db.backend() != Backend::Postgres {
        return Ok(());
    }
    for table in BulkTable::ALL {
        let table = table.name();
        let sql = format!(
            "select setval(pg_get_serial_sequence('{table}', 'id'), (select coalesce(max(id), 1) from {table}))"
        );
        let mut tx = db.begin().await?;
        on_tx!(&mut tx, c => sqlx::raw_sql(&sql).execute(&mut *c).await.map(|_| ())?);
        tx.commit().await?;
    }
    Ok(())
}

/// Makes `campaign_id` the active campaign again (after a past year was opened behind it).
pub async fn make_active(tx: &mut Tx, campaign_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("update campaigns set active = (id = $1)").bind(campaign_id)
        .execute(&mut *c).await.map(|r| r.rows_affected())?);
    Ok(())
}
