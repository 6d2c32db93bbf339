//! Who acts: the one value every service function takes besides the database and its input.
//!
//! The web layer builds it from the session (see `web::Ctx`, which carries one); the command line
//! and the demo build it for the account they act as. The policy reads its principal, the audit
//! trail its [`Actor`].

use super::policy::{Principal, Role};
use crate::db::audit::Actor;
use crate::error::AppError;
use crate::i18n::{t, Lang};

/// The name and session of the command line's principal (no session has it: ids are hashes).
const COMMAND_LINE: &str = "(cli)";

#[derive(Clone, Debug)]
pub struct Acting {
    /// The signed-in account, if any (public pages act without one).
    pub principal: Option<Principal>,
    /// The language answers and generated files are written in.
    pub lang: Lang,
    /// Where the request came from ("local" for the command line), for the audit trail and limits.
    pub ip: String,
}

impl Acting {
    /// Someone without an account (a public page).
    pub fn anonymous(ip: impl Into<String>, lang: Lang) -> Acting {
        Acting {
            principal: None,
            lang,
            ip: ip.into(),
        }
    }

    /// A signed-in account acting from `ip`.
    pub fn as_user(principal: Principal, ip: impl Into<String>) -> Acting {
        Acting {
            lang: principal.lang,
            principal: Some(principal),
            ip: ip.into(),
        }
    }

    /// The command line (`leifeng user add`): acts with the district's powers, is named
    /// `(cli)` from `local` in the audit trail, and answers in English.
    pub fn command_line() -> Acting {
        Acting {
            principal: Some(Principal {
                user_id: 0,
                username: COMMAND_LINE.into(),
                display_name: COMMAND_LINE.into(),
                role: Role::DistrictAdmin,
                street_id: None,
                community_id: None,
                unit_id: None,
                lang: Lang::En,
                csrf: String::new(),
                session_id: COMMAND_LINE.into(),
                volunteer_id: None,
                must_change_password: false,
            }),
            lang: Lang::En,
            ip: "local".into(),
        }
    }

    /// Whether this is the command line rather than a signed-in account.
    pub fn is_command_line(&self) -> bool {
        self.principal
            .as_ref()
            .is_some_and(|p| p.user_id == 0 && p.session_id == COMMAND_LINE)
    }

    /// The signed-in user, or 401 (which pages turn into the sign-in page).
    pub fn user(&self) -> Result<&Principal, AppError> {
        self.principal.as_ref().ok_or(AppError::Unauthorized)
    }

    /// Who the audit trail names for what this caller changes.
    pub fn actor(&self) -> Actor {
        if self.is_command_line() {
            return Actor::cli();
        }
        match &self.principal {
            Some(p) => Actor {
                user_id: Some(p.user_id),
                username: p.username.clone(),
                ip: self.ip.clone(),
            },
            None => Actor {
                user_id: None,
                username: "(anonymous)".into(),
                ip: self.ip.clone(),
            },
        }
    }

    /// A message in the caller's language.
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }
}
