//! A team's roster line by line: who is on it (masked unless the viewer keeps it), putting a
//! person on it (found, or recorded anew) and taking them off.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::load_for_change;
use crate::auth::policy::Object;
use crate::auth::Acting;
use crate::db::audit::Subject;
use crate::db::teams::Team;
use crate::db::volunteers::{self as store, Match, Member};
use crate::db::Db;
use crate::domain::campaign::{today, Categories};
use crate::domain::volunteer::{validate, Person, RawVolunteer, VolunteerFields};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::{privacy, validated, volunteers};

/// A roster line as shown: personal data masked unless the viewer maintains the roster.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    /// ID number, phone and guardian's phone masked (340524********001X) unless the viewer
    /// maintains the roster.
    #[serde(flatten)]
    pub person: Person,
    pub is_manager: bool,
    /// The person's service categories in this team (codes, comma-separated).
    #[schema(value_type = String)]
    pub categories: Categories,
}

pub fn member_view(m: &Member, full: bool) -> MemberView {
    let v = &m.volunteer;
    MemberView {
        volunteer_id: v.id,
        volunteer_no: v.volunteer_no.clone(),
        person: v.person.shown(full),
        is_manager: m.is_manager,
        categories: m.categories.clone(),
    }
}

/// The roster: masked, or in full when the caller asks (`reveal`) and keeps the roster; a full
/// view is written to the audit trail (`log_view`: an export writes its own entry instead).
pub async fn members(
    db: &Db,
    by: &Acting,
    id: i64,
    reveal: bool,
    log_view: bool,
) -> AppResult<(Team, Vec<MemberView>, bool)> {
    let (team, place) = super::load(db, by, id).await?;
    let full = privacy::reveals(by, reveal, &Object::Team(place))?;
    let members: Vec<MemberView> = store::members(db, id)
        .await?
        .iter()
        .map(|m| member_view(m, full))
        .collect();
    if full && log_view {
        let details = serde_json::json!({"rows": members.len()});
        privacy::log_unmasked(db, by, Subject::new("team", Some(id), &team.name), details).await?;
    }
    Ok((team, members, full))
}

/// The fields of a person as typed on the add-member form or sent as JSON.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct VolunteerInput {
    pub name: Option<String>,
    /// 男 / 女 (M / F).
    pub sex: Option<String>,
    /// `YYYY-MM-DD` (or `YYYY-MM`).
    pub birth_date: Option<String>,
    /// 居民身份证 (default when a number is given), 护照, 港澳居民来往内地通行证, 台湾居民来往大陆通行证, 其他.
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub residence: Option<String>,
    /// 中共党员, 共青团员, 群众, 入党积极分子 … (short forms accepted).
    pub political_status: Option<String>,
    pub employer: Option<String>,
    pub post: Option<String>,
    pub skills: Option<String>,
    pub categories: Option<String>,
    /// 管理人员: `true`/`false`, or 是/否 on forms.
    pub is_manager: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    /// The volunteer agreed to the collection of their data (required).
    pub consent: Option<String>,
    /// The volunteer agreed separately to the collection of the ID number (required with one).
    pub id_consent: Option<String>,
}

impl VolunteerInput {
    pub fn raw(&self) -> RawVolunteer {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        RawVolunteer {
            name: v(&self.name),
            sex: v(&self.sex),
            birth_date: v(&self.birth_date),
            id_type: v(&self.id_type),
            id_number: v(&self.id_number),
            phone: v(&self.phone),
            residence: v(&self.residence),
            political_status: v(&self.political_status),
            employer: v(&self.employer),
            post: v(&self.post),
            skills: v(&self.skills),
            categories: v(&self.categories),
            is_manager: match self.is_manager.as_deref() {
                Some("on") | Some("true") => "是".into(),
                Some("false") | Some("off") => String::new(),
                other => other.unwrap_or("").to_string(),
            },
            guardian_name: v(&self.guardian_name),
            guardian_phone: v(&self.guardian_phone),
        }
    }
}

/// A checkbox or yes/no answer that says yes.
pub fn checked(v: &Option<String>) -> bool {
    matches!(v.as_deref().map(str::trim), Some("on" | "true" | "1" | "yes" | "是"))
}

/// Checks a person's fields and consents; answers the fields or field errors.
pub fn check_volunteer(input: &VolunteerInput) -> AppResult<VolunteerFields> {
    let (f, problems) = validate(&input.raw(), &today());
    let mut errors: Vec<FieldError> = problems
        .into_iter()
        .map(|(field, key)| FieldError::new(field, key))
        .collect();
    if !checked(&input.consent) {
        errors.push(FieldError::new("consent", "err.consent"));
    }
    if f.id_number.is_some() && !checked(&input.id_consent) {
        errors.push(FieldError::new("id_consent", "err.id_consent"));
    }
    validated(errors)?;
    Ok(f)
}

/// Finds the person (by ID number, else name and phone) or records them, and puts them on the roster.
pub async fn add_member(db: &Db, by: &Acting, team_id: i64, input: &VolunteerInput) -> AppResult<MemberView> {
    load_for_change(db, by, team_id).await?;
    let f = check_volunteer(input)?;
    let actor = by.actor();
    let mut tx = db.begin().await?;
    let volunteer = match store::match_volunteer(&mut tx, f.id_number.as_deref(), &f.name, &f.phone).await? {
        // On this team (which the caller runs) or another team they run: theirs to update.
        Match::ById(id) | Match::ByNamePhone(id) if volunteers::holds_record(db, by, id).await? => {
            store::update_volunteer(&mut tx, &actor, id, &f).await?
        }
        // Kept by other teams only: put on the roster as it is; what was typed differently is
        // proposed to its teams.
        Match::ById(id) => {
            let v = store::volunteer_in_tx(&mut tx, id).await?;
            let diff = f.person.differences(&v.person);
            if !diff.is_empty() {
                crate::db::identity::propose_correction(&mut tx, &actor, id, None, &serde_json::Value::Object(diff))
                    .await?;
            }
            v
        }
        // A name and a phone do not prove it is the person another team keeps.
        Match::ByNamePhone(_) | Match::New => store::insert_volunteer(&mut tx, &actor, &f).await?,
    };
    store::add_member(&mut tx, &actor, team_id, volunteer.id, f.is_manager).await?;
    store::set_member_categories(
        &mut tx,
        &actor,
        team_id,
        volunteer.id,
        &Categories(f.categories.clone()),
    )
    .await?;
    crate::db::teams::reopen_roster_if_reviewed(&mut tx, &actor, team_id).await?;
    tx.commit().await?;
    let m = store::members(db, team_id)
        .await?
        .into_iter()
        .find(|m| m.volunteer.id == volunteer.id);
    // Masked: the person may be a record already kept, whose ID number a name and phone must not
    // reveal; the full view is one `reveal` away, and logged.
    m.map(|m| member_view(&m, false)).ok_or(AppError::NotFound)
}

pub async fn remove_member(db: &Db, by: &Acting, team_id: i64, volunteer_id: i64) -> AppResult<()> {
    load_for_change(db, by, team_id).await?;
    let actor = by.actor();
    let mut tx = db.begin().await?;
    if !store::remove_member(&mut tx, &actor, team_id, volunteer_id).await? {
        return Err(AppError::NotFound);
    }
    crate::db::teams::reopen_roster_if_reviewed(&mut tx, &actor, team_id).await?;
    tx.commit().await?;
    Ok(())
}
