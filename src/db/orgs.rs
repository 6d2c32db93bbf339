//! Transitional facade over the org-tree aggregates (one file each); callers move to the files.

pub use super::{communities::*, district::*, list::*, pairings::*, streets::*, units::*};
