//! Transitional facade over the service aggregates (one file each); callers move to the files.

pub use super::{activities::*, attendance::*, certificates::*, settings::*, signups::*};
