//! Volunteer teams and their rosters (附件2): registering a team, typing or uploading its roster,
//! submitting it to the district, the district accepting or returning it; the unit's managers.

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::volunteers::RevealParam;
use super::{ensure, optional_phone, optional_text, required_name, validated};
use crate::auth::policy::{self, Action, Listing, Object, Principal, Role, Scope, TeamPlace};
use crate::db::audit::{self, Subject};
use crate::db::campaign::{self as store, Campaign, Manager, Match, Member, Team, TeamFields, TeamScope};
use crate::db::orgs::{self, Page};
use crate::domain::campaign::{category_label, category_labels, parse_categories, today, CATEGORIES};
use crate::domain::dates::format_ymd;
use crate::domain::id_number::ResidentId;
use crate::domain::phone::Phone;
use crate::domain::politics::PoliticalStatus;
use crate::domain::text::match_key;
use crate::domain::volunteer::{id_type_label, validate, validate_sheet_row, RawVolunteer, VolunteerFields};
use crate::error::{AppError, AppResult, FieldError};
use crate::excel::{self, CellError, Column, ImportReport};
use crate::i18n::{t, tf};
use crate::state::AppState;
use crate::web::form::{lenient_i64, outcome, Choice, Field, FormPage};
use crate::web::list::{Cell, Filter, Link, ListPage, Row};
use crate::web::{redirect_with_flash, Ctx};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/teams", get(page_list).post(page_create))
        .route("/teams/new", get(page_new))
        .route("/teams/{id}", get(page_team).post(page_update))
        .route("/teams/{id}/edit", get(page_edit))
        .route("/teams/{id}/submit", post(page_submit))
        .route("/teams/{id}/review", post(page_review))
        .route("/teams/{id}/members", post(page_add_member))
        .route("/teams/{id}/members/new", get(page_new_member))
        .route("/teams/{id}/members/{volunteer_id}/delete", post(page_remove_member))
        .route("/teams/{id}/roster/import", get(page_import).post(page_import_upload))
        .route("/teams/{id}/roster/export.xlsx", get(export))
        .route("/roster/template.xlsx", get(template))
        .route("/managers", post(page_add_manager))
        .route("/managers/{id}/delete", post(page_delete_manager))
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update))
        .routes(routes!(api_members, api_add_member))
        .routes(routes!(api_remove_member))
        .routes(routes!(api_submit))
        .routes(routes!(api_review))
        .routes(routes!(api_import))
        .routes(routes!(export))
        .routes(routes!(template))
        .routes(routes!(api_managers, api_add_manager))
        .routes(routes!(api_delete_manager))
        .layer(DefaultBodyLimit::max(excel::MAX_UPLOAD_BYTES + 64 * 1024))
}

