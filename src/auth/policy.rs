//! The one place that decides what a signed-in user may see and do, from the role and the org tree.
//!
//! Handlers never compare roles themselves: they describe the object (with its place in the
//! tree) and ask [`allows`]; list queries ask [`list_scope`] and turn the answer into SQL.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::need::NeedStatus;
pub use crate::domain::org::{OrgKind, Scope};

/// The roles of SPEC §1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    DistrictAdmin,
    StreetAdmin,
    CommunityAdmin,
    UnitAdmin,
    Police,
    Volunteer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::DistrictAdmin,
        Role::StreetAdmin,
        Role::CommunityAdmin,
        Role::UnitAdmin,
        Role::Police,
        Role::Volunteer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::DistrictAdmin => "district_admin",
            Role::StreetAdmin => "street_admin",
            Role::CommunityAdmin => "community_admin",
            Role::UnitAdmin => "unit_admin",
            Role::Police => "police",
            Role::Volunteer => "volunteer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Which kind of org node an account of this role belongs to.
    pub fn org_kind(self) -> Option<OrgKind> {
        match self {
            Role::StreetAdmin => Some(OrgKind::Street),
            Role::CommunityAdmin => Some(OrgKind::Community),
            Role::UnitAdmin => Some(OrgKind::Unit),
            _ => None,
        }
    }
}

/// Who is asking: the signed-in user and where they sit in the tree.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub lang: crate::i18n::Lang,
    /// The CSRF token of the session (empty for bearer tokens, which need none).
    pub csrf: String,
    pub session_id: String,
    /// The user's volunteer record, read with the session (a request needs no second read).
    pub volunteer_id: Option<i64>,
    /// An administrator reset the password: until the holder chooses a new one, only the
    /// account page answers.
    pub must_change_password: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    View,
    Create,
    Update,
    Delete,
}

/// An object described by its place in the org tree; for `Create` it is the object that would
/// be made.
#[derive(Clone, Debug)]
pub enum Object {
    /// The district itself (its name and settings).
    District,
    Street {
        id: i64,
    },
    Community {
        id: i64,
        street_id: i64,
        paired_unit_ids: Vec<i64>,
    },
    Unit {
        id: i64,
        paired_community_ids: Vec<i64>,
        paired_street_ids: Vec<i64>,
    },
    /// 结对: a unit paired with a community.
    Pairing {
        unit_id: i64,
        community_id: i64,
        street_id: i64,
    },
    /// An account; `street_id` is the street its org sits under (a community's street for
    /// community staff), so that a street can manage its communities' accounts.
    Account {
        id: i64,
        role: Role,
        street_id: Option<i64>,
        community_id: Option<i64>,
        unit_id: Option<i64>,
    },
    /// The audit trail as a whole.
    AuditLog,
    /// A campaign year and its milestones.
    Campaign,
    /// A volunteer team: a unit's (with the communities and streets it is paired into) or a
    /// community's (with its street).
    Team(TeamPlace),
    /// Accepting or returning a submitted roster.
    RosterReview,
    /// A unit's traffic-persuasion volunteers (附件3).
    TrafficList {
        unit_id: i64,
    },
    /// Training sessions of the traffic police brigade.
    Training,
    /// Moving a check-in on: the street forwards it, the community confirms or returns it.
    CheckInForward {
        street_id: i64,
    },
    CheckInConfirm {
        community_id: i64,
    },
    /// A volunteer's record: the teams they are on, and the account that is theirs.
    Volunteer {
        user_id: Option<i64>,
        teams: Vec<TeamPlace>,
    },
    /// An inspection (督查) of an organisation (or of its team or activity): the district and
    /// the organisation's street plan, record and review it; the organisation sees it.
    Inspection(InspectedPlace),
    /// Answering an inspection's findings (整改): only the inspected organisation's staff.
    Rectification(InspectedPlace),
    /// The district's inspection checklist.
    InspectionChecklist,
    /// 表彰: the year's categories, quotas, review, notice and honour roll (the district decides;
    /// nominating units and streets read the categories).
    Commendation,
    /// A nomination, by who sends it: a unit, a street, or neither (the district's own).
    Nomination {
        by_unit_id: Option<i64>,
        by_street_id: Option<i64>,
    },
    /// 月报: the month's statistics of the district (no ids), a street, or a unit (with the
    /// streets of the communities it is paired with).
    MonthlyStats {
        street_id: Option<i64>,
        unit_id: Option<i64>,
        unit_street_ids: Vec<i64>,
    },
    /// A community need (点单): the community posts, reviews and rates its own, the street and the
    /// district those of their area; the teams it was sent to (or any team, while it is open
    /// for claim) see it.
    Need(NeedPlace),
    /// Dispatching a need (派单) of a community under `street_id`: the street or the district.
    NeedDispatch {
        street_id: i64,
    },
}

