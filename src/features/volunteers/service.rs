//! A volunteer's record as one viewer may see it, the volunteer correcting their own, signing up
//! (on the public page or through a team's invitation) and the team deciding uncertain sign-ups.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy::{self, Action, Object, TeamPlace};
use crate::auth::{new_token, Acting};
use crate::db::audit::{self, Actor, Subject};
use crate::db::identity::{self as idstore, WaitingLink as PendingLink};
use crate::db::teams::Team;
use crate::db::volunteers::{self as store, Match, TrainingLine, Volunteer};
use crate::db::{now, users, Db};
use crate::domain::phone::Phone;
use crate::domain::politics::PoliticalStatus;
use crate::domain::volunteer::{LinkDecision as Decision, Person, VolunteerFields};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::teams::{self, check_volunteer, VolunteerInput};
use crate::features::users::AccountInput;
use crate::features::{conflict_on_unique, ensure, identity, optional_text, validated};

/// A person's record as shown to one viewer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Record {
    pub id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub id_type: String,
    /// Masked unless the viewer maintains the record and asked to see it (`reveal`).
    pub id_number: Option<String>,
    pub phone: String,
    pub residence: String,
    pub political_status: String,
    pub employer: String,
    pub post: String,
    pub skills: String,
    pub guardian_name: String,
    /// Whether personal data is shown in full.
    pub unmasked: bool,
    /// Whether the viewer keeps this record and may ask to see it in full (`reveal`).
    pub may_reveal: bool,
    pub consent_at: Option<i64>,
    pub id_consent_at: Option<i64>,
    pub teams: Vec<TeamLine>,
    pub trainings: Vec<TrainingLine>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TeamLine {
    pub team_id: i64,
    pub team: String,
    pub org: String,
    pub campaign_id: i64,
}

async fn places(db: &Db, teams: &[Team]) -> AppResult<Vec<TeamPlace>> {
    let mut out = vec![];
    for t in teams {
        out.push(teams::place(db, t).await?);
    }
    Ok(out)
}

fn record(v: &Volunteer, teams: Vec<TeamLine>, trainings: Vec<TrainingLine>, full: bool, may_reveal: bool) -> Record {
    // The guardian's phone is not part of the record as shown.
    let p = v.person.shown(full);
    Record {
        id: v.id,
        volunteer_no: v.volunteer_no.clone(),
        name: p.name,
        sex: p.sex,
        birth_date: p.birth_date,
        id_type: p.id_type,
        id_number: p.id_number,
        phone: p.phone,
        residence: p.residence,
        political_status: p.political_status,
        employer: p.employer,
        post: p.post,
        skills: p.skills,
        guardian_name: p.guardian_name,
        unmasked: full,
        may_reveal,
        consent_at: v.consent_at,
        id_consent_at: v.id_consent_at,
        teams,
        trainings,
    }
}

fn team_lines(teams: &[Team]) -> Vec<TeamLine> {
    teams
        .iter()
        .map(|t| TeamLine {
            team_id: t.id,
            team: t.name.clone(),
            org: t.org_name.clone(),
            campaign_id: t.campaign_id,
        })
        .collect()
}