// ------------------------------------------------------------ teams

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct TeamInput {
    /// The unit the team belongs to (district only; a unit's own staff need not give it).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    /// Or the community, for a resident team.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    pub name: Option<String>,
    /// 负责人.
    pub leader_name: Option<String>,
    pub leader_phone: Option<String>,
    /// 联系人.
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Service categories: codes, numbers 1–7 or names, separated by commas or 、.
    pub categories: Option<String>,
    /// `YYYY-MM-DD`.
    pub founded_on: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamListParams {
    pub q: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub unit_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub community_id: Option<i64>,
    /// Only rosters in this state: `draft`, `submitted`, `accepted` or `returned`.
    pub status: Option<String>,
    /// Page number, from 1.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub page: Option<i64>,
    /// Rows per page (1–500, default 20).
    #[serde(default, deserialize_with = "lenient_i64")]
    pub per_page: Option<i64>,
}

/// Where a team sits in the tree, for the policy.
pub async fn place(state: &AppState, team: &Team) -> AppResult<TeamPlace> {
    let (paired_community_ids, paired_street_ids) = match team.unit_id {
        Some(u) => orgs::unit_pairing_tree(&state.db, u).await?,
        None => (vec![], vec![]),
    };
    Ok(TeamPlace {
        unit_id: team.unit_id,
        community_id: team.community_id,
        street_id: team.street_id,
        paired_community_ids,
        paired_street_ids,
    })
}

/// The team and its place, after a View check.
pub async fn load(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<(Team, TeamPlace)> {
    let team = store::get_team(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let place = place(state, &team).await?;
    ensure(ctx.user()?, Action::View, &Object::Team(place.clone()))?;
    Ok((team, place))
}

/// The team, after an Update check, in the active campaign (past campaigns are read-only).
async fn load_for_change(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<(Team, TeamPlace, Campaign)> {
    let (team, place) = load(state, ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &Object::Team(place.clone()))?;
    let campaign = super::campaign::active(state).await?;
    if campaign.id != team.campaign_id {
        return Err(AppError::BadRequest("err.campaign_closed"));
    }
    Ok((team, place, campaign))
}

fn team_scope(p: &Principal, params: &TeamListParams) -> AppResult<TeamScope> {
    let mut s = TeamScope::of(policy::list_scope(p, Listing::Teams)).ok_or(AppError::Forbidden)?;
    // Narrowing within the scope; it never widens it.
    if let Some(u) = params.unit_id {
        if s.unit.is_some_and(|own| own != u) {
            return Err(AppError::Forbidden);
        }
        s.unit = Some(u);
    }
    if let Some(c) = params.community_id {
        if s.community.is_some_and(|own| own != c) {
            return Err(AppError::Forbidden);
        }
        s.community = Some(c);
    }
    Ok(s)
}

pub async fn list(state: &AppState, ctx: &Ctx, params: &TeamListParams) -> AppResult<Vec<Team>> {
    let p = ctx.user()?;
    let campaign = super::campaign::active(state).await?;
    let scope = team_scope(p, params)?;
    let mut teams = store::list_teams(&state.db, campaign.id, scope, params.q.as_deref()).await?;
    if params.community_id.is_some() {
        // Narrowed to a community: its own teams only, not the units paired with it.
        teams.retain(|t| t.community_id == params.community_id);
    }
    if let Some(status) = params.status.as_deref().filter(|s| !s.is_empty()) {
        teams.retain(|t| t.roster_status == status);
    }
    Ok(teams)
}

fn team_fields(input: &TeamInput, errors: &mut Vec<FieldError>) -> TeamFields {
    let categories = match parse_categories(input.categories.as_deref().unwrap_or("")) {
        Ok(c) => c.join(","),
        Err(part) => {
            errors.push(FieldError::new("categories", "err.category").with("value", part));
            String::new()
        }
    };
    let founded_on = match input.founded_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => String::new(),
        Some(s) => crate::domain::dates::parse_date(s).map(format_ymd).unwrap_or_else(|k| {
            errors.push(FieldError::new("founded_on", k));
            s.to_string()
        }),
    };
    TeamFields {
        name: required_name("name", input.name.as_deref(), errors),
        leader_name: optional_text("leader_name", input.leader_name.as_deref(), 50, errors),
        leader_phone: optional_phone("leader_phone", input.leader_phone.as_deref(), errors),
        contact_name: optional_text("contact_name", input.contact_name.as_deref(), 50, errors),
        contact_phone: optional_phone("contact_phone", input.contact_phone.as_deref(), errors),
        categories,
        founded_on,
    }
}

pub async fn create(state: &AppState, ctx: &Ctx, input: &TeamInput) -> AppResult<Team> {
    let p = ctx.user()?;
    let campaign = super::campaign::active(state).await?;
    let mut errors = vec![];
    let f = team_fields(input, &mut errors);
    // Staff of a unit or a community register their own; the district and streets name the org.
    let (unit_id, community_id) = match p.role {
        Role::UnitAdmin => (p.unit_id, None),
        Role::CommunityAdmin => (None, p.community_id),
        _ => (
            input.unit_id,
            if input.unit_id.is_some() {
                None
            } else {
                input.community_id
            },
        ),
    };
    let mut place = TeamPlace {
        unit_id,
        community_id,
        ..Default::default()
    };
    match (unit_id, community_id) {
        (Some(u), _) => {
            if orgs::get_unit(&state.db, u).await?.is_none() {
                errors.push(FieldError::new("unit_id", "err.no_such_unit"));
            }
        }
        (_, Some(c)) => match orgs::get_community(&state.db, c).await? {
            Some(c) => place.street_id = Some(c.street_id),
            None => errors.push(FieldError::new("community_id", "err.no_such_community")),
        },
        _ => errors.push(FieldError::new("unit_id", "err.team_org_required")),
    }
    validated(errors)?;
    ensure(p, Action::Create, &Object::Team(place))?;
    let mut tx = state.db.begin().await?;
    let team = store::create_team(&mut tx, &ctx.actor(), campaign.id, unit_id, community_id, &f)
        .await
        .map_err(|e| super::conflict_on_unique(e, "name", "err.team_taken"))?;
    tx.commit().await?;
    Ok(team)
}

pub async fn update(state: &AppState, ctx: &Ctx, id: i64, input: &TeamInput) -> AppResult<Team> {
    load_for_change(state, ctx, id).await?;
    let mut errors = vec![];
    let f = team_fields(input, &mut errors);
    validated(errors)?;
    let mut tx = state.db.begin().await?;
    let team = store::update_team(&mut tx, &ctx.actor(), id, &f)
        .await
        .map_err(|e| super::conflict_on_unique(e, "name", "err.team_taken"))?;
    tx.commit().await?;
    Ok(team)
}

/// Sends the roster to the district office; late when past the milestone (the board shows it).
pub async fn submit(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<Team> {
    let (team, _, _) = load_for_change(state, ctx, id).await?;
    let mut errors = vec![];
    if matches!(team.roster_status.as_str(), "submitted" | "accepted" | "resubmitted") {
        return Err(AppError::Conflict(vec![FieldError::new(
            "roster_status",
            "err.roster_already_submitted",
        )]));
    }
    if team.members == 0 {
        errors.push(FieldError::new("members", "err.roster_empty"));
    }
    if team.leader_name.is_empty() || team.leader_phone.is_empty() {
        errors.push(FieldError::new("leader_name", "err.roster_needs_leader"));
    }
    if team.contact_name.is_empty() || team.contact_phone.is_empty() {
        errors.push(FieldError::new("contact_name", "err.roster_needs_contact"));
    }
    validated(errors)?;
    let mut tx = state.db.begin().await?;
    // Changed after it was accepted: its own state, so that the office sees what it reviews again.
    let status = if team.roster_accepted_submitted_at.is_some() {
        "resubmitted"
    } else {
        "submitted"
    };
    let team = store::set_roster_status(&mut tx, &ctx.actor(), id, status, "").await?;
    tx.commit().await?;
    Ok(team)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ReviewInput {
    /// `accept` or `return`.
    pub decision: Option<String>,
    /// Required when returning: what the unit must fix.
    pub reason: Option<String>,
}

/// The district accepts a submitted roster, or returns it with a reason.
pub async fn review(state: &AppState, ctx: &Ctx, id: i64, input: &ReviewInput) -> AppResult<Team> {
    let (team, _) = load(state, ctx, id).await?;
    ensure(ctx.user()?, Action::Update, &Object::RosterReview)?;
    if !matches!(team.roster_status.as_str(), "submitted" | "resubmitted") {
        return Err(AppError::Conflict(vec![FieldError::new(
            "roster_status",
            "err.roster_not_submitted",
        )]));
    }
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("").to_string();
    let status = match input.decision.as_deref() {
        Some("accept") => "accepted",
        Some("return") if reason.is_empty() => return Err(AppError::field("reason", "err.reason_required")),
        Some("return") => "returned",
        _ => return Err(AppError::field("decision", "err.decision")),
    };
    if reason.chars().count() > 500 {
        return Err(AppError::field("reason", "err.text_too_long"));
    }
    let mut tx = state.db.begin().await?;
    let team = store::set_roster_status(&mut tx, &ctx.actor(), id, status, &reason).await?;
    tx.commit().await?;
    Ok(team)
}

// ------------------------------------------------------------ members

/// A roster line as shown: personal data masked unless the viewer maintains the roster.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    /// `M`, `F` or empty.
    pub sex: String,
    pub birth_date: String,
    /// A political status code (see the roster template for the names).
    pub political_status: String,
    pub id_type: String,
    /// Masked (340524********001X) unless the viewer maintains the roster.
    pub id_number: Option<String>,
    pub phone: String,
    pub residence: String,
    pub employer: String,
    pub post: String,
    pub skills: String,
    pub is_manager: bool,
    /// The person's service categories in this team (codes, comma-separated).
    pub categories: String,
    /// Under 18: a guardian consented.
    pub guardian_name: String,
    /// Masked like the phone unless the viewer maintains the roster.
    pub guardian_phone: String,
}

pub fn member_view(m: &Member, full: bool) -> MemberView {
    let v = &m.volunteer;
    let id_number = v.id_number.as_ref().map(|n| if full { n.clone() } else { mask_id(n) });
    MemberView {
        volunteer_id: v.id,
        volunteer_no: v.volunteer_no.clone(),
        name: v.name.clone(),
        sex: v.sex.clone(),
        birth_date: v.birth_date.clone(),
        political_status: v.political_status.clone(),
        id_type: v.id_type.clone(),
        id_number,
        phone: if full || v.phone.is_empty() {
            v.phone.clone()
        } else {
            Phone::mask(&v.phone)
        },
        residence: v.residence.clone(),
        employer: v.employer.clone(),
        post: v.post.clone(),
        skills: v.skills.clone(),
        is_manager: m.is_manager,
        categories: m.categories.clone(),
        guardian_name: v.guardian_name.clone(),
        guardian_phone: if full || v.guardian_phone.is_empty() {
            v.guardian_phone.clone()
        } else {
            Phone::mask(&v.guardian_phone)
        },
    }
}

/// Any ID number shown masked: the first 6 and last 4 characters stay.
pub fn mask_id(n: &str) -> String {
    match ResidentId::parse(n) {
        Ok(id) => id.masked(),
        Err(_) => {
            let chars: Vec<char> = n.chars().collect();
            if chars.len() <= 4 {
                "****".into()
            } else {
                format!(
                    "{}****{}",
                    chars[..2].iter().collect::<String>(),
                    chars[chars.len() - 2..].iter().collect::<String>()
                )
            }
        }
    }
}

/// The roster: masked, or in full when the caller asks (`reveal`) and keeps the roster; a full
/// view is written to the audit trail (`log_view`: an export writes its own entry instead).
pub async fn members(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    reveal: bool,
    log_view: bool,
) -> AppResult<(Team, Vec<MemberView>, bool)> {
    let (team, place) = load(state, ctx, id).await?;
    let full = super::privacy::reveals(ctx, reveal, &Object::Team(place))?;
    let members: Vec<MemberView> = store::members(&state.db, id)
        .await?
        .iter()
        .map(|m| member_view(m, full))
        .collect();
    if full && log_view {
        let details = serde_json::json!({"rows": members.len()});
        super::privacy::log_unmasked(state, ctx, Subject::new("team", Some(id), &team.name), details).await?;
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

fn checked(v: &Option<String>) -> bool {
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
pub async fn add_member(state: &AppState, ctx: &Ctx, team_id: i64, input: &VolunteerInput) -> AppResult<MemberView> {
    load_for_change(state, ctx, team_id).await?;
    let f = check_volunteer(input)?;
    let actor = ctx.actor();
    let mut tx = state.db.begin().await?;
    let volunteer = match store::match_volunteer(&mut tx, f.id_number.as_deref(), &f.name, &f.phone).await? {
        // On this team (which the caller runs) or another team they run: theirs to update.
        Match::ById(id) | Match::ByNamePhone(id) if super::volunteers::holds_record(state, ctx, id).await? => {
            store::update_volunteer(&mut tx, &actor, id, &f).await?
        }
        // Kept by other teams only: put on the roster as it is; what was typed differently is
        // proposed to its teams.
        Match::ById(id) => {
            let v = store::volunteer_in_tx(&mut tx, id).await?;
            let diff = super::identity::differences(&f, &v);
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
    store::set_member_categories(&mut tx, &actor, team_id, volunteer.id, &f.categories.join(",")).await?;
    store::reopen_roster_if_reviewed(&mut tx, &actor, team_id).await?;
    tx.commit().await?;
    let m = store::members(&state.db, team_id)
        .await?
        .into_iter()
        .find(|m| m.volunteer.id == volunteer.id);
    // Masked: the person may be a record already kept, whose ID number a name and phone must not
    // reveal; the full view is one `reveal` away, and logged.
    m.map(|m| member_view(&m, false)).ok_or(AppError::NotFound)
}

pub async fn remove_member(state: &AppState, ctx: &Ctx, team_id: i64, volunteer_id: i64) -> AppResult<()> {
    load_for_change(state, ctx, team_id).await?;
    let actor = ctx.actor();
    let mut tx = state.db.begin().await?;
    if !store::remove_member(&mut tx, &actor, team_id, volunteer_id).await? {
        return Err(AppError::NotFound);
    }
    store::reopen_roster_if_reviewed(&mut tx, &actor, team_id).await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------ the roster form (附件2) in Excel

const TITLE: &str = "附件2 志愿者队伍基本情况登记表";
pub const COLUMNS: &[Column] = &[
    Column {
        header: "姓名",
        aliases: &["名字", "志愿者姓名"],
        required: true,
    },
    Column {
        header: "性别",
        aliases: &[],
        required: false,
    },
    Column {
        header: "出生年月",
        aliases: &["出生日期", "出生年月日", "生日"],
        required: false,
    },
    Column {
        header: "政治面貌",
        aliases: &["政治身份"],
        required: false,
    },
    Column {
        header: "证件类型",
        aliases: &[],
        required: false,
    },
    Column {
        header: "证件号码",
        aliases: &["身份证号", "身份证号码", "公民身份号码", "身份证"],
        required: false,
    },
    Column {
        header: "联系电话",
        aliases: &["手机", "手机号", "手机号码", "电话", "联系方式", "电话号码"],
        required: true,
    },
    Column {
        header: "居住区域",
        aliases: &["居住地", "住址", "现居住地", "居住地址", "家庭住址"],
        required: false,
    },
    Column {
        header: "工作单位",
        aliases: &["单位", "所在单位"],
        required: false,
    },
    Column {
        header: "职务",
        aliases: &["职位", "岗位", "职务职称"],
        required: false,
    },
    Column {
        header: "专业特长",
        aliases: &["特长", "专长", "技能", "专业技能"],
        required: false,
    },
    Column {
        header: "服务类别",
        aliases: &["服务类型", "服务项目", "志愿服务类别"],
        required: false,
    },
    Column {
        header: "管理人员",
        aliases: &["是否管理人员", "是否为管理人员", "管理人员是否"],
        required: false,
    },
    Column {
        header: "监护人",
        aliases: &["监护人姓名"],
        required: false,
    },
    Column {
        header: "监护人电话",
        aliases: &["监护人联系电话"],
        required: false,
    },
];
const FIELDS: [&str; 15] = [
    "name",
    "sex",
    "birth_date",
    "political_status",
    "id_type",
    "id_number",
    "phone",
    "residence",
    "employer",
    "post",
    "skills",
    "categories",
    "is_manager",
    "guardian_name",
    "guardian_phone",
];

fn headers() -> Vec<&'static str> {
    std::iter::once("序号")
        .chain(COLUMNS.iter().map(|c| c.header))
        .collect()
}

fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    crate::web::download::download(bytes, "roster.xlsx", filename)
}

const KINDS: [excel::Kind; 4] = [
    excel::Kind::Int,
    excel::Kind::Text,
    excel::Kind::Text,
    excel::Kind::Date,
];

fn sheet_form<'a>(title: &'a str, headers: &'a [&'a str]) -> excel::Form<'a> {
    excel::Form::new("附件2", title, headers, &WIDTHS).kinds(&KINDS)
}

const WIDTHS: [f64; 16] = [
    6.0, 10.0, 6.0, 15.0, 12.0, 12.0, 21.0, 14.0, 16.0, 20.0, 10.0, 14.0, 20.0, 9.0, 10.0, 14.0,
];

/// The blank roster form.
#[utoipa::path(get, path = "/api/v1/roster/template.xlsx", tag = "teams",
    responses((status = 200, description = "the blank form (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let example = vec![vec![
        "例".into(),
        "张三（示例行，请删除）".into(),
        "男".into(),
        "1990.05".into(),
        "共青团员".into(),
        "居民身份证".into(),
        String::new(),
        "13800000000".into(),
        "东湖街道".into(),
        String::new(),
        String::new(),
        "摄影".into(),
        "1、7".into(),
        "否".into(),
        String::new(),
        String::new(),
    ]];
    let bytes = excel::write_form(&sheet_form(TITLE, &headers()), &example)?;
    Ok(xlsx(bytes, "附件2-志愿者队伍基本情况登记表-模板.xlsx"))
}

/// The team's roster in the layout of 附件2, masked; with `reveal=true` personal data in full for
/// those who keep the roster. Every export is written to the audit trail (and whether it was full).
#[utoipa::path(get, path = "/api/v1/teams/{id}/roster/export.xlsx", tag = "teams", params(RevealParam),
    responses((status = 200, description = "the roster (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Response> {
    let (team, members, full) = members(&state, &ctx, id, q.reveal.unwrap_or(false), false).await?;
    let rows: Vec<Vec<String>> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                (i + 1).to_string(),
                m.name.clone(),
                match m.sex.as_str() {
                    "M" => "男".into(),
                    "F" => "女".into(),
                    _ => String::new(),
                },
                m.birth_date.clone(),
                PoliticalStatus::from_code(&m.political_status)
                    .map(|s| s.label().to_string())
                    .unwrap_or_default(),
                id_type_label(&m.id_type).to_string(),
                m.id_number.clone().unwrap_or_default(),
                m.phone.clone(),
                m.residence.clone(),
                m.employer.clone(),
                m.post.clone(),
                m.skills.clone(),
                category_labels(&m.categories),
                if m.is_manager { "是".into() } else { "否".into() },
                m.guardian_name.clone(),
                m.guardian_phone.clone(),
            ]
        })
        .collect();
    let title = format!("{TITLE}（{} · {}）", team.org_name, team.name);
    let bytes = excel::write_form(&sheet_form(&title, &headers()), &rows)?;
    let mut tx = state.db.begin().await?;
    let summary = serde_json::json!({"rows": rows.len(), "unmasked": full});
    audit::record_raw(
        &mut tx,
        &ctx.actor(),
        audit::Op::Export,
        Subject::new("team", Some(id), &team.name),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(xlsx(bytes, &format!("附件2-{}-{}.xlsx", team.org_name, team.name)))
}

/// Checks every row of an uploaded roster and, unless `dry_run`, records it all or nothing: each
/// person is found (by ID number, else name and phone) or recorded, and put on the roster.
pub async fn import(state: &AppState, ctx: &Ctx, team_id: i64, bytes: &[u8], dry_run: bool) -> AppResult<ImportReport> {
    let (team, _, _) = load_for_change(state, ctx, team_id).await?;
    let lang = ctx.lang;
    let rows = crate::web::upload::read(&state.uploads, bytes, COLUMNS).await?;
    let today = today();
    let mut errors: Vec<CellError> = vec![];
    let mut warnings: Vec<CellError> = vec![];
    let mut good: Vec<(usize, VolunteerFields)> = vec![];
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut seen_name_phone: HashMap<(String, String), usize> = HashMap::new();
    for r in &rows {
        // The template's example line is not data.
        if r.cells[0].contains("示例") {
            continue;
        }
        let cell = |field: &str| {
            FIELDS
                .iter()
                .position(|f| *f == field)
                .map(|i| r.cells[i].clone())
                .unwrap_or_default()
        };
        let raw = RawVolunteer {
            name: cell("name"),
            sex: cell("sex"),
            birth_date: cell("birth_date"),
            id_type: cell("id_type"),
            id_number: cell("id_number"),
            phone: cell("phone"),
            residence: cell("residence"),
            political_status: cell("political_status"),
            employer: cell("employer"),
            post: cell("post"),
            skills: cell("skills"),
            categories: cell("categories"),
            is_manager: cell("is_manager"),
            guardian_name: cell("guardian_name"),
            guardian_phone: cell("guardian_phone"),
        };
        let (f, problems, doubts) = validate_sheet_row(&raw, &today);
        let located = |field: &str, key: &str| {
            let i = FIELDS.iter().position(|f| *f == field).unwrap_or(0);
            CellError {
                row: r.row,
                column: COLUMNS[i].header.into(),
                value: r.cells[i].clone(),
                message: t(lang, key),
            }
        };
        let before = errors.len();
        errors.extend(problems.into_iter().map(|(field, key)| located(field, key)));
        if errors.len() > before {
            continue;
        }
        warnings.extend(doubts.into_iter().map(|(field, key)| located(field, key)));
        let duplicate_of = match &f.id_number {
            Some(n) => seen_ids.insert(n.clone(), r.row),
            None => seen_name_phone.insert((match_key(&f.name), f.phone.clone()), r.row),
        };
        if let Some(first) = duplicate_of {
            let (i, value) = if f.id_number.is_some() {
                (5, raw.id_number.clone())
            } else {
                (0, raw.name.clone())
            };
            errors.push(CellError {
                row: r.row,
                column: COLUMNS[i].header.into(),
                value,
                message: tf(lang, "err.roster_duplicate", &[("row", first.to_string())]),
            });
            continue;
        }
        good.push((r.row, f));
    }
    let data_rows = rows.iter().filter(|r| !r.cells[0].contains("示例")).count();
    let mut report = ImportReport {
        rows: data_rows,
        accepted: good.len(),
        created: 0,
        unchanged: 0,
        linked: 0,
        dry_run,
        errors,
        warnings,
        resubmission_needed: false,
    };
    if data_rows == 0 {
        report.errors.push(CellError {
            row: 0,
            column: String::new(),
            value: String::new(),
            message: t(lang, "err.no_rows"),
        });
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let actor = ctx.actor();
    let mut tx = state.db.begin().await?;
    let existing: HashMap<i64, (bool, String)> = store::members_in_tx(&mut tx, team_id)
        .await?
        .into_iter()
        .map(|m| (m.volunteer.id, (m.is_manager, m.categories)))
        .collect();
    let id_numbers: Vec<String> = good.iter().filter_map(|(_, f)| f.id_number.clone()).collect();
    let phones: Vec<String> = good.iter().map(|(_, f)| f.phone.clone()).collect();
    let people = store::PeopleIndex::new(store::people_like(&mut tx, &id_numbers, &phones).await?);
    // Records that only other teams keep are not changed by this upload: a match by ID number is
    // put on the roster as it is (differences go to its teams as proposed corrections); a match
    // by name and phone alone is not taken to be the same person.
    let mut foreign = std::collections::HashSet::new();
    for (_, f) in &good {
        if let Match::ById(id) | Match::ByNamePhone(id) = people.matching(f.id_number.as_deref(), &f.name, &f.phone) {
            if !existing.contains_key(&id)
                && !foreign.contains(&id)
                && !super::volunteers::holds_record(state, ctx, id).await?
            {
                foreign.insert(id);
            }
        }
    }
    for (_, f) in &good {
        let categories = f.categories.join(",");
        let found = match people.matching(f.id_number.as_deref(), &f.name, &f.phone) {
            Match::ByNamePhone(id) if foreign.contains(&id) => Match::New,
            m => m,
        };
        match found {
            Match::ById(id) | Match::ByNamePhone(id) => {
                report.linked += 1;
                let record = people.get(id).expect("matched among these");
                let changes = store::would_change(record, f);
                let line = existing.get(&id);
                let same_line = line.is_some_and(|(m, c)| *m == f.is_manager && *c == categories);
                if same_line && !changes {
                    report.unchanged += 1;
                }
                if !dry_run {
                    if changes && foreign.contains(&id) {
                        let diff = super::identity::differences(f, record);
                        if !diff.is_empty() {
                            crate::db::identity::propose_correction(
                                &mut tx,
                                &actor,
                                id,
                                None,
                                &serde_json::Value::Object(diff),
                            )
                            .await?;
                        }
                    } else if changes {
                        store::update_volunteer(&mut tx, &actor, id, f).await?;
                    }
                    if line.map(|(m, _)| *m) != Some(f.is_manager) {
                        store::add_member(&mut tx, &actor, team_id, id, f.is_manager).await?;
                    }
                    store::set_member_categories(&mut tx, &actor, team_id, id, &categories).await?;
                }
            }
            Match::New => {
                if !dry_run {
                    let v = store::insert_volunteer(&mut tx, &actor, f).await?;
                    store::add_member(&mut tx, &actor, team_id, v.id, f.is_manager).await?;
                    store::set_member_categories(&mut tx, &actor, team_id, v.id, &categories).await?;
                }
            }
        }
        if !dry_run && f.is_manager {
            if let Some(unit) = team.unit_id {
                store::add_manager(&mut tx, &actor, team.campaign_id, unit, &f.name, &f.post).await?;
            }
        }
    }
    report.created = report.accepted - report.unchanged;
    // Said on the dry run already: a roster under review or accepted goes back for resubmission.
    report.resubmission_needed =
        report.created > 0 && team.roster_status != "draft" && team.roster_status != "returned";
    if dry_run {
        report.created = 0;
        return Ok(report);
    }
    if report.created > 0 {
        store::reopen_roster_if_reviewed(&mut tx, &actor, team_id).await?;
    }
    let summary = serde_json::json!({"rows": report.rows, "added": report.created, "linked": report.linked});
    audit::record_raw(
        &mut tx,
        &actor,
        audit::Op::Import,
        Subject::new("team", Some(team_id), &team.name),
        &summary,
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Reads the file of a multipart upload; a form without one is refused with a message.
pub async fn read_file(multipart: Multipart) -> AppResult<Vec<u8>> {
    let (bytes, _, _) = read_upload(multipart).await?;
    if bytes.is_empty() {
        return Err(AppError::field("file", "err.no_file"));
    }
    Ok(bytes)
}

/// Reads a multipart upload: the file and the `dry_run` field (forms send it as a button value).
pub async fn read_upload(mut multipart: Multipart) -> AppResult<(Vec<u8>, Option<String>, HashMap<String, String>)> {
    let mut file = None;
    let mut fields = HashMap::new();
    let too_large = || {
        AppError::Validation(vec![
            FieldError::new("file", "err.file_too_large").with("mb", excel::MAX_UPLOAD_BYTES / 1024 / 1024)
        ])
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let mime = field.content_type().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| too_large())?;
            if !bytes.is_empty() {
                file = Some(bytes.to_vec());
                fields.insert("file_name".into(), file_name);
                fields.insert("file_type".into(), mime);
            }
        } else {
            fields.insert(name, field.text().await.unwrap_or_default());
        }
    }
    let dry_run = fields.get("dry_run").cloned();
    match file {
        Some(f) => Ok((f, dry_run, fields)),
        None => Ok((vec![], dry_run, fields)),
    }
}

// ------------------------------------------------------------ managers (管理人员)

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct ManagerInput {
    #[serde(default, deserialize_with = "lenient_i64")]
    #[schema(ignore)]
    pub unit_id: Option<i64>,
    pub name: Option<String>,
    pub post: Option<String>,
    #[serde(default)]
    #[schema(ignore)]
    pub back: Option<String>,
}

async fn unit_for_managers(state: &AppState, ctx: &Ctx, unit_id: i64, action: Action) -> AppResult<Campaign> {
    orgs::get_unit(&state.db, unit_id).await?.ok_or(AppError::NotFound)?;
    let place = TeamPlace {
        unit_id: Some(unit_id),
        ..Default::default()
    };
    ensure(ctx.user()?, action, &Object::Team(place))?;
    super::campaign::active(state).await
}

pub async fn managers(state: &AppState, ctx: &Ctx, unit_id: i64) -> AppResult<Vec<Manager>> {
    // Those who maintain the unit's rosters see its managers.
    let campaign = unit_for_managers(state, ctx, unit_id, Action::Update).await?;
    Ok(store::managers(&state.db, campaign.id, unit_id).await?)
}

pub async fn add_manager(state: &AppState, ctx: &Ctx, unit_id: i64, input: &ManagerInput) -> AppResult<()> {
    let campaign = unit_for_managers(state, ctx, unit_id, Action::Update).await?;
    let mut errors = vec![];
    let name = required_name("name", input.name.as_deref(), &mut errors);
    let post = optional_text("post", input.post.as_deref(), 50, &mut errors);
    validated(errors)?;
    let mut tx = state.db.begin().await?;
    if !store::add_manager(&mut tx, &ctx.actor(), campaign.id, unit_id, &name, &post).await? {
        return Err(AppError::Conflict(vec![FieldError::new("name", "err.manager_exists")]));
    }
    tx.commit().await?;
    Ok(())
}

pub async fn delete_manager(state: &AppState, ctx: &Ctx, unit_id: i64, id: i64) -> AppResult<()> {
    unit_for_managers(state, ctx, unit_id, Action::Update).await?;
    let mut tx = state.db.begin().await?;
    if !store::delete_manager(&mut tx, &ctx.actor(), unit_id, id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------ JSON API

/// Teams of the active campaign that the caller may see.
#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(TeamListParams), responses((status = 200, body = Page<Team>)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<TeamListParams>,
) -> AppResult<Json<Page<Team>>> {
    let paging = super::PageParams {
        page: params.page,
        per_page: params.per_page,
    };
    Ok(Json(paging.page_of(list(&state, &ctx, &params).await?)))
}

/// Register a team (a unit's staff for their unit, a community's for theirs; the district or a
/// street names the org).
#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", request_body = TeamInput,
    responses((status = 201, body = Team), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_create(State(state): State<AppState>, ctx: Ctx, Json(input): Json<TeamInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(create(&state, &ctx, &input).await?)).into_response())
}

/// One team.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "teams", responses((status = 200, body = Team)))]
pub async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Team>> {
    Ok(Json(load(&state, &ctx, id).await?.0))
}

/// Change a team's name, 负责人, 联系人, categories or founding date.
#[utoipa::path(put, path = "/api/v1/teams/{id}", tag = "teams", request_body = TeamInput,
    responses((status = 200, body = Team), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<TeamInput>,
) -> AppResult<Json<Team>> {
    Ok(Json(update(&state, &ctx, id, &input).await?))
}

/// The roster, masked; with `reveal=true` in full for those who keep it (the view is logged;
/// 403 for others).
#[utoipa::path(get, path = "/api/v1/teams/{id}/members", tag = "teams", params(RevealParam),
    responses((status = 200, body = Vec<MemberView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn api_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Json<Vec<MemberView>>> {
    Ok(Json(
        members(&state, &ctx, id, q.reveal.unwrap_or(false), true).await?.1,
    ))
}

/// Put a person on the roster: found by ID number (else name and phone) or recorded anew.
#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "teams", request_body = VolunteerInput,
    responses((status = 201, body = MemberView), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<VolunteerInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(add_member(&state, &ctx, id, &input).await?)).into_response())
}

/// Take a person off the roster (their record stays).
#[utoipa::path(delete, path = "/api/v1/teams/{id}/members/{volunteer_id}", tag = "teams", responses((status = 204)))]
pub async fn api_remove_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    remove_member(&state, &ctx, id, volunteer_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submit the roster to the district office.
#[utoipa::path(post, path = "/api/v1/teams/{id}/roster/submit", tag = "teams",
    responses((status = 200, body = Team), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Team>> {
    Ok(Json(submit(&state, &ctx, id).await?))
}

/// Accept a submitted roster, or return it with a reason (district office).
#[utoipa::path(post, path = "/api/v1/teams/{id}/roster/review", tag = "teams", request_body = ReviewInput,
    responses((status = 200, body = Team), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn api_review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ReviewInput>,
) -> AppResult<Json<Team>> {
    Ok(Json(review(&state, &ctx, id, &input).await?))
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true` checks the file and writes nothing.
    pub dry_run: Option<bool>,
}

/// Upload a roster (附件2, multipart field `file`): every problem is reported by Excel row and
/// column; with `dry_run=true` nothing is written, otherwise all rows are written or none.
#[utoipa::path(post, path = "/api/v1/teams/{id}/roster/import", tag = "teams", params(ImportParams),
    request_body(content_type = "multipart/form-data", description = "field `file`: the .xlsx"),
    responses((status = 200, body = ImportReport), (status = 422, body = excel::ImportRefused, description = "The report of the rows with problems, or why the upload was refused")))]
pub async fn api_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(params): Query<ImportParams>,
    multipart: Multipart,
) -> AppResult<Response> {
    let bytes = read_file(multipart).await?;
    let report = import(&state, &ctx, id, &bytes, params.dry_run.unwrap_or(false)).await?;
    Ok(report.into_response())
}

/// The unit's declared managers, and whether each is on one of its rosters.
#[utoipa::path(get, path = "/api/v1/units/{id}/managers", tag = "teams", responses((status = 200, body = Vec<Manager>)))]
pub async fn api_managers(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Manager>>> {
    Ok(Json(managers(&state, &ctx, id).await?))
}

/// Declare a manager (name and post).
#[utoipa::path(post, path = "/api/v1/units/{id}/managers", tag = "teams", request_body = ManagerInput,
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_add_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ManagerInput>,
) -> AppResult<StatusCode> {
    add_manager(&state, &ctx, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a declared manager.
#[utoipa::path(delete, path = "/api/v1/units/{id}/managers/{manager_id}", tag = "teams", responses((status = 204)))]
pub async fn api_delete_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, manager_id)): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    delete_manager(&state, &ctx, id, manager_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ pages

fn status_label(ctx: &Ctx, status: &str) -> String {
    ctx.t(&format!("roster.status.{status}"))
}

async fn page_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<TeamListParams>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    if super::campaign::active(&state).await.is_err() {
        return Err(AppError::BadRequest("err.no_campaign"));
    }
    let teams = list(&state, &ctx, &params).await?;
    let mut view = ListPage::new(
        ctx.t("teams.title"),
        "/teams",
        params.q.as_deref(),
        teams.len() as i64,
        1,
        100_000,
    );
    for (name, v) in [("unit_id", params.unit_id), ("community_id", params.community_id)] {
        if let Some(v) = v {
            view.query
                .push_str(&format!("{}{name}={v}", if view.query.is_empty() { "" } else { "&" }));
        }
    }
    if policy::may_create(p, Listing::Teams) {
        view.new_url = Some("/teams/new".into());
    }
    view.actions.push(Link {
        label: ctx.t("roster.template"),
        href: "/roster/template.xlsx".into(),
    });
    if policy::list_scope(p, Listing::Board) != Scope::Nothing {
        view.actions.push(Link {
            label: ctx.t("board.title"),
            href: "/board".into(),
        });
    }
    if p.role == Role::DistrictAdmin {
        view = view.filter(Filter {
            name: "status",
            label: ctx.t("roster.status"),
            options: ["submitted", "accepted", "returned", "draft"]
                .iter()
                .map(|s| Choice {
                    value: s.to_string(),
                    label: status_label(&ctx, s),
                })
                .collect(),
            selected: params.status.clone().unwrap_or_default(),
        });
    }
    view.columns = vec![
        ctx.t("field.org"),
        ctx.t("field.team_name"),
        ctx.t("field.leader"),
        ctx.t("field.contact"),
        ctx.t("teams.members"),
        ctx.t("roster.status"),
    ];
    view.rows = teams
        .iter()
        .map(|tm| Row {
            cells: vec![
                Cell::text(&tm.org_name),
                Cell::link(&tm.name, format!("/teams/{}", tm.id)),
                Cell::text(&tm.leader_name),
                Cell::text(&tm.contact_name),
                Cell::text(tm.members.to_string()),
                Cell::text(status_label(&ctx, &tm.roster_status)),
            ],
            edit_url: None,
            delete_url: None,
        })
        .collect();
    Ok(ctx.render(&state, "list.html", minijinja::Value::from_serialize(&view)))
}

async fn org_choices(state: &AppState, p: &Principal) -> AppResult<(Vec<Choice>, Vec<Choice>)> {
    let all = |scope| orgs::ListQuery {
        q: None,
        page: 1,
        per_page: 100_000,
        scope,
        street_id: None,
        community_id: None,
        unit_id: None,
    };
    let units = if p.role == Role::DistrictAdmin {
        orgs::list_units(&state.db, &all(Scope::All))
            .await?
            .items
            .into_iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.name,
            })
            .collect()
    } else {
        vec![]
    };
    let communities = match p.role {
        Role::DistrictAdmin | Role::StreetAdmin => {
            orgs::list_communities(&state.db, &all(policy::list_scope(p, Listing::Communities)))
                .await?
                .items
                .into_iter()
                .map(|c| Choice {
                    value: c.id.to_string(),
                    label: format!("{} / {}", c.street_name, c.name),
                })
                .collect()
        }
        _ => vec![],
    };
    Ok((units, communities))
}

async fn team_form(
    state: &AppState,
    ctx: &Ctx,
    title_key: &str,
    action: String,
    input: &TeamInput,
    creating: bool,
) -> AppResult<FormPage> {
    let p = ctx.user()?;
    let lang = ctx.lang;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut fields = vec![];
    if creating {
        let (units, communities) = org_choices(state, p).await?;
        if !units.is_empty() {
            fields.push(
                Field::select(
                    lang,
                    "unit_id",
                    "field.unit",
                    input.unit_id.map(|x| x.to_string()).unwrap_or_default(),
                    units,
                )
                .hint(lang, "hint.team_org"),
            );
        }
        if !communities.is_empty() {
            fields.push(
                Field::select(
                    lang,
                    "community_id",
                    "field.community",
                    input.community_id.map(|x| x.to_string()).unwrap_or_default(),
                    communities,
                )
                .hint(lang, "hint.team_org"),
            );
        }
    }
    let categories = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, (_, l, _))| format!("{} {l}", i + 1))
        .collect::<Vec<_>>()
        .join("；");
    fields.extend([
        Field::text(lang, "name", "field.team_name", v(&input.name))
            .required()
            .hint(lang, "hint.team_name"),
        Field::text(lang, "leader_name", "field.leader", v(&input.leader_name)),
        Field::text(lang, "leader_phone", "field.leader_phone", v(&input.leader_phone)).kind("tel"),
        Field::text(lang, "contact_name", "field.contact", v(&input.contact_name)),
        Field::text(lang, "contact_phone", "field.contact_phone", v(&input.contact_phone)).kind("tel"),
        {
            let mut f = Field::text(lang, "categories", "field.categories", v(&input.categories));
            f.hint = Some(tf(lang, "hint.categories", &[("list", categories)]));
            f
        },
        Field::text(lang, "founded_on", "field.founded_on", v(&input.founded_on)).kind("date"),
    ]);
    Ok(FormPage::new(lang, ctx.t(title_key), action, "/teams", fields))
}

async fn page_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if !policy::may_create(ctx.user()?, Listing::Teams) {
        return Err(AppError::Forbidden);
    }
    super::campaign::active(&state).await?;
    let f = team_form(&state, &ctx, "teams.new", "/teams".into(), &TeamInput::default(), true).await?;
    Ok(ctx.render_form(&state, &f))
}

async fn page_create(State(state): State<AppState>, ctx: Ctx, Form(input): Form<TeamInput>) -> AppResult<Response> {
    let result = create(&state, &ctx, &input).await;
    if let Ok(team) = &result {
        return Ok(redirect_with_flash(
            &format!("/teams/{}", team.id),
            "flash.saved",
            ctx.secure,
        ));
    }
    outcome(&state, &ctx, result, "/teams", || {
        team_form(&state, &ctx, "teams.new", "/teams".into(), &input, true)
    })
    .await
}

fn input_of(t: &Team) -> TeamInput {
    TeamInput {
        unit_id: t.unit_id,
        community_id: t.community_id,
        name: Some(t.name.clone()),
        leader_name: Some(t.leader_name.clone()),
        leader_phone: Some(t.leader_phone.clone()),
        contact_name: Some(t.contact_name.clone()),
        contact_phone: Some(t.contact_phone.clone()),
        categories: Some(
            t.categories
                .split(',')
                .filter(|c| !c.is_empty())
                .map(category_label)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        founded_on: Some(t.founded_on.clone()),
    }
}

async fn page_edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (team, _, _) = load_for_change(&state, &ctx, id).await?;
    let f = team_form(
        &state,
        &ctx,
        "teams.edit",
        format!("/teams/{id}"),
        &input_of(&team),
        false,
    )
    .await?;
    Ok(ctx.render_form(&state, &f))
}

async fn page_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<TeamInput>,
) -> AppResult<Response> {
    let result = update(&state, &ctx, id, &input).await;
    let back = format!("/teams/{id}");
    outcome(&state, &ctx, result, &back, || {
        team_form(&state, &ctx, "teams.edit", format!("/teams/{id}"), &input, false)
    })
    .await
}

/// The team page: its details, the roster and what can be done with it now.
async fn page_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RevealParam>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let (team, place) = load(&state, &ctx, id).await?;
    let campaign = super::campaign::active(&state).await.ok();
    let editable = policy::allows(p, Action::Update, &Object::Team(place.clone()))
        && campaign.as_ref().is_some_and(|c| c.id == team.campaign_id);
    let (_, members, full) = members(&state, &ctx, id, q.reveal.unwrap_or(false), true).await?;
    let may_reveal = !full && policy::may_reveal(p, &Object::Team(place.clone()));
    let erasures = crate::db::privacy::notices(&state.db, id).await?;
    let members: Vec<_> = members
        .iter()
        .map(|m| {
            minijinja::context! {
                m => m,
                sex => match m.sex.as_str() { "M" => ctx.t("sex.M"), "F" => ctx.t("sex.F"), _ => String::new() },
                politics => PoliticalStatus::from_code(&m.political_status).map(|s| s.label()).unwrap_or(""),
            }
        })
        .collect();
    let managers = match (team.unit_id, &campaign) {
        (Some(u), Some(c)) => store::managers(&state.db, c.id, u).await?,
        _ => vec![],
    };
    let missing_managers: Vec<&Manager> = managers.iter().filter(|m| !m.on_roster).collect();
    let (pending, corrections) = if editable {
        (
            super::volunteers::pending(&state, &ctx, id).await?,
            super::identity::corrections(&state, &ctx, id).await?,
        )
    } else {
        (vec![], vec![])
    };
    let categories: Vec<&str> = team
        .categories
        .split(',')
        .filter(|c| !c.is_empty())
        .map(category_label)
        .collect();
    let page = minijinja::context! {
        title => format!("{} · {}", team.org_name, team.name),
        team => team, members => members, editable => editable,
        status_label => if team.roster_status == "draft" && team.roster_accepted_submitted_at.is_some() {
            ctx.t("roster.status.changed")
        } else {
            status_label(&ctx, &team.roster_status)
        },
        may_submit => editable && matches!(team.roster_status.as_str(), "draft" | "returned"),
        may_review => matches!(team.roster_status.as_str(), "submitted" | "resubmitted") && policy::allows(p, Action::Update, &Object::RosterReview),
        managers => managers, missing_managers => missing_managers, categories => categories, pending => pending,
        corrections => corrections,
        late => campaign.as_ref().zip(team.roster_accepted_submitted_at.or(team.roster_submitted_at)).is_some_and(|(c, at)| crate::domain::campaign::date_of(at) > c.roster_due),
        campaign => campaign, unmasked => full, may_reveal => may_reveal, erasures => erasures,
    };
    Ok(ctx.render(&state, "team.html", page))
}

async fn page_submit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    match submit(&state, &ctx, id).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/teams/{id}"),
            "flash.roster_submitted",
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(&state, "roster.cannot_submit", &errs, &format!("/teams/{id}")))
        }
        Err(e) => Err(e),
    }
}

async fn page_review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<ReviewInput>,
) -> AppResult<Response> {
    match review(&state, &ctx, id, &input).await {
        Ok(t) => Ok(redirect_with_flash(
            &format!("/teams/{id}"),
            if t.roster_status == "accepted" {
                "flash.roster_accepted"
            } else {
                "flash.roster_returned"
            },
            ctx.secure,
        )),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(&state, "roster.review", &errs, &format!("/teams/{id}")))
        }
        Err(e) => Err(e),
    }
}

pub fn volunteer_fields(lang: crate::i18n::Lang, input: &VolunteerInput, with_manager: bool) -> Vec<Field> {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let sexes = vec![
        Choice {
            value: "男".into(),
            label: t(lang, "sex.M"),
        },
        Choice {
            value: "女".into(),
            label: t(lang, "sex.F"),
        },
    ];
    let politics = PoliticalStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.label().into(),
            label: s.label().into(),
        })
        .collect();
    let id_types = crate::domain::volunteer::ID_TYPES
        .iter()
        .map(|(_, l)| Choice {
            value: l.to_string(),
            label: l.to_string(),
        })
        .collect();
    let mut fields = vec![
        Field::text(lang, "name", "field.person_name", v(&input.name)).required(),
        Field::text(lang, "phone", "field.phone", v(&input.phone))
            .required()
            .kind("tel")
            .hint(lang, "hint.phone"),
        Field::select(lang, "sex", "field.sex", v(&input.sex), sexes),
        Field::text(lang, "birth_date", "field.birth_date", v(&input.birth_date)).hint(lang, "hint.birth_date"),
        Field::select(lang, "id_type", "field.id_type", v(&input.id_type), id_types),
        Field::text(lang, "id_number", "field.id_number", v(&input.id_number)).hint(lang, "hint.id_number"),
        Field::select(
            lang,
            "political_status",
            "field.political_status",
            v(&input.political_status),
            politics,
        ),
        Field::text(lang, "residence", "field.residence", v(&input.residence)),
        Field::text(lang, "employer", "field.employer", v(&input.employer)),
        Field::text(lang, "post", "field.post", v(&input.post)),
        Field::text(lang, "skills", "field.skills", v(&input.skills)),
    ];
    if with_manager {
        fields.push(
            Field::text(
                lang,
                "is_manager",
                "field.is_manager",
                if checked(&input.is_manager) || input.is_manager.as_deref() == Some("是") {
                    "on"
                } else {
                    ""
                },
            )
            .kind("checkbox"),
        );
    }
    fields.extend([
        Field::text(lang, "guardian_name", "field.guardian_name", v(&input.guardian_name)).hint(lang, "hint.guardian"),
        Field::text(lang, "guardian_phone", "field.guardian_phone", v(&input.guardian_phone)).kind("tel"),
        Field::text(
            lang,
            "consent",
            "field.consent",
            if checked(&input.consent) { "on" } else { "" },
        )
        .kind("checkbox"),
        Field::text(
            lang,
            "id_consent",
            "field.id_consent",
            if checked(&input.id_consent) { "on" } else { "" },
        )
        .kind("checkbox"),
    ]);
    fields
}

async fn page_new_member(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (team, _, _) = load_for_change(&state, &ctx, id).await?;
    let fields = volunteer_fields(ctx.lang, &VolunteerInput::default(), team.unit_id.is_some());
    let f = FormPage::new(
        ctx.lang,
        ctx.t("roster.add"),
        format!("/teams/{id}/members"),
        format!("/teams/{id}"),
        fields,
    );
    Ok(ctx.render_form(&state, &f))
}

async fn page_add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<VolunteerInput>,
) -> AppResult<Response> {
    let result = add_member(&state, &ctx, id, &input).await;
    let back = format!("/teams/{id}");
    let unit_team = store::get_team(&state.db, id)
        .await?
        .is_some_and(|t| t.unit_id.is_some());
    outcome(&state, &ctx, result, &back, || async {
        let fields = volunteer_fields(ctx.lang, &input, unit_team);
        Ok(FormPage::new(
            ctx.lang,
            ctx.t("roster.add"),
            format!("/teams/{id}/members"),
            format!("/teams/{id}"),
            fields,
        ))
    })
    .await
}

async fn page_remove_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    remove_member(&state, &ctx, id, volunteer_id).await?;
    Ok(redirect_with_flash(
        &format!("/teams/{id}"),
        "flash.deleted",
        ctx.secure,
    ))
}

fn import_page(
    state: &AppState,
    ctx: &Ctx,
    team: &Team,
    report: Option<&ImportReport>,
    file_error: Option<String>,
) -> Response {
    let id = team.id;
    // Said before the upload: a roster under review or accepted goes back for resubmission.
    let note = matches!(team.roster_status.as_str(), "submitted" | "accepted" | "resubmitted")
        .then(|| ctx.t("import.resubmission"));
    let view = super::ImportView {
        title_key: "roster.import",
        action: format!("/teams/{id}/roster/import"),
        template_url: "/roster/template.xlsx",
        fill_key: "roster.fill",
        back: format!("/teams/{id}"),
        checked_key: "roster.dry_run_ok",
        done_key: "roster.import_done",
        note,
    };
    super::import_page(state, ctx, &view, report, file_error)
}

async fn page_import(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (team, _, _) = load_for_change(&state, &ctx, id).await?;
    Ok(import_page(&state, &ctx, &team, None, None))
}

async fn page_import_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (team, _, _) = load_for_change(&state, &ctx, id).await?;
    let (bytes, dry_run, _) = match read_upload(multipart).await {
        Ok(x) => x,
        Err(AppError::Validation(errs)) => {
            return Ok(import_page(
                &state,
                &ctx,
                &team,
                None,
                errs.first().map(|e| e.message(ctx.lang)),
            ))
        }
        Err(e) => return Err(e),
    };
    if bytes.is_empty() {
        return Ok(import_page(&state, &ctx, &team, None, Some(ctx.t("err.no_file"))));
    }
    let dry_run = dry_run.is_some_and(|v| v == "true" || v == "on" || v == "1");
    match import(&state, &ctx, id, &bytes, dry_run).await {
        Ok(report) => Ok(import_page(&state, &ctx, &team, Some(&report), None)),
        Err(AppError::Validation(errs)) => Ok(import_page(
            &state,
            &ctx,
            &team,
            None,
            errs.first().map(|e| e.message(ctx.lang)),
        )),
        Err(e) => Err(e),
    }
}

async fn page_add_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ManagerInput>,
) -> AppResult<Response> {
    let unit_id = input.unit_id.ok_or(AppError::field("unit_id", "err.required"))?;
    let back = crate::web::safe_next(input.back.as_deref());
    match add_manager(&state, &ctx, unit_id, &input).await {
        Ok(()) => Ok(redirect_with_flash(&back, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            Ok(ctx.refusal_for(&state, "managers.title", &errs, &back))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct DeleteManagerForm {
    #[serde(default, deserialize_with = "lenient_i64")]
    unit_id: Option<i64>,
    back: Option<String>,
}

async fn page_delete_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(input): Form<DeleteManagerForm>,
) -> AppResult<Response> {
    let unit_id = input.unit_id.ok_or(AppError::field("unit_id", "err.required"))?;
    delete_manager(&state, &ctx, unit_id, id).await?;
    Ok(redirect_with_flash(
        &crate::web::safe_next(input.back.as_deref()),
        "flash.deleted",
        ctx.secure,
    ))
}
