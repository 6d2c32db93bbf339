//! The year before: an inactive campaign for the same units and communities, with teams,
//! rosters, check-ins and a year of activities with sign-ins and confirmed hours, different
//! enough from team to team for the ranking to mean something. Its assessment is closed (the
//! snapshot frozen) once the seed is committed; the other year-end capabilities seed their part
//! of it from the campaign this answers.

use crate::domain::activity::AddedBy;
use crate::domain::campaign::{Categories, Category};
use crate::domain::service::Dimension;
use chrono::{Datelike, NaiveDate};

use super::service::fields;
use crate::db::audit::Actor;
use crate::db::campaigns::Campaign;
use crate::db::{activities, attendance, campaigns, checkins, demo as store, signups, teams, volunteers, Tx};
use crate::domain::activity::{ActivityForm, ActivityStatus};
use crate::domain::campaign::Milestones;
use crate::domain::checkin::CheckInStatus;
use crate::domain::service::{parse_local, Rules};
use crate::domain::team::RosterStatus;

/// How many of the current year's unit teams served the year before too.
const TEAMS: usize = 12;

/// Seeds the previous year from this year's unit teams (`teams`: team, paired community;
/// `units`: their units), leaving out `skip` (the demo volunteer, whose record tests read), and
/// the first community's residents' team `community`. `current` stays the active campaign.
pub async fn seed(
    tx: &mut Tx,
    actor: &Actor,
    current: &Campaign,
    units: &[i64],
    teams_now: &[(i64, Option<i64>)],
    community: i64,
    skip: i64,
) -> anyhow::Result<Campaign> {
    let year = current.year - 1;
    let name = format!("{year}年“弘扬雷锋精神，志愿服务进社区”活动");
    let campaign = campaigns::create_campaign(tx, actor, year, &name, &Milestones::defaults(year as i32)).await?;
    crate::db::calendar::ensure_days(tx, actor, &campaign).await?;
    let at = |m: u32, d: u32| {
        NaiveDate::from_ymd_opt(year as i32, m, d)
            .and_then(|x| x.and_hms_opt(10, 0, 0))
            .map(|t| t.and_utc().timestamp() - 8 * 3600)
            .unwrap_or(0)
    };
    let rules = Rules::default();
    let days = crate::domain::calendar::concentrated_days(&campaign.activities_start, &campaign.activities_end);
    // (this year's team, unit, paired community, the people who served again)
    type Planned = (i64, Option<i64>, Option<i64>, Vec<i64>);
    let mut plan: Vec<Planned> = vec![];
    for ((now_team, paired), unit) in teams_now.iter().zip(units).take(TEAMS) {
        let members: Vec<i64> = volunteers::members_in_tx(tx, *now_team)
            .await?
            .into_iter()
            .map(|m| m.volunteer.id)
            .filter(|v| *v != skip)
            .collect();
        plan.push((*now_team, Some(*unit), *paired, members));
    }
    plan.push((0, None, Some(community), vec![]));
    for (ti, (now_team, unit, paired, members)) in plan.into_iter().enumerate() {
        let team_name = match now_team {
            0 => "春晓社区居民志愿服务队".to_string(),
            _ => format!("{}学雷锋志愿服务队", super::UNITS[ti].0),
        };
        let f = teams::TeamFields {
            name: team_name,
            leader_name: super::person(ti + 500),
            leader_phone: super::mobile(ti + 500),
            contact_name: super::person(ti + 520),
            contact_phone: super::mobile(ti + 520),
            categories: Categories(vec![Category::PublicAffairs, Category::HelpingWeak]),
            founded_on: format!("{year}-04-0{}", 1 + ti % 8),
        };
        let (u, c) = if unit.is_some() { (unit, None) } else { (None, paired) };
        let team = teams::create_team(tx, actor, campaign.id, u, c, &f).await?;
        store::backdate_team_created(tx, team.id, at(4, 5 + (ti % 4) as u32 * 4)).await?;
        for (k, v) in members.iter().enumerate() {
            volunteers::add_member(tx, actor, team.id, *v, k == 0).await?;
        }
        teams::set_roster_status(tx, actor, team.id, RosterStatus::Submitted, "").await?;
        store::backdate_roster_submitted(tx, team.id, at(4, if ti % 3 == 2 { 23 } else { 18 })).await?;
        teams::set_roster_status(tx, actor, team.id, RosterStatus::Accepted, "").await?;
        // Most units checked in with their community in time; a few late, a few never.
        if let (Some(_), Some(community)) = (unit, paired) {
            if ti % 5 != 4 {
                let k = checkins::file_checkin(tx, actor, team.id, community).await?;
                checkins::move_checkin(tx, actor, k.id, CheckInStatus::Forwarded, "").await?;
                checkins::move_checkin(tx, actor, k.id, CheckInStatus::Confirmed, "").await?;
                store::backdate_checkin_confirmed(tx, k.id, at(4, if ti % 4 == 1 { 29 } else { 24 })).await?;
            }
        }
        // A year of activities: the stronger teams every month, others skip some.
        let skip_every = [0, 2, 3, 4, 5][ti % 5];
        for (month, day) in &days {
            if skip_every > 0 && (*month as usize + ti).is_multiple_of(skip_every) {
                continue;
            }
            let Some(starts) = parse_local(&format!("{} 09:00", day.format("%Y-%m-%d"))) else {
                continue;
            };
            let mut a = fields(
                team.id,
                "学雷锋志愿服务",
                Category::PublicAffairs,
                Dimension::Environment,
                ActivityForm::Concentrated,
                starts,
                2 + (ti % 3) as i64,
            );
            a.community_id = paired;
            a.capacity = members.len().max(1) as i64 + 5;
            a.content = format!("{}月主题志愿服务", day.month());
            let a = activities::insert_activity(tx, actor, campaign.id, &a, ActivityStatus::Published).await?;
            for (k, v) in members.iter().enumerate() {
                // The turnout differs from team to team.
                if (k + *month as usize).is_multiple_of(2 + ti % 4) {
                    continue;
                }
                signups::sign_up(tx, actor, &a, *v, AddedBy::Themselves).await?;
                attendance::sign_in(
                    tx,
                    actor,
                    &a,
                    *v,
                    starts - 600,
                    crate::domain::attendance::Method::Scan,
                    None,
                )
                .await?;
                attendance::sign_out(tx, actor, &a, &rules, *v, a.ends_at, false).await?;
            }
            attendance::close_open_attendance(tx, actor, &a, &rules).await?;
            attendance::confirm_hours(tx, actor, &a).await?;
            let delay = if ti % 6 == 3 { 25 * 86400 } else { 2 * 86400 };
            store::backdate_completed(tx, a.id, a.ends_at + delay).await?;
        }
    }
    store::make_active(tx, current.id).await?;
    Ok(campaign)
}
