//! The dashboards' charts, drawn on the server: each a horizontal bar chart (one bar per row of
//! its table, every series side by side) whose numbers are also its table and its .xlsx.

use serde::Serialize;

use super::service::Stats;
use crate::db::stats::Figure;
use crate::domain::campaign::Category;
use crate::i18n::{t, Lang};

/// One bar of the drawing.
#[derive(Clone, Debug, Serialize)]
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    /// Which series (0, 1): its colour.
    pub s: usize,
    pub label: String,
}

/// A chart: its table (rows of a label and a value per series) and its drawing.
#[derive(Clone, Debug, Serialize)]
pub struct Chart {
    /// `month`, `category`, `streets`, `stars`, `roster`, `milestones`, `needs`.
    pub id: &'static str,
    pub title: String,
    pub series: Vec<String>,
    pub rows: Vec<(String, Vec<i64>)>,
    pub bars: Vec<Bar>,
    /// Where each row's label goes (y of its text).
    pub labels: Vec<(i64, String)>,
    pub height: i64,
}

const ROW: i64 = 36;
const LEFT: i64 = 300;
const WIDTH: i64 = 1000;

impl Chart {
    fn new(id: &'static str, title: String, series: Vec<String>, rows: Vec<(String, Vec<i64>)>) -> Chart {
        let max: Vec<i64> = (0..series.len())
            .map(|i| rows.iter().map(|r| r.1[i]).max().unwrap_or(0).max(1))
            .collect();
        let per = (ROW - 8) / series.len().max(1) as i64;
        let mut bars = vec![];
        let mut labels = vec![];
        for (n, (label, values)) in rows.iter().enumerate() {
            let top = n as i64 * ROW;
            labels.push((top + ROW / 2 + 5, label.clone()));
            for (i, v) in values.iter().enumerate() {
                bars.push(Bar {
                    x: LEFT,
                    y: top + 4 + i as i64 * per,
                    w: (v * (WIDTH - LEFT - 10) / max[i]).max(if *v > 0 { 1 } else { 0 }),
                    h: per - 2,
                    s: i,
                    label: format!("{label} · {}: {v}", series[i]),
                });
            }
        }
        Chart {
            id,
            title,
            height: (rows.len() as i64 * ROW).max(ROW),
            series,
            rows,
            bars,
            labels,
        }
    }
}

fn hours(minutes: i64) -> i64 {
    (minutes + 30) / 60
}

fn by<'a>(s: &'a Stats, dim: &'a str) -> Vec<&'a Figure> {
    s.dim(dim).collect()
}

/// Every chart of a scope's figures; `streets` names the streets (id, name) for the district's.
pub fn charts(s: &Stats, lang: Lang, streets: &[(i64, String)]) -> Vec<Chart> {
    let service = || {
        vec![
            t(lang, "stats.activities"),
            t(lang, "stats.people"),
            t(lang, "stats.hours"),
        ]
    };
    let values = |f: &Figure| vec![f.activities, f.people, hours(f.minutes)];
    let mut out = vec![];
    let months: Vec<(String, Vec<i64>)> = by(s, "month").iter().map(|f| (f.key.clone(), values(f))).collect();
    out.push(Chart::new("month", t(lang, "stats.chart.month"), service(), months));
    let cats: Vec<(String, Vec<i64>)> = Category::ALL
        .iter()
        .map(|c| {
            let f = s.dim("category").find(|f| f.key == c.code());
            (
                t(lang, &format!("category.{}", c.code())),
                f.map(values).unwrap_or_else(|| vec![0, 0, 0]),
            )
        })
        .collect();
    out.push(Chart::new("category", t(lang, "stats.chart.category"), service(), cats));
    if s.scope == "district" {
        let rows = streets
            .iter()
            .map(|(id, name)| {
                let f = s.dim("street").find(|f| f.key == id.to_string());
                (name.clone(), f.map(values).unwrap_or_else(|| vec![0, 0, 0]))
            })
            .collect();
        out.push(Chart::new("streets", t(lang, "stats.chart.streets"), service(), rows));
    }
    let stars = (0..=5)
        .map(|n| {
            let v = s.dim("star").find(|f| f.key == n.to_string()).map_or(0, |f| f.people);
            (t(lang, "stats.stars_n").replace("{n}", &n.to_string()), vec![v])
        })
        .collect();
    out.push(Chart::new(
        "stars",
        t(lang, "stats.chart.stars"),
        vec![t(lang, "stats.volunteers")],
        stars,
    ));
    let mut total = 0;
    let roster = by(s, "roster")
        .iter()
        .map(|f| {
            total += f.people;
            (f.key.clone(), vec![f.people, total])
        })
        .collect();
    out.push(Chart::new(
        "roster",
        t(lang, "stats.chart.roster"),
        vec![t(lang, "stats.added"), t(lang, "stats.on_rosters")],
        roster,
    ));
    let statuses = ["done", "late", "missing", "open"];
    let milestones = ["formation", "roster", "traffic", "checkin", "plan"]
        .iter()
        .filter_map(|m| {
            let v: Vec<i64> = statuses
                .iter()
                .map(|st| {
                    s.dim("milestone")
                        .find(|f| f.key == format!("{m}:{st}"))
                        .map_or(0, |f| f.activities)
                })
                .collect();
            (v.iter().sum::<i64>() > 0).then(|| (t(lang, &format!("board.{m}")), v))
        })
        .collect();
    out.push(Chart::new(
        "milestones",
        t(lang, "stats.chart.milestones"),
        statuses.iter().map(|st| t(lang, &format!("board.{st}"))).collect(),
        milestones,
    ));
    // Needs (四单) by state, fulfilled among them.
    let needs: Vec<(String, Vec<i64>)> = by(s, "needs")
        .iter()
        .map(|f| (t(lang, &format!("need.status.{}", f.key)), vec![f.activities]))
        .collect();
    if !needs.is_empty() {
        out.push(Chart::new(
            "needs",
            t(lang, "stats.chart.needs"),
            vec![t(lang, "stats.needs")],
            needs,
        ));
    }
    out
}
