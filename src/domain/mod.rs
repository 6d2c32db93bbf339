//! Pure rules of the domain, with no I/O: each parser returns a typed value or the reason.

pub mod phone;
pub mod text;