/// Where a need sits: its community and street, the teams it was sent to or taken by, and
/// whether it is open for any team to claim.
#[derive(Clone, Debug, Default)]
pub struct NeedPlace {
    pub community_id: i64,
    pub street_id: i64,
    pub teams: Vec<TeamPlace>,
    pub open: bool,
}

/// Whether `p` handles a need at `n` as its community, street or district.
fn handles_need(p: &Principal, n: &NeedPlace) -> bool {
    match p.role {
        Role::DistrictAdmin => true,
        Role::StreetAdmin => p.street_id == Some(n.street_id),
        Role::CommunityAdmin => p.community_id == Some(n.community_id),
        _ => false,
    }
}

/// Where an inspected organisation sits: a unit with the streets of the communities it is
/// paired with (a street's "own" units), or a community with its street.
#[derive(Clone, Debug, Default)]
pub struct InspectedPlace {
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    pub street_ids: Vec<i64>,
}

/// Whether `p` inspects the organisation at `place`: the district anyone, a street its own.
fn inspects(p: &Principal, place: &InspectedPlace) -> bool {
    match p.role {
        Role::DistrictAdmin => true,
        Role::StreetAdmin => p.street_id.is_some_and(|s| place.street_ids.contains(&s)),
        _ => false,
    }
}

/// Whether `p` is staff of the organisation at `place`.
fn is_inspected(p: &Principal, place: &InspectedPlace) -> bool {
    match p.role {
        Role::UnitAdmin => place.unit_id.is_some() && place.unit_id == p.unit_id,
        Role::CommunityAdmin => place.community_id.is_some() && place.community_id == p.community_id,
        _ => false,
    }
}

/// The inspections `p` may list: the district all, a street its own, a unit or community its
/// own; nobody else any.
pub fn inspection_scope(p: &Principal) -> Scope {
    let or_nothing = |id: Option<i64>, f: fn(i64) -> Scope| id.map(f).unwrap_or(Scope::Nothing);
    match p.role {
        Role::DistrictAdmin => Scope::All,
        Role::StreetAdmin => or_nothing(p.street_id, Scope::Street),
        Role::UnitAdmin => or_nothing(p.unit_id, Scope::Unit),
        Role::CommunityAdmin => or_nothing(p.community_id, Scope::Community),
        Role::Police | Role::Volunteer => Scope::Nothing,
    }
}

/// Whether `p` plans and records inspections at all (the "new" button, the inspector's lists).
pub fn may_inspect(p: &Principal) -> bool {
    matches!(p.role, Role::DistrictAdmin) || (p.role == Role::StreetAdmin && p.street_id.is_some())
}

/// Where a team sits in the tree.
#[derive(Clone, Debug, Default)]
pub struct TeamPlace {
    pub unit_id: Option<i64>,
    pub community_id: Option<i64>,
    /// A community team's street.
    pub street_id: Option<i64>,
    /// A unit team's paired communities and their streets.
    pub paired_community_ids: Vec<i64>,
    pub paired_street_ids: Vec<i64>,
}

/// Whether a team at `t` serves in the community `community_id` (of street `street_id`): its own
/// community, a community its unit is paired with, or one in its street.
pub fn team_reaches(t: &TeamPlace, community_id: i64, street_id: i64) -> bool {
    t.community_id == Some(community_id)
        || t.paired_community_ids.contains(&community_id)
        || t.street_id == Some(street_id)
}

/// Whether `p` may do `action` on a team at `t`.
fn team_allows(p: &Principal, action: Action, t: &TeamPlace) -> bool {
    use Role::*;
    let owns = match p.role {
        DistrictAdmin => true,
        StreetAdmin => t.community_id.is_some() && t.street_id.is_some() && t.street_id == p.street_id,
        CommunityAdmin => t.community_id.is_some() && t.community_id == p.community_id,
        UnitAdmin => t.unit_id.is_some() && t.unit_id == p.unit_id,
        Police | Volunteer => false,
    };
    let sees = owns
        || match p.role {
            StreetAdmin => p.street_id.is_some_and(|s| t.paired_street_ids.contains(&s)),
            CommunityAdmin => p.community_id.is_some_and(|c| t.paired_community_ids.contains(&c)),
            _ => false,
        };
    if action == Action::View {
        sees
    } else {
        owns
    }
}

