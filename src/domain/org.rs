//! The org tree's vocabulary: the kinds of node and the part of the tree a list is narrowed to.

/// The kinds of org node an account can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgKind {
    Street,
    Community,
    Unit,
}

/// Which rows of a kind of object a user's lists show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Rows under (or, for units, paired into) this street.
    Street(i64),
    /// Rows of (or paired with) this community.
    Community(i64),
    /// Rows of (or paired with) this unit.
    Unit(i64),
    /// Only the user's own account.
    OwnAccount(i64),
    Nothing,
}
