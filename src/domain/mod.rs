//! Pure rules of the domain, with no I/O: each parser returns a typed value or the reason.

pub mod activity;
pub mod assessment;
pub mod attendance;
pub mod calendar;
pub mod campaign;
pub mod checkin;
pub mod commendation;
pub mod compliance;
pub mod dates;
pub mod dispatch;
pub mod id_number;
pub mod inspection;
pub mod login;
pub mod monthly;
pub mod need;
pub mod notification;
pub mod org;
pub mod phone;
pub mod politics;
mod properties;
pub mod service;
pub mod team;
pub mod text;
pub mod token;
pub mod volunteer;