/// One's own record from parts already read (`db::certificates::own_record_pg`), as
/// [`record_of`] shows it to its owner: in full, nothing to reveal, nothing logged. None when the
/// record is not the caller's (then [`record_of`] decides).
pub fn own_record(
    by: &Acting,
    v: &Volunteer,
    teams: Vec<TeamLine>,
    trainings: Vec<TrainingLine>,
) -> AppResult<Option<Record>> {
    let p = by.user()?;
    if v.user_id != Some(p.user_id) {
        return Ok(None);
    }
    ensure(
        p,
        Action::View,
        &Object::Volunteer {
            user_id: v.user_id,
            teams: vec![],
        },
    )?;
    Ok(Some(record(v, teams, trainings, true, false)))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevealParam {
    /// Show ID number and phone in full (for those who maintain the record); the view is logged.
    pub reveal: Option<bool>,
}

/// A person's record as the caller may see it; an unmasked view is written to the audit trail.
pub async fn record_of(db: &Db, by: &Acting, id: i64, reveal: bool) -> AppResult<Record> {
    let p = by.user()?;
    let v = store::get_volunteer(db, id).await?.ok_or(AppError::NotFound)?;
    let teams = store::volunteer_teams(db, id).await?;
    let own = v.user_id == Some(p.user_id);
    // One's own record is seen for being one's own: the teams' places (a lookup per team) only
    // matter for someone else's.
    let obj = Object::Volunteer {
        user_id: v.user_id,
        teams: if own { vec![] } else { places(db, &teams).await? },
    };
    ensure(p, Action::View, &obj)?;
    let full = own || (reveal && policy::may_reveal(p, &obj));
    if full && !own {
        let mut tx = db.begin().await?;
        audit::record_raw(
            &mut tx,
            &by.actor(),
            audit::Op::ViewUnmasked,
            Subject::new("volunteer", Some(id), &v.volunteer_no),
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
    }
    let may_reveal = !own && policy::may_reveal(p, &obj);
    Ok(record(
        &v,
        team_lines(&teams),
        store::trainings_of(db, id).await?,
        full,
        may_reveal,
    ))
}

/// The caller's own volunteer record, or why there is none (none yet, or waiting for the team).
pub async fn own_volunteer(db: &Db, by: &Acting) -> AppResult<Volunteer> {
    let p = by.user()?;
    match store::volunteer_by_user(db, p.user_id).await? {
        Some(v) => Ok(v),
        None => {
            let waiting = idstore::pending_count(db, p.user_id).await?;
            Err(AppError::BadRequest(if waiting > 0 {
                "err.link_pending"
            } else {
                "err.no_volunteer_record"
            }))
        }
    }
}

/// The fields a volunteer corrects themselves; name and ID number are corrected by their team.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct SelfInput {
    pub phone: Option<String>,
    pub residence: Option<String>,
    pub political_status: Option<String>,
    pub employer: Option<String>,
    pub post: Option<String>,
    pub skills: Option<String>,
}

pub async fn update_me(db: &Db, by: &Acting, input: &SelfInput) -> AppResult<Record> {
    let v = own_volunteer(db, by).await?;
    let mut errors = vec![];
    let mut f = VolunteerFields {
        person: Person {
            name: v.name.clone(),
            ..Default::default()
        },
        ..Default::default()
    };
    f.phone = match Phone::parse(input.phone.as_deref().unwrap_or("")) {
        Some(p) => p.as_str().into(),
        None => {
            errors.push(FieldError::new("phone", "err.phone"));
            String::new()
        }
    };
    if let Some(s) = input
        .political_status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match PoliticalStatus::parse(s) {
            Ok(ps) => f.political_status = ps.code().into(),
            Err(k) => errors.push(FieldError::new("political_status", k)),
        }
    }
    f.residence = optional_text("residence", input.residence.as_deref(), 100, &mut errors);
    f.employer = optional_text("employer", input.employer.as_deref(), 100, &mut errors);
    f.post = optional_text("post", input.post.as_deref(), 50, &mut errors);
    f.skills = optional_text("skills", input.skills.as_deref(), 200, &mut errors);
    validated(errors)?;
    let mut tx = db.begin().await?;
    store::update_volunteer(&mut tx, &by.actor(), v.id, &f).await?;
    tx.commit().await?;
    record_of(db, by, v.id, false).await
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct JoinInput {
    #[serde(flatten)]
    pub person: VolunteerInput,
    /// Optional: a volunteer signs in with the mobile number of `phone`. A username is needed
    /// only without a mobile number (or to sign in with one as well); one is made up otherwise.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Optional: an e-mail address a password-recovery code may be sent to.
    pub email: Option<String>,
    /// An invitation from a team (from its link).
    pub invite: Option<String>,
}

/// Signs a volunteer up: an account of their own, linked to their record (found by ID number,
/// else name and phone, or new), and on the inviting team's roster when invited.
pub async fn join(db: &Db, by: &Acting, input: &JoinInput) -> AppResult<Joined> {
    let mut errors = vec![];
    let f = match check_volunteer(&input.person) {
        Ok(f) => Some(f),
        Err(AppError::Validation(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    // The mobile number is the login; without one, a username of one's own is needed.
    let mobile = f.as_ref().and_then(|f| Phone::mobile(&f.phone));
    let typed_username = input.username.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let username = match (typed_username, &mobile) {
        (Some(u), _) => Some(u.to_string()),
        (None, Some(_)) => Some(format!("v{}", &new_token()[..10])),
        (None, None) => {
            if f.is_some() {
                errors.push(FieldError::new("username", "err.username_or_mobile"));
            }
            None
        }
    };
    let email = match input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => String::new(),
        Some(e) => crate::domain::login::email(e).unwrap_or_else(|| {
            errors.push(FieldError::new("email", "err.email"));
            String::new()
        }),
    };
    let account = AccountInput {
        // Without a username (already refused above), the other fields are still checked.
        username: username.clone().or(Some("volunteer-to-be".into())),
        role: Some("volunteer".into()),
        password: input.password.clone(),
        active: Some(true),
        ..Default::default()
    };
    let fields = match crate::features::users::validate(db, &account, true).await {
        Ok((fields, _)) => Some(fields),
        Err(AppError::Validation(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let team_id = match input.invite.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(token) => match store::invitation(db, &crate::auth::token_hash(token)).await? {
            Some((team, expires)) if expires > now() => Some(team),
            _ => {
                errors.push(FieldError::new("invite", "err.invite_invalid"));
                None
            }
        },
    };
    validated(errors)?;
    let (f, fields) = (f.expect("validated"), fields.expect("validated"));
    let hash = crate::auth::hash_password_blocking(input.password.clone().unwrap_or_default()).await?;
    let actor = Actor {
        user_id: None,
        username: format!("(join:{})", fields.username),
        ip: by.ip.clone(),
    };
    let mut tx = db.begin().await?;
    let user = users::create_account(&mut tx, &actor, &fields, &hash)
        .await
        .map_err(|e| conflict_on_unique(e, "username", "err.username_taken"))?;
    if mobile.is_some() || !email.is_empty() {
        let phone = mobile.as_ref().map(|p| p.as_str()).unwrap_or("");
        users::set_contact(&mut tx, &actor, user.id, phone, &email)
            .await
            .map_err(|e| conflict_on_unique(e, "phone", "err.phone_taken"))?;
    }
    let already = || AppError::Conflict(vec![FieldError::new("name", "err.already_registered")]);
    let found = store::match_volunteer(&mut tx, f.id_number.as_deref(), &f.name, &f.phone).await?;
    let v = match found {
        // Knowing someone's ID number, or their name and phone, proves nothing: the account waits
        // until its holder proves the phone on record with a code, or the team confirms. What
        // they typed does not touch the record.
        Match::ById(id) | Match::ByNamePhone(id) => {
            let existing = store::get_volunteer(db, id).await?.ok_or(AppError::NotFound)?;
            if existing.user_id.is_some() {
                return Err(already());
            }
            let data = serde_json::to_string(&input.person).map_err(|e| AppError::Internal(e.into()))?;
            let pending = idstore::PendingLink {
                user_id: user.id,
                volunteer_id: id,
                team_id,
                data,
            };
            idstore::insert_pending(&mut tx, &pending).await?;
            let summary = serde_json::json!({"user": user.username, "volunteer_id": id});
            let subject = Subject::new("pending_link", Some(id), &existing.volunteer_no);
            audit::record_raw(&mut tx, &actor, audit::Op::Create, subject, &summary).await?;
            let code_sent = identity::issue_code(&mut tx, user.id, &existing, by.lang).await?;
            let teams: Vec<i64> = match team_id {
                Some(t) => vec![t],
                None => store::volunteer_teams(db, id)
                    .await?
                    .into_iter()
                    .map(|t| t.id)
                    .collect(),
            };
            crate::features::notifications::events::signup_waiting(&mut tx, user.id, &f.name, &teams).await?;
            tx.commit().await?;
            return Ok(Joined {
                volunteer_no: None,
                pending: true,
                code_sent,
            });
        }
        Match::New => store::insert_volunteer(&mut tx, &actor, &f).await?,
    };
    store::link_user(&mut tx, &actor, v.id, user.id).await?;
    if let Some(team) = team_id {
        store::add_member(&mut tx, &actor, team, v.id, false).await?;
        crate::db::teams::reopen_roster_if_reviewed(&mut tx, &actor, team).await?;
    }
    tx.commit().await?;
    Ok(Joined {
        volunteer_no: Some(v.volunteer_no),
        pending: false,
        code_sent: false,
    })
}

/// A sign-up waiting for its team to confirm that it is the person on record.
pub async fn pending(db: &Db, by: &Acting, team_id: i64) -> AppResult<Vec<PendingLink>> {
    teams::service::load_to_maintain(db, by, team_id).await?;
    let mut rows = idstore::waiting_on_team(db, team_id).await?;
    for r in &mut rows {
        if r.on_roster {
            r.phone = Phone::mask(&r.phone);
        } else {
            // Invited, and matched someone this team does not keep: show only what they typed.
            let typed: serde_json::Value = serde_json::from_str(&r.data).unwrap_or_default();
            r.name = typed["name"].as_str().unwrap_or("").to_string();
            r.volunteer_no = String::new();
            r.phone = String::new();
        }
    }
    Ok(rows)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct LinkDecision {
    /// `confirm` (the same person: link the account to the record) or `reject` (another person:
    /// a record of their own).
    pub decision: Option<String>,
}

/// The team decides an uncertain sign-up. Only a team that keeps the matched record may confirm
/// that it is the same person (the record is then linked, unchanged; what the person typed
/// differently is proposed as a correction); the team that invited them may only give them a
/// record of their own.
pub async fn decide(db: &Db, by: &Acting, team_id: i64, user_id: i64, input: &LinkDecision) -> AppResult<Volunteer> {
    let found = pending(db, by, team_id)
        .await?
        .into_iter()
        .find(|p| p.user_id == user_id)
        .ok_or(AppError::NotFound)?;
    let link = idstore::pending_of(db, user_id).await?.ok_or(AppError::NotFound)?;
    let actor = by.actor();
    let mut tx = db.begin().await?;
    let v = match input.decision.as_deref().and_then(Decision::parse) {
        Some(Decision::Confirm) => {
            if !holds_record(db, by, found.volunteer_id).await? {
                return Err(AppError::Forbidden);
            }
            let v = identity::link(&mut tx, &actor, &link, "team").await?;
            tx.commit().await?;
            return Ok(v);
        }
        Some(Decision::Reject) => {
            let person: VolunteerInput = serde_json::from_str(&link.data).map_err(|e| AppError::Internal(e.into()))?;
            let f = check_volunteer(&person)?;
            // Their own record cannot carry the ID number of the record they matched.
            let mut f = f;
            f.id_number = None;
            f.id_type = String::new();
            store::insert_volunteer(&mut tx, &actor, &f).await?
        }
        _ => return Err(AppError::field("decision", "err.decision")),
    };
    store::link_user(&mut tx, &actor, v.id, user_id).await?;
    if let Some(team) = link.team_id {
        store::add_member(&mut tx, &actor, team, v.id, false).await?;
    }
    idstore::delete_pending(&mut tx, user_id).await?;
    let summary = serde_json::json!({"decision": input.decision, "user_id": user_id});
    let subject = Subject::new("pending_link", Some(found.volunteer_id), &found.volunteer_no);
    audit::record_raw(&mut tx, &actor, audit::Op::Update, subject, &summary).await?;
    tx.commit().await?;
    Ok(v)
}

/// Whether the caller maintains the record (may update it through one of its teams).
pub async fn holds_record(db: &Db, by: &Acting, volunteer_id: i64) -> AppResult<bool> {
    let teams = store::volunteer_teams(db, volunteer_id).await?;
    let obj = Object::Volunteer {
        user_id: None,
        teams: places(db, &teams).await?,
    };
    Ok(policy::allows(by.user()?, Action::Update, &obj))
}

#[derive(Serialize, ToSchema)]
pub struct Invitation {
    /// The link to send; it works for 30 days.
    pub url: String,
    pub expires_at: i64,
}

/// Makes an invitation link for a team (those who maintain its roster).
pub async fn invite(db: &Db, by: &Acting, team_id: i64) -> AppResult<Invitation> {
    teams::service::load_to_maintain(db, by, team_id).await?;
    let token = new_token();
    let expires_at = now() + 30 * 86400;
    let mut tx = db.begin().await?;
    store::insert_invitation(
        &mut tx,
        &by.actor(),
        &crate::auth::token_hash(&token),
        team_id,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(Invitation {
        url: format!("/join?invite={token}"),
        expires_at,
    })
}

#[derive(Serialize, ToSchema)]
pub struct Joined {
    /// The volunteer number, once the account is linked to a record.
    pub volunteer_no: Option<String>,
    /// True when the sign-up matched a record (by ID number, or by name and phone): the account is
    /// linked once its holder proves the phone on record with a code (`POST /api/v1/me/link`), or
    /// the team that keeps the record confirms.
    pub pending: bool,
    /// True when a code was sent to the phone on the record.
    pub code_sent: bool,
}

/// Everything kept about the caller as a volunteer (PIPL: a copy of one's own data); the copy is
/// written to the audit trail.
pub async fn export_me(db: &Db, by: &Acting) -> AppResult<(Volunteer, Record)> {
    let v = own_volunteer(db, by).await?;
    let r = record_of(db, by, v.id, false).await?;
    let mut tx = db.begin().await?;
    audit::record_raw(
        &mut tx,
        &by.actor(),
        audit::Op::Export,
        Subject::new("volunteer", Some(v.id), &v.volunteer_no),
        &serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok((v, r))
}
