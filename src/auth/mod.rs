//! Who may act: passwords ([`password`]), sign-in and sessions ([`session`]), the permission
//! policy ([`policy`]) and the acting caller every service function takes ([`acting`]).

pub mod acting;
pub mod password;
pub mod policy;
pub mod session;

pub use acting::Acting;
pub use password::{hash_password, hash_password_blocking, password_problem, verify_password};
pub use session::{
    check_current_password, end_session, new_token, principal_for_token, sign_in, token_hash, Attempt, NewSession,
    SessionKind, API_MAX_SECS, FAILURE_WINDOW_SECS, MAX_FAILURES_PER_ADDRESS, SLOW_DOWN_AFTER, WEB_IDLE_SECS,
    WEB_MAX_SECS,
};
