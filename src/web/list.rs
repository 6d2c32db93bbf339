//! The generic list page: columns, rows with their actions, search, filters and pages.

use serde::Serialize;

use super::urlencode;

#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            href: None,
        }
    }
    pub fn link(s: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            href: Some(href.into()),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub edit_url: Option<String>,
    pub delete_url: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Link {
    pub label: String,
    pub href: String,
}

/// A drop-down that narrows the list (e.g. one street's communities).
#[derive(Clone, Debug, Serialize)]
pub struct Filter {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<super::form::Choice>,
    pub selected: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListPage {
    pub title: String,
    pub base_url: String,
    pub new_url: Option<String>,
    pub q: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// The query string of this view without the page number, for the page links.
    pub query: String,
    pub filters: Vec<Filter>,
    pub actions: Vec<Link>,
}

impl ListPage {
    pub fn new(title: String, base_url: &str, q: Option<&str>, total: i64, page: i64, per_page: i64) -> ListPage {
        let q = q.unwrap_or("").trim().to_string();
        let query = if q.is_empty() {
            String::new()
        } else {
            format!("q={}", urlencode(&q))
        };
        ListPage {
            title,
            base_url: base_url.to_string(),
            new_url: None,
            q,
            columns: vec![],
            rows: vec![],
            total,
            page,
            pages: pages(total, per_page),
            query,
            filters: vec![],
            actions: vec![],
        }
    }

    /// Adds a filter and keeps its current value in the page links.
    pub fn filter(mut self, f: Filter) -> ListPage {
        if !f.selected.is_empty() {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(&format!("{}={}", f.name, urlencode(&f.selected)));
        }
        self.filters.push(f);
        self
    }
}

/// The page numbers a list page links to.
pub fn pages(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page).max(1)
}
