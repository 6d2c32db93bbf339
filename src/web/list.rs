//! The generic list page: columns, rows with their actions, search, filters and pages.

use serde::Serialize;

use super::urlencode;
use crate::auth::policy::{self, Action, Object, Principal};
use crate::db::list::Page;

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

impl Row {
    /// A record's row at `{base_url}/{id}`, with its edit and delete links where the policy
    /// allows them to `p`.
    pub fn for_record(base_url: &str, id: i64, cells: Vec<Cell>, p: &Principal, obj: &Object) -> Row {
        let may_edit = policy::allows(p, Action::Update, obj);
        let may_delete = policy::allows(p, Action::Delete, obj);
        Row::managed(base_url, id, cells, may_edit, may_delete)
    }

    /// A record's row at `{base_url}/{id}`, with its edit and delete links where allowed.
    pub fn managed(base_url: &str, id: i64, cells: Vec<Cell>, may_edit: bool, may_delete: bool) -> Row {
        Row {
            cells,
            edit_url: may_edit.then(|| format!("{base_url}/{id}/edit")),
            delete_url: may_delete.then(|| format!("{base_url}/{id}/delete")),
        }
    }
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

    /// The page of a list of records: its totals and page numbers.
    pub fn of<T>(title: String, base_url: &str, q: Option<&str>, page: &Page<T>) -> ListPage {
        ListPage::new(title, base_url, q, page.total, page.page, page.per_page)
    }

    /// Links `{base_url}/new` when the caller may create.
    pub fn creatable(mut self, may_create: bool) -> ListPage {
        if may_create {
            self.new_url = Some(format!("{}/new", self.base_url));
        }
        self
    }

    /// Keeps a value of the view in the page links.
    pub fn keep(&mut self, name: &str, value: &str) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query.push_str(&format!("{name}={}", urlencode(value)));
    }

    /// Adds a filter and keeps its current value in the page links.
    pub fn filter(mut self, f: Filter) -> ListPage {
        if !f.selected.is_empty() {
            self.keep(f.name, &f.selected);
        }
        self.filters.push(f);
        self
    }
}

/// The page numbers a list page links to.
pub fn pages(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page).max(1)
}