/// Decides whether `p` may do `action` on `obj`.
pub fn allows(p: &Principal, action: Action, obj: &Object) -> bool {
    use Action::*;
    use Role::*;
    // The campaign's objects follow the tree the same way for every role.
    match obj {
        Object::Campaign => return action == View || p.role == DistrictAdmin,
        Object::Team(t) => return team_allows(p, action, t),
        Object::RosterReview => return p.role == DistrictAdmin,
        Object::TrafficList { unit_id } => {
            return match p.role {
                DistrictAdmin => true,
                Police => action == View,
                UnitAdmin => p.unit_id == Some(*unit_id),
                _ => false,
            }
        }
        Object::Training => return matches!(p.role, DistrictAdmin | Police),
        Object::CheckInForward { street_id } => {
            return p.role == DistrictAdmin || (p.role == StreetAdmin && p.street_id == Some(*street_id))
        }
        Object::CheckInConfirm { community_id } => {
            return p.role == DistrictAdmin || (p.role == CommunityAdmin && p.community_id == Some(*community_id))
        }
        Object::Inspection(place) => {
            return inspects(p, place) || (action == View && is_inspected(p, place));
        }
        Object::Rectification(place) => return is_inspected(p, place),
        Object::InspectionChecklist => {
            return p.role == DistrictAdmin || (action == View && inspection_scope(p) != Scope::Nothing);
        }
        Object::Commendation => {
            return p.role == DistrictAdmin || (action == View && matches!(p.role, StreetAdmin | UnitAdmin))
        }
        Object::Nomination {
            by_unit_id,
            by_street_id,
        } => {
            return match p.role {
                DistrictAdmin => true,
                StreetAdmin => p.street_id.is_some() && *by_street_id == p.street_id && by_unit_id.is_none(),
                UnitAdmin => p.unit_id.is_some() && *by_unit_id == p.unit_id && by_street_id.is_none(),
                _ => false,
            }
        }
        Object::MonthlyStats {
            street_id,
            unit_id,
            unit_street_ids,
        } => {
            return action == View
                && match (p.role, street_id, unit_id) {
                    (DistrictAdmin, _, _) => true,
                    (StreetAdmin, Some(s), None) => p.street_id == Some(*s),
                    (StreetAdmin, None, Some(_)) => p.street_id.is_some_and(|s| unit_street_ids.contains(&s)),
                    (UnitAdmin, None, Some(u)) => p.unit_id == Some(*u),
                    _ => false,
                };
        }
        Object::Need(n) => {
            return handles_need(p, n)
                || (action == View
                    && (n.teams.iter().any(|t| team_allows(p, Update, t))
                        || (n.open && matches!(p.role, UnitAdmin | CommunityAdmin))));
        }
        Object::NeedDispatch { street_id } => {
            return p.role == DistrictAdmin || (p.role == StreetAdmin && p.street_id == Some(*street_id))
        }
        Object::Volunteer { user_id, teams } => {
            // The volunteer sees and corrects their own record; staff go by the teams.
            return (user_id.is_some() && *user_id == Some(p.user_id) && matches!(action, View | Update))
                || p.role == DistrictAdmin
                || teams.iter().any(|t| team_allows(p, action, t));
        }
        _ => {}
    }
    match p.role {
        DistrictAdmin => true,
        StreetAdmin => {
            let s = p.street_id;
            match obj {
                Object::District => action == View,
                Object::Street { id } => action == View && Some(*id) == s,
                Object::Community { street_id, .. } => Some(*street_id) == s,
                Object::Unit { paired_street_ids, .. } => {
                    action == View && s.is_some_and(|s| paired_street_ids.contains(&s))
                }
                Object::Pairing { street_id, .. } => action == View && Some(*street_id) == s,
                Object::Account {
                    id, role, street_id, ..
                } => {
                    if *id == p.user_id {
                        return action == View;
                    }
                    // A street manages the accounts of its communities' staff.
                    *role == CommunityAdmin && s.is_some() && *street_id == s
                }
                Object::AuditLog => false,
                _ => false,
            }
        }
        CommunityAdmin => {
            let c = p.community_id;
            match obj {
                Object::District => action == View,
                Object::Street { id } => action == View && Some(*id) == p.street_id,
                Object::Community { id, street_id, .. } => {
                    matches!(action, View | Update) && Some(*id) == c && Some(*street_id) == p.street_id
                }
                Object::Unit {
                    paired_community_ids, ..
                } => action == View && c.is_some_and(|c| paired_community_ids.contains(&c)),
                Object::Pairing { community_id, .. } => action == View && Some(*community_id) == c,
                Object::Account { id, .. } => action == View && *id == p.user_id,
                Object::AuditLog => false,
                _ => false,
            }
        }
        UnitAdmin => {
            let u = p.unit_id;
            match obj {
                Object::District => action == View,
                Object::Street { .. } => false,
                Object::Community { paired_unit_ids, .. } => {
                    action == View && u.is_some_and(|u| paired_unit_ids.contains(&u))
                }
                Object::Unit { id, .. } => matches!(action, View | Update) && Some(*id) == u,
                Object::Pairing { unit_id, .. } => action == View && Some(*unit_id) == u,
                Object::Account { id, .. } => action == View && *id == p.user_id,
                Object::AuditLog => false,
                _ => false,
            }
        }
        // The traffic police brigade receives volunteers from every unit: it reads the tree.
        Police => match obj {
            Object::District | Object::Street { .. } | Object::Community { .. } | Object::Unit { .. } => action == View,
            Object::Account { id, .. } => action == View && *id == p.user_id,
            _ => false,
        },
        Volunteer => match obj {
            Object::District => action == View,
            Object::Account { id, .. } => action == View && *id == p.user_id,
            _ => false,
        },
    }
}

