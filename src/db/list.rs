//! One page of a list, and the query a list is read with.

use serde::Serialize;
use utoipa::ToSchema;

use super::like_pattern;
use crate::domain::org::Scope;

/// One page of a list, and how many rows match in all.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// What a list asks for: search text, page, and the scope the policy allows.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
    pub scope: Scope,
    /// Narrower filters chosen by the user (e.g. one street's communities).
    pub street_id: Option<i64>,
    pub community_id: Option<i64>,
    pub unit_id: Option<i64>,
}

impl ListQuery {
    pub(crate) fn pattern(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(like_pattern)
    }
    pub(crate) fn offset(&self) -> i64 {
        (self.page.max(1) - 1).saturating_mul(self.per_page)
    }
    /// The scope as the three tree parameters every scoped query takes.
    pub(crate) fn tree(&self) -> (Option<i64>, Option<i64>, Option<i64>) {
        match self.scope {
            Scope::Street(s) => (Some(s), None, None),
            Scope::Community(c) => (None, Some(c), None),
            Scope::Unit(u) => (None, None, Some(u)),
            _ => (None, None, None),
        }
    }
    pub(crate) fn empty<T>(&self) -> Page<T> {
        Page {
            items: vec![],
            total: 0,
            page: self.page,
            per_page: self.per_page,
        }
    }
    pub(crate) fn allows_nothing(&self) -> bool {
        matches!(self.scope, Scope::Nothing | Scope::OwnAccount(_))
    }
}
