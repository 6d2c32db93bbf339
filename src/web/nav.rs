//! The menu: only what the role may open.

use serde::Serialize;

use crate::auth::policy::{self, Listing, Principal};
use crate::i18n::t;

#[derive(Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
}

/// The menu of a signed-in user.
pub fn nav_for(p: &Principal) -> Vec<NavItem> {
    use crate::auth::policy::{Object, Role};
    let lang = p.lang;
    let mut items = vec![
        NavItem {
            href: "/",
            label: t(lang, "nav.home"),
        },
        NavItem {
            href: "/activities",
            label: t(lang, "nav.activities"),
        },
    ];
    let entries: [(Listing, &str, &str); 8] = [
        (Listing::Board, "/board", "nav.board"),
        (Listing::Teams, "/teams", "nav.teams"),
        (Listing::Streets, "/streets", "nav.streets"),
        (Listing::Communities, "/communities", "nav.communities"),
        (Listing::Units, "/units", "nav.units"),
        (Listing::Pairings, "/pairings", "nav.pairings"),
        (Listing::Accounts, "/users", "nav.users"),
        (Listing::AuditLog, "/audit", "nav.audit"),
    ];
    for (what, href, key) in entries {
        if policy::may_list(p, what) {
            items.push(NavItem {
                href,
                label: t(lang, key),
            });
            if what == Listing::Teams {
                items.push(NavItem {
                    href: "/checkins",
                    label: t(lang, "nav.checkins"),
                });
                items.push(NavItem {
                    href: "/dispatches",
                    label: t(lang, "nav.dispatches"),
                });
            }
            if what == Listing::Board {
                items.push(NavItem {
                    href: "/compliance",
                    label: t(lang, "nav.compliance"),
                });
            }
        }
    }
    let sees_traffic = match p.role {
        Role::UnitAdmin => true,
        _ => policy::allows(p, policy::Action::View, &Object::Training),
    };
    if sees_traffic {
        // After the check-ins for the teams' staff; after the org lists for the police.
        let at = ["/checkins", "/units"]
            .iter()
            .find_map(|h| items.iter().position(|i| i.href == *h))
            .map_or(items.len(), |p| p + 1);
        items.insert(
            at,
            NavItem {
                href: "/traffic",
                label: t(lang, "nav.traffic"),
            },
        );
    }
    items.push(NavItem {
        href: "/calendar",
        label: t(lang, "nav.calendar"),
    });
    if policy::allows(p, policy::Action::Update, &Object::Campaign) {
        items.push(NavItem {
            href: "/service-rules",
            label: t(lang, "nav.service_rules"),
        });
    }
    if p.role == Role::Volunteer {
        items.push(NavItem {
            href: "/me/record",
            label: t(lang, "nav.my_record"),
        });
        items.push(NavItem {
            href: "/me/service",
            label: t(lang, "nav.my_service"),
        });
    }
    items
}