/// Whether `p` may see the personal data of `obj` (ID numbers, phones) in full, on request and
/// logged: those who keep the record (a team's roster, a volunteer's record); for 附件3 the unit,
/// the district and the traffic police brigade it is sent to. Everyone else sees it masked.
pub fn may_reveal(p: &Principal, obj: &Object) -> bool {
    match obj {
        Object::TrafficList { .. } | Object::Training => allows(p, Action::View, obj),
        _ => allows(p, Action::Update, obj),
    }
}

/// Whether `p` may erase a volunteer's personal data (PIPL Art. 47): the volunteer on their own
/// request, or the district office carrying out a request it received. Teams may not, so that no
/// one erases people from the figures on their own.
pub fn may_erase(p: &Principal, obj: &Object) -> bool {
    match obj {
        Object::Volunteer { user_id, .. } => {
            (user_id.is_some() && *user_id == Some(p.user_id)) || p.role == Role::DistrictAdmin
        }
        _ => false,
    }
}

/// Whether `p` may change what identifies an object in the tree (a unit's name and level, a
/// community's name and street), beyond its contact details. Units and communities may keep
/// their own contact details current, but the district (or the street, for its communities)
/// decides who they are.
pub fn may_edit_identity(p: &Principal, obj: &Object) -> bool {
    match p.role {
        Role::DistrictAdmin => true,
        Role::StreetAdmin => {
            matches!(obj, Object::Community { street_id, .. } if Some(*street_id) == p.street_id)
        }
        _ => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    Streets,
    Communities,
    Units,
    Pairings,
    Accounts,
    AuditLog,
    /// Volunteer teams and their rosters.
    Teams,
    /// The milestone board.
    Board,
    /// The assessment's scores: the district all, a street its area, a unit or community
    /// only its own (see [`assessment_sees`]).
    Assessment,
    /// Nominations for commendation (by who sent them).
    Nominations,
    /// The kept figures and dashboards: the district all, a street its area, a unit its teams.
    Stats,
    /// Community needs (四单): the district all, a street its area, a community its own, a unit
    /// those sent to its teams and those open for claim.
    Needs,
}

/// The rows `p` may see in a list of `what`; must agree with [`allows`] for `Action::View`.
pub fn list_scope(p: &Principal, what: Listing) -> Scope {
    use Listing::*;
    use Role::*;
    let or_nothing = |id: Option<i64>, f: fn(i64) -> Scope| id.map(f).unwrap_or(Scope::Nothing);
    match (p.role, what) {
        (DistrictAdmin, _) => Scope::All,
        (StreetAdmin, Streets | Communities | Units | Pairings) => or_nothing(p.street_id, Scope::Street),
        // A street lists its communities' staff accounts (and its own).
        (StreetAdmin, Accounts) => or_nothing(p.street_id, Scope::Street),
        (CommunityAdmin, Streets) => or_nothing(p.street_id, Scope::Street),
        (CommunityAdmin, Communities | Units | Pairings) => or_nothing(p.community_id, Scope::Community),
        (UnitAdmin, Communities | Units | Pairings) => or_nothing(p.unit_id, Scope::Unit),
        (Police, Streets | Communities | Units) => Scope::All,
        (StreetAdmin, Teams | Board | Assessment) => or_nothing(p.street_id, Scope::Street),
        (CommunityAdmin, Teams | Board | Assessment) => or_nothing(p.community_id, Scope::Community),
        (UnitAdmin, Teams | Board | Assessment) => or_nothing(p.unit_id, Scope::Unit),
        (StreetAdmin, Nominations) => or_nothing(p.street_id, Scope::Street),
        (UnitAdmin, Nominations) => or_nothing(p.unit_id, Scope::Unit),
        (StreetAdmin, Stats) => or_nothing(p.street_id, Scope::Street),
        (UnitAdmin, Stats) => or_nothing(p.unit_id, Scope::Unit),
        (StreetAdmin, Needs) => or_nothing(p.street_id, Scope::Street),
        (CommunityAdmin, Needs) => or_nothing(p.community_id, Scope::Community),
        (UnitAdmin, Needs) => or_nothing(p.unit_id, Scope::Unit),
        (_, Accounts) => Scope::OwnAccount(p.user_id),
        _ => Scope::Nothing,
    }
}

/// Whether `p` may see the score and explanation of the unit (`unit`) or community
/// (`community`) `id`, which the street `in_street` covers (a unit paired into it, or one of its
/// communities). A unit or community sees only its own; the others' place in the ranking is
/// shown without their details.
pub fn assessment_sees(p: &Principal, community: bool, id: i64, in_street: bool) -> bool {
    match list_scope(p, Listing::Assessment) {
        Scope::All => true,
        Scope::Street(_) => in_street,
        Scope::Community(c) => community && c == id,
        Scope::Unit(u) => !community && u == id,
        _ => false,
    }
}

/// The monthly statistics `p` reports by default: the district all, a street its own, a unit
/// itself; nobody else any.
pub fn monthly_scope(p: &Principal) -> Scope {
    let or_nothing = |id: Option<i64>, f: fn(i64) -> Scope| id.map(f).unwrap_or(Scope::Nothing);
    match p.role {
        Role::DistrictAdmin => Scope::All,
        Role::StreetAdmin => or_nothing(p.street_id, Scope::Street),
        Role::UnitAdmin => or_nothing(p.unit_id, Scope::Unit),
        _ => Scope::Nothing,
    }
}

/// Whether `p` configures the assessment (the scheme, bonuses and penalties, closing the year).
pub fn may_configure_assessment(p: &Principal) -> bool {
    p.role == Role::DistrictAdmin
}

/// Whether `p` may open the list page of `what` at all (the menu shows only these).
pub fn may_list(p: &Principal, what: Listing) -> bool {
    !matches!(list_scope(p, what), Scope::Nothing | Scope::OwnAccount(_))
}

/// Whether `p` may create some object of the kind `what` (shows or hides "new" buttons).
pub fn may_create(p: &Principal, what: Listing) -> bool {
    match (p.role, what) {
        (Role::DistrictAdmin, Listing::AuditLog | Listing::Board) => false,
        (Role::DistrictAdmin, _) => true,
        (Role::StreetAdmin, Listing::Communities | Listing::Accounts | Listing::Teams) => true,
        (Role::CommunityAdmin | Role::UnitAdmin, Listing::Teams) => true,
        (Role::StreetAdmin | Role::UnitAdmin, Listing::Nominations) => true,
        (Role::StreetAdmin | Role::CommunityAdmin, Listing::Needs) => true,
        _ => false,
    }
}

/// The need states whose next step waits on `p` (its workbench lists them), each with whether
/// only the needs sent to a team or open for a claim count: the community reviews what residents
/// post and answers for its own teams, the street and the district dispatch, a unit's team
/// answers.
pub fn need_steps(p: &Principal) -> &'static [(NeedStatus, bool)] {
    use NeedStatus::*;
    match p.role {
        Role::CommunityAdmin => &[(Submitted, false), (Dispatched, true), (Open, true)],
        Role::StreetAdmin | Role::DistrictAdmin => &[(Published, false), (Open, false), (Dispatched, false)],
        Role::UnitAdmin => &[(Dispatched, true), (Open, true)],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            user_id: 100,
            username: "u".into(),
            display_name: String::new(),
            role,
            street_id: Some(1),
            community_id: if role == Role::CommunityAdmin { Some(10) } else { None },
            unit_id: if role == Role::UnitAdmin { Some(20) } else { None },
            lang: crate::i18n::Lang::Zh,
            csrf: String::new(),
            session_id: String::new(),
            volunteer_id: None,
            must_change_password: false,
        }
    }

    #[test]
    fn street_admin_manages_only_its_communities() {
        let p = principal(Role::StreetAdmin);
        let inside = Object::Community {
            id: 10,
            street_id: 1,
            paired_unit_ids: vec![],
        };
        let outside = Object::Community {
            id: 11,
            street_id: 2,
            paired_unit_ids: vec![],
        };
        for a in [Action::View, Action::Create, Action::Update, Action::Delete] {
            assert!(allows(&p, a, &inside));
            assert!(!allows(&p, a, &outside));
        }
    }

    #[test]
    fn unit_admin_sees_paired_communities_only() {
        let p = principal(Role::UnitAdmin);
        let paired = Object::Community {
            id: 10,
            street_id: 1,
            paired_unit_ids: vec![20],
        };
        let other = Object::Community {
            id: 11,
            street_id: 1,
            paired_unit_ids: vec![21],
        };
        assert!(allows(&p, Action::View, &paired));
        assert!(!allows(&p, Action::Update, &paired));
        assert!(!allows(&p, Action::View, &other));
    }

    #[test]
    fn personal_data_is_revealed_to_keepers_and_erased_by_the_person_or_the_district() {
        let team = Object::Team(TeamPlace {
            unit_id: Some(20),
            ..Default::default()
        });
        assert!(may_reveal(&principal(Role::UnitAdmin), &team));
        assert!(!may_reveal(&principal(Role::Police), &team));
        let list = Object::TrafficList { unit_id: 20 };
        assert!(may_reveal(&principal(Role::Police), &list));
        assert!(!may_reveal(&principal(Role::StreetAdmin), &list));
        let own = Object::Volunteer {
            user_id: Some(100),
            teams: vec![],
        };
        let other = Object::Volunteer {
            user_id: Some(7),
            teams: vec![TeamPlace {
                unit_id: Some(20),
                ..Default::default()
            }],
        };
        assert!(may_erase(&principal(Role::Volunteer), &own));
        assert!(!may_erase(&principal(Role::UnitAdmin), &other));
        assert!(may_erase(&principal(Role::DistrictAdmin), &other));
    }

    #[test]
    fn monthly_statistics_follow_the_tree() {
        let street = |id| Object::MonthlyStats {
            street_id: Some(id),
            unit_id: None,
            unit_street_ids: vec![],
        };
        let unit = |id, streets: Vec<i64>| Object::MonthlyStats {
            street_id: None,
            unit_id: Some(id),
            unit_street_ids: streets,
        };
        let s = principal(Role::StreetAdmin);
        assert!(allows(&s, Action::View, &street(1)));
        assert!(!allows(&s, Action::View, &street(2)));
        assert!(allows(&s, Action::View, &unit(20, vec![1, 2])));
        assert!(!allows(&s, Action::View, &unit(21, vec![2])));
        let u = principal(Role::UnitAdmin);
        assert!(allows(&u, Action::View, &unit(20, vec![])));
        assert!(!allows(&u, Action::View, &unit(21, vec![1])));
        assert!(!allows(&u, Action::View, &street(1)));
        assert!(allows(&principal(Role::DistrictAdmin), Action::View, &unit(21, vec![])));
        for role in [Role::CommunityAdmin, Role::Police, Role::Volunteer] {
            assert!(!allows(&principal(role), Action::View, &street(1)), "{role:?}");
            assert_eq!(monthly_scope(&principal(role)), Scope::Nothing);
        }
        assert!(!allows(&s, Action::Update, &street(1)));
    }

    #[test]
    fn nobody_but_the_district_reads_the_audit_log() {
        for role in Role::ALL {
            assert_eq!(
                allows(&principal(role), Action::View, &Object::AuditLog),
                role == Role::DistrictAdmin
            );
        }
    }
}
