//! Transitional facade over the campaign-year aggregates (one file each); callers move to the files.

pub use super::{board::*, campaigns::*, checkins::*, managers::*, teams::*, traffic::*, volunteers::*};
