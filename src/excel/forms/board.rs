//! The milestone board as a workbook: each unit and community against each milestone and the
//! two service columns.

use super::{write_list, Column};
use crate::db::board::{Board, BoardRow, Cell};
use crate::excel::Kind;
use crate::i18n::{t, Lang};

/// The title over the table (also the audit entry's label).
pub fn title(b: &Board, lang: Lang) -> String {
    format!("{} · {}", b.campaign.name, t(lang, "board.title"))
}

fn columns(lang: Lang) -> Vec<Column<'static, BoardRow>> {
    let status = move |c: &Cell| {
        let label = t(lang, &format!("board.{}", c.status.as_str()));
        match &c.done_on {
            Some(d) => format!("{label} {d}"),
            None => label,
        }
    };
    let milestone = move |key: &str, cell: fn(&BoardRow) -> &Cell| {
        Column::new(t(lang, key), 18.0, Kind::Text, move |_, r: &BoardRow| status(cell(r)))
    };
    vec![
        Column::new(t(lang, "board.no"), 6.0, Kind::Int, |i, _| i.to_string()),
        Column::new(t(lang, "board.kind"), 8.0, Kind::Text, move |_, r: &BoardRow| {
            t(lang, &format!("board.kind.{}", r.kind.as_str()))
        }),
        Column::new(t(lang, "field.name"), 28.0, Kind::Text, |_, r: &BoardRow| {
            r.name.clone()
        }),
        Column::new(t(lang, "field.street"), 14.0, Kind::Text, |_, r: &BoardRow| {
            r.street.clone()
        }),
        Column::new(t(lang, "board.teams"), 7.0, Kind::Int, |_, r: &BoardRow| {
            r.teams.to_string()
        }),
        milestone("board.formation", |r| &r.formation),
        milestone("board.roster", |r| &r.roster),
        milestone("board.traffic", |r| &r.traffic),
        milestone("board.checkin", |r| &r.checkin),
        milestone("board.plan", |r| &r.plan),
        milestone("board.activities", |r| &r.activities),
        milestone("board.hours", |r| &r.hours),
        milestone("board.rectification", |r| &r.rectification),
    ]
}

/// The board's rows as the caller sees them.
pub fn write(b: &Board, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let (milestones, service) = (t(lang, "board.milestones"), t(lang, "board.service"));
    let groups = [(milestones.as_str(), 5, 9), (service.as_str(), 10, 12)];
    write_list(
        &t(lang, "board.title"),
        &title(b, lang),
        &columns(lang),
        &groups,
        &b.rows,
    )
}
