//! The dispatch pages' forms, read from their fields (a head count per team, a box per volunteer).

use super::service::{AnswerInput, DispatchInput};
use crate::db::dispatches::TeamCount;
use crate::web::form_urlencoded_pairs;

/// The new action's form: its fields and a `need_<team id>` head count per team.
pub fn dispatch_input(pairs: &[(String, String)]) -> DispatchInput {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let teams = pairs
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("need_")?.parse().ok()?;
            let n: i64 = v.trim().parse().ok().filter(|n| *n != 0)?;
            Some(TeamCount {
                team_id: id,
                required: n,
            })
        })
        .collect();
    DispatchInput {
        title: get("title"),
        target: get("target"),
        description: get("description"),
        category: get("category"),
        dimension: get("dimension"),
        address: get("address"),
        starts_at: get("starts_at"),
        ends_at: get("ends_at"),
        teams,
    }
}

/// A team's answer: `answer`, `reason`, and `volunteer_ids` once per ticked box.
pub fn answer_input(body: &[u8]) -> AnswerInput {
    let mut input = AnswerInput::default();
    for (k, v) in form_urlencoded_pairs(&String::from_utf8_lossy(body)) {
        match k.as_str() {
            "answer" => input.answer = v,
            "volunteer_ids" => input.volunteer_ids.extend(v.trim().parse::<i64>().ok()),
            "reason" => input.reason = Some(v),
            _ => {}
        }
    }
    input
}
