//! The menu: at most seven sections, each holding only what the role may open.

use serde::Serialize;

use crate::auth::policy::{self, Listing, Principal};
use crate::i18n::t;

#[derive(Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    /// This page, or a page under it.
    pub current: bool,
}

/// One top-level section of the menu; a section with one entry is shown as that entry's link.
#[derive(Serialize)]
pub struct NavGroup {
    pub key: &'static str,
    pub label: String,
    pub items: Vec<NavItem>,
    /// One of its entries is the page shown.
    pub current: bool,
}

/// A section's i18n key and its entries: (allowed, href, i18n key).
type Section<'a> = (&'a str, Vec<(bool, &'static str, &'a str)>);

/// The menu of a signed-in user on the page `here` (path and query), in sections.
pub fn nav_for(p: &Principal, here: &str) -> Vec<NavGroup> {
    use crate::auth::policy::{Object, Role};
    let lang = p.lang;
    let path = here.split(['?', '#']).next().unwrap_or(here);
    let lists = |what| policy::may_list(p, what);
    let traffic = match p.role {
        Role::UnitAdmin => true,
        _ => policy::allows(p, policy::Action::View, &Object::Training),
    };
    let volunteer = p.role == Role::Volunteer;
    let rules = policy::allows(p, policy::Action::Update, &Object::Campaign);
    let monthly = !matches!(policy::monthly_scope(p), policy::Scope::Nothing);
    let inspections = !matches!(
        policy::inspection_scope(p),
        policy::Scope::Nothing | policy::Scope::OwnAccount(_)
    );
    // section, its entries (shown when allowed)
    let sections: [Section; 7] = [
        ("nav.group.workbench", vec![(true, "/", "nav.workbench")]),
        (
            "nav.group.activities",
            vec![
                (true, "/activities", "nav.activities"),
                (true, "/calendar", "nav.calendar"),
                (lists(Listing::Needs), "/needs", "nav.needs"),
                (volunteer, "/me/service", "nav.my_service"),
                (volunteer, "/me/record", "nav.my_record"),
            ],
        ),
        (
            "nav.group.teams",
            vec![
                (lists(Listing::Teams), "/teams", "nav.teams"),
                (traffic, "/traffic", "nav.traffic"),
            ],
        ),
        (
            "nav.group.checkins",
            vec![
                (lists(Listing::Teams), "/checkins", "nav.checkins"),
                (lists(Listing::Teams), "/dispatches", "nav.dispatches"),
                (inspections, "/inspections", "nav.inspections"),
            ],
        ),
        (
            "nav.group.progress",
            vec![
                (lists(Listing::Board), "/board", "nav.board"),
                (lists(Listing::Board), "/compliance", "nav.compliance"),
                (lists(Listing::Assessment), "/assessment", "nav.assessment"),
                (lists(Listing::Stats), "/stats", "nav.stats"),
                (monthly, "/stats/monthly", "nav.monthly"),
                (lists(Listing::Nominations), "/commendations", "nav.commendations"),
            ],
        ),
        (
            "nav.group.org",
            vec![
                (lists(Listing::Streets), "/streets", "nav.streets"),
                (lists(Listing::Communities), "/communities", "nav.communities"),
                (lists(Listing::Units), "/units", "nav.units"),
                (lists(Listing::Pairings), "/pairings", "nav.pairings"),
            ],
        ),
        (
            "nav.group.system",
            vec![
                (lists(Listing::Accounts), "/users", "nav.users"),
                (lists(Listing::AuditLog), "/audit", "nav.audit"),
                (rules, "/service-rules", "nav.service_rules"),
            ],
        ),
    ];
    // The most specific entry is the current one (`/stats/monthly` is under `/stats` too).
    let hrefs: Vec<&str> = sections
        .iter()
        .flat_map(|(_, e)| e.iter().map(|(_, h, _)| *h))
        .collect();
    let current = |href: &str| is_under(path, href) && !hrefs.iter().any(|o| o.len() > href.len() && is_under(path, o));
    sections
        .into_iter()
        .filter_map(|(key, entries)| {
            let items: Vec<NavItem> = entries
                .into_iter()
                .filter(|(allowed, _, _)| *allowed)
                .map(|(_, href, label)| NavItem {
                    href,
                    label: t(lang, label),
                    current: current(href),
                })
                .collect();
            (!items.is_empty()).then(|| NavGroup {
                key,
                label: t(lang, key),
                current: items.iter().any(|i| i.current),
                items,
            })
        })
        .collect()
}

/// Whether `path` is `href` or a page below it (`/teams/3` is under `/teams`, `/` only itself).
fn is_under(path: &str, href: &str) -> bool {
    path == href || (href != "/" && path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::is_under;

    #[test]
    fn a_page_is_under_its_section_and_home_only_under_itself() {
        assert!(is_under("/teams/3/edit", "/teams"));
        assert!(is_under("/teams", "/teams"));
        assert!(!is_under("/teamsx", "/teams"));
        assert!(!is_under("/teams", "/"));
        assert!(is_under("/", "/"));
    }
}
