-- The activities' update trigger read transition tables, and PostgreSQL allows no column list on
-- such a trigger: every update of an activity ran it, the sign-up's `taken` counter too (about
-- 5 % of the database's work under sign-up load). A row trigger may name its columns and a
-- condition, so it runs only when a column the kept figures count changes.
drop trigger stats_activities_update on activities;
drop function stats_activities_changed();
create function stats_activities_row_changed() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month)
        values ('activity', old.id, ''), ('activity', new.id, ''), ('month', 0, old.month), ('month', 0, new.month)
        on conflict do nothing;
    return null;
end $$;
create trigger stats_activities_update
    after update of campaign_id, team_id, community_id, category, form, month, day, status, attended, ends_at,
        hours_confirmed_at on activities
    for each row
    when ((old.campaign_id, old.team_id, old.community_id, old.category, old.form, old.month, old.day, old.status,
           old.attended, old.ends_at, old.hours_confirmed_at)
        is distinct from (new.campaign_id, new.team_id, new.community_id, new.category, new.form, new.month, new.day,
           new.status, new.attended, new.ends_at, new.hours_confirmed_at))
    execute function stats_activities_row_changed();
