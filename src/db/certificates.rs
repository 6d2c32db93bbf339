//! Service certificates (志愿服务证明).

use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Actor, Subject};
use super::{now, Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Certificate {
    pub id: i64,
    pub number: String,
    pub volunteer_id: i64,
    pub team_id: Option<i64>,
    pub issued_at: i64,
    /// What the certificate states, as issued (JSON).
    #[serde(skip)]
    pub statement: String,
    #[serde(skip)]
    pub signature: String,
    pub created_by: String,
}

pub async fn insert_certificate(
    tx: &mut Tx,
    actor: &Actor,
    number: &str,
    volunteer_id: i64,
    team_id: Option<i64>,
    statement: &serde_json::Value,
    signature: &str,
) -> Result<Certificate, sqlx::Error> {
    let t = now();
    let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "insert into certificates (number, volunteer_id, team_id, issued_at, statement, signature, created_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id")
        .bind(number).bind(volunteer_id).bind(team_id).bind(t).bind(statement.to_string()).bind(signature)
        .bind(&actor.username).fetch_one(&mut *c).await?);
    audit::record_raw(
        tx,
        actor,
        audit::Op::IssueCertificate,
        Subject::new("certificate", Some(id), number),
        statement,
    )
    .await?;
    Ok(Certificate {
        id,
        number: number.to_string(),
        volunteer_id,
        team_id,
        issued_at: t,
        statement: statement.to_string(),
        signature: signature.to_string(),
        created_by: actor.username.clone(),
    })
}

pub async fn certificate_by_number(db: &Db, number: &str) -> Result<Option<Certificate>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("select * from certificates where number = $1")
        .bind(number).fetch_optional(pool).await)
}

/// The order of a volunteer's certificates, newest first (here and in [`own_record_pg`]).
const CERTIFICATES_ORDER: &str = "issued_at desc, id desc";

pub async fn certificates_of(db: &Db, volunteer_id: i64) -> Result<Vec<Certificate>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(&format!("select * from certificates where volunteer_id = $1 order by {CERTIFICATES_ORDER}"))
        .bind(volunteer_id).fetch_all(pool).await)
}

/// Everything a volunteer's own service record shows, read in one statement on PostgreSQL, each
/// part as JSON text in the order its own read gives (`volunteers::get_volunteer`, the teams of
/// `volunteers::volunteer_teams`, `volunteers::trainings_of`, `attendance::service_lines`,
/// `settings::rules`, [`certificates_of`], and the nominations that are not withdrawn with their
/// honour's number): a page of seven reads paid seven round trips. None on SQLite, whose reads
/// are in process.
pub async fn own_record_pg(db: &Db, volunteer_id: i64) -> Result<Option<OwnRecordJson>, sqlx::Error> {
    if !matches!(db, Db::Pg(_)) {
        return Ok(None);
    }
    use super::attendance::{SERVICE_LINES, SERVICE_LINES_ORDER};
    use super::volunteers::{TRAININGS, TRAININGS_ORDER};
    let sql = format!(
        "select (select row_to_json(v)::text from volunteers v where v.id = $1) as volunteer,
            (select coalesce(json_agg(json_build_object('team_id', t.id, 'team', t.name,
                    'org', coalesce(u.name, c.name), 'campaign_id', t.campaign_id) order by t.id), '[]')::text
             from teams t left join units u on u.id = t.unit_id left join communities c on c.id = t.community_id
             where t.id in (select team_id from team_members where volunteer_id = $1)) as teams,
            (select coalesce(json_agg(x order by {trainings_order}), '[]')::text from ({trainings}) x) as trainings,
            (select coalesce(json_agg(x order by {lines_order}), '[]')::text from ({lines}) x) as lines,
            (select value from settings where key = 'service_rules') as rules,
            (select coalesce(json_agg(c order by {certificates_order}), '[]')::text
             from certificates c where c.volunteer_id = $1) as certificates,
            (select coalesce(json_agg(json_build_object('id', n.id, 'category_name', k.name, 'status', n.status,
                    'certificate', h.number) order by n.category_id, n.status, n.id), '[]')::text
             from nominations n join commendation_categories k on k.id = n.category_id
             left join honour_certificates h on h.nomination_id = n.id
             where n.volunteer_id = $1 and n.status <> 'withdrawn') as honours",
        trainings = TRAININGS,
        trainings_order = TRAININGS_ORDER,
        lines = SERVICE_LINES,
        lines_order = SERVICE_LINES_ORDER,
        certificates_order = CERTIFICATES_ORDER,
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(volunteer_id).fetch_optional(pool).await)
}

/// See [`own_record_pg`]: JSON text, read with [`OwnRecordJson::part`].
#[derive(Debug, sqlx::FromRow)]
pub struct OwnRecordJson {
    pub volunteer: Option<String>,
    pub teams: String,
    pub trainings: String,
    pub lines: String,
    pub rules: Option<String>,
    pub certificates: String,
    pub honours: String,
}

impl OwnRecordJson {
    /// One part, as its type (a part that does not read is an error, not an empty list).
    pub fn part<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, sqlx::Error> {
        serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }

    /// The certificates, with the statement and signature that [`Certificate`] keeps out of its JSON.
    pub fn certificates(&self) -> Result<Vec<Certificate>, sqlx::Error> {
        #[derive(serde::Deserialize)]
        struct Row {
            id: i64,
            number: String,
            volunteer_id: i64,
            team_id: Option<i64>,
            issued_at: i64,
            statement: String,
            signature: String,
            created_by: String,
        }
        let rows: Vec<Row> = Self::part(&self.certificates)?;
        Ok(rows
            .into_iter()
            .map(|r| Certificate {
                id: r.id,
                number: r.number,
                volunteer_id: r.volunteer_id,
                team_id: r.team_id,
                issued_at: r.issued_at,
                statement: r.statement,
                signature: r.signature,
                created_by: r.created_by,
            })
            .collect())
    }
}
