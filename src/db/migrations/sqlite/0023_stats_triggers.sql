-- The triggers that mark the kept figures dirty said `insert or ignore`. SQLite lets the
-- statement that fires a trigger override the trigger's own conflict clause, and an upsert's
-- `do update` (the district's service rules are saved by one) turns it into an abort: saving the
-- rules twice before a recount failed on the dirty keys the first save left. An upsert inside
-- the trigger (`on conflict do nothing`) keeps its own policy, so each trigger is made again
-- with one. (PostgreSQL's triggers never had the problem: no migration 0023 there.)

drop trigger stats_attendance_insert;
create trigger stats_attendance_insert after insert on attendance begin
    insert into stats_dirty (kind, id, month) values
        ('activity', new.activity_id, ''), ('volunteer', new.volunteer_id, ''), ('month', 0, new.month)
        on conflict do nothing;
end;
drop trigger stats_attendance_delete;
create trigger stats_attendance_delete after delete on attendance begin
    insert into stats_dirty (kind, id, month) values
        ('activity', old.activity_id, ''), ('volunteer', old.volunteer_id, ''), ('month', 0, old.month)
        on conflict do nothing;
end;
drop trigger stats_attendance_update;
create trigger stats_attendance_update
after update of activity_id, volunteer_id, month, minutes, confirmed_at on attendance begin
    insert into stats_dirty (kind, id, month) values
        ('activity', old.activity_id, ''), ('volunteer', old.volunteer_id, ''), ('month', 0, old.month),
        ('activity', new.activity_id, ''), ('volunteer', new.volunteer_id, ''), ('month', 0, new.month)
        on conflict do nothing;
end;
drop trigger stats_activities_insert;
create trigger stats_activities_insert after insert on activities begin
    insert into stats_dirty (kind, id, month) values ('activity', new.id, ''), ('month', 0, new.month)
        on conflict do nothing;
end;
drop trigger stats_activities_delete;
create trigger stats_activities_delete after delete on activities begin
    insert into stats_dirty (kind, id, month) values ('activity', old.id, ''), ('month', 0, old.month)
        on conflict do nothing;
end;
drop trigger stats_activities_update;
create trigger stats_activities_update
after update of campaign_id, team_id, community_id, category, form, month, day, status, attended, ends_at,
    hours_confirmed_at on activities begin
    insert into stats_dirty (kind, id, month) values
        ('activity', old.id, ''), ('month', 0, old.month), ('activity', new.id, ''), ('month', 0, new.month)
        on conflict do nothing;
end;
drop trigger stats_activity_teams_insert;
create trigger stats_activity_teams_insert after insert on activity_teams begin
    insert into stats_dirty (kind, id, month)
        select 'month', 0, month from activities where id = new.activity_id
        on conflict do nothing;
end;
drop trigger stats_activity_teams_delete;
create trigger stats_activity_teams_delete after delete on activity_teams begin
    insert into stats_dirty (kind, id, month)
        select 'month', 0, month from activities where id = old.activity_id
        on conflict do nothing;
end;
drop trigger stats_days_insert;
create trigger stats_days_insert after insert on concentrated_days begin
    insert into stats_dirty (kind, id, month) values ('month', 0, substr(new.day, 1, 7))
        on conflict do nothing;
end;
drop trigger stats_days_update;
create trigger stats_days_update after update of day on concentrated_days begin
    insert into stats_dirty (kind, id, month) values
        ('month', 0, substr(old.day, 1, 7)), ('month', 0, substr(new.day, 1, 7))
        on conflict do nothing;
end;
drop trigger stats_days_delete;
create trigger stats_days_delete after delete on concentrated_days begin
    insert into stats_dirty (kind, id, month) values ('month', 0, substr(old.day, 1, 7))
        on conflict do nothing;
end;
drop trigger stats_members_insert;
create trigger stats_members_insert after insert on team_members begin
    insert into stats_dirty (kind, id, month) values ('team', new.team_id, '')
        on conflict do nothing;
end;
drop trigger stats_members_delete;
create trigger stats_members_delete after delete on team_members begin
    insert into stats_dirty (kind, id, month) values ('team', old.team_id, '')
        on conflict do nothing;
end;
drop trigger stats_members_update;
create trigger stats_members_update after update of team_id, volunteer_id, is_manager on team_members begin
    insert into stats_dirty (kind, id, month) values ('team', old.team_id, ''), ('team', new.team_id, '')
        on conflict do nothing;
end;
drop trigger stats_teams_insert;
create trigger stats_teams_insert after insert on teams begin
    insert into stats_dirty (kind, id, month) values ('team', new.id, '')
        on conflict do nothing;
end;
drop trigger stats_teams_delete;
create trigger stats_teams_delete after delete on teams begin
    insert into stats_dirty (kind, id, month) values ('team', old.id, '')
        on conflict do nothing;
end;
drop trigger stats_teams_update;
create trigger stats_teams_update after update of campaign_id, unit_id, community_id on teams begin
    insert into stats_dirty (kind, id, month) values ('team', old.id, ''), ('team', new.id, '')
        on conflict do nothing;
end;
drop trigger stats_rules_insert;
create trigger stats_rules_insert after insert on settings when new.key = 'service_rules' begin
    insert into stats_dirty (kind, id, month) select distinct 'month', 0, month from activities where true
        on conflict do nothing;
end;
drop trigger stats_rules_update;
create trigger stats_rules_update after update on settings when new.key = 'service_rules' begin
    insert into stats_dirty (kind, id, month) select distinct 'month', 0, month from activities where true
        on conflict do nothing;
end;
drop trigger stats_needs_insert;
create trigger stats_needs_insert after insert on needs begin
    insert into stats_dirty (kind, id, month) values ('needs', 0, '')
        on conflict do nothing;
end;
drop trigger stats_needs_update;
create trigger stats_needs_update after update of status on needs begin
    insert into stats_dirty (kind, id, month) values ('needs', 0, '')
        on conflict do nothing;
end;
