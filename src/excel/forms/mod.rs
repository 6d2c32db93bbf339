//! The official forms, one file each: their columns (each knowing the field it holds), the
//! layout they are written in, and how a row reads back.

pub mod roster;
