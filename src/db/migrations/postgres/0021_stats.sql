-- Kept figures (issue 12 §3). Every change to a fact the figures count marks its key dirty in the
-- writing transaction (triggers, so that no writer can forget); the refresh job, which any
-- instance may run, recomputes only those keys and then the per-scope figures.
create table stats_dirty (
    -- `activity` (id), `volunteer` (id), `month` (id 0, month YYYY-MM) or `team` (id).
    kind text not null,
    id bigint not null,
    month text not null default '',
    primary key (kind, id, month)
);

-- Confirmed people (人次) and minutes of each activity.
create table stats_activity (
    activity_id bigint primary key,
    people bigint not null,
    minutes bigint not null
);

-- Confirmed minutes of each volunteer over all years (their star level).
create table stats_volunteer (
    volunteer_id bigint primary key,
    minutes bigint not null
);

-- Monthly compliance per team and month: activities held and co-held (attended, not cancelled,
-- whether or not over yet: the few under way are taken off when read), people signed in on the
-- concentrated day, managers who served anywhere, activities whose hours were confirmed late.
create table stats_team_month (
    campaign_id bigint not null,
    team_id bigint not null,
    month text not null,
    held bigint not null,
    co_held bigint not null,
    turnout bigint not null,
    managers_served bigint not null,
    hours_late bigint not null,
    primary key (campaign_id, team_id, month)
);

-- People on each team's roster and managers among them.
create table stats_team (
    team_id bigint primary key,
    campaign_id bigint not null,
    roster bigint not null,
    managers bigint not null
);

-- The figures per scope (`district` 0, `street` id, `unit` id) and dimension (`month`,
-- `category`, `street`, `status`, `form`, `star`, `roster`, `milestone`, `total`, …), as the
-- dashboards and `GET /api/v1/stats` read them.
create table stats_figures (
    campaign_id bigint not null,
    scope text not null,
    scope_id bigint not null,
    dim text not null,
    key text not null,
    activities bigint not null,
    people bigint not null,
    minutes bigint not null,
    primary key (campaign_id, scope, scope_id, dim, key)
);

-- When each campaign's figures were last built (campaign 0: when keys were last recounted).
create table stats_state (
    campaign_id bigint primary key,
    built_at bigint not null
);

-- Activities attended and still under way, taken off the kept "held" when read.
create index activities_attended_ends on activities (ends_at) where attended > 0;

-- The marks: statement-level triggers reading the rows changed, so that a bulk load marks each key
-- once (SQLite marks them row by row; the keys are the same).
create function stats_mark(kind text, id bigint, month text) returns void language sql as $$
    insert into stats_dirty (kind, id, month) values (kind, id, month) on conflict do nothing
$$;

create function stats_attendance_new() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month)
        select distinct 'activity', activity_id, '' from new_rows
        union select distinct 'volunteer', volunteer_id, '' from new_rows
        union select distinct 'month', 0, month from new_rows
        on conflict do nothing;
    return null;
end $$;
create function stats_attendance_old() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month)
        select distinct 'activity', activity_id, '' from old_rows
        union select distinct 'volunteer', volunteer_id, '' from old_rows
        union select distinct 'month', 0, month from old_rows
        on conflict do nothing;
    return null;
end $$;
create function stats_attendance_changed() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month)
        select k, i, m from (
            select o.activity_id as oa, o.volunteer_id as ov, o.month as om,
                   n.activity_id as na, n.volunteer_id as nv, n.month as nm
            from old_rows o join new_rows n on n.id = o.id
            where (o.activity_id, o.volunteer_id, o.month, o.minutes, o.confirmed_at)
                is distinct from (n.activity_id, n.volunteer_id, n.month, n.minutes, n.confirmed_at)
        ) c cross join lateral (values ('activity', oa, ''), ('volunteer', ov, ''), ('month', 0, om),
                                      ('activity', na, ''), ('volunteer', nv, ''), ('month', 0, nm)) v(k, i, m)
        group by k, i, m
        on conflict do nothing;
    return null;
end $$;
create trigger stats_attendance_insert after insert on attendance
    referencing new table as new_rows for each statement execute function stats_attendance_new();
create trigger stats_attendance_delete after delete on attendance
    referencing old table as old_rows for each statement execute function stats_attendance_old();
create trigger stats_attendance_update after update on attendance
    referencing old table as old_rows new table as new_rows for each statement execute function stats_attendance_changed();

create function stats_activities_new() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month)
        select 'activity', id, '' from new_rows
        union select distinct 'month', 0, month from new_rows
        on conflict do nothing;
    return null;
end $$;
create function stats_activities_old() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month)
        select 'activity', id, '' from old_rows
        union select distinct 'month', 0, month from old_rows
        on conflict do nothing;
    return null;
end $$;
create function stats_activities_changed() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month)
        select k, i, m from (
            select o.id, o.month as om, n.month as nm
            from old_rows o join new_rows n on n.id = o.id
            where (o.campaign_id, o.team_id, o.community_id, o.category, o.form, o.month, o.day, o.status,
                   o.attended, o.ends_at, o.hours_confirmed_at)
                is distinct from (n.campaign_id, n.team_id, n.community_id, n.category, n.form, n.month, n.day,
                   n.status, n.attended, n.ends_at, n.hours_confirmed_at)
        ) c cross join lateral (values ('activity', c.id, ''), ('month', 0, om), ('month', 0, nm)) v(k, i, m)
        group by k, i, m
        on conflict do nothing;
    return null;
end $$;
create trigger stats_activities_insert after insert on activities
    referencing new table as new_rows for each statement execute function stats_activities_new();
create trigger stats_activities_delete after delete on activities
    referencing old table as old_rows for each statement execute function stats_activities_old();
create trigger stats_activities_update after update on activities
    referencing old table as old_rows new table as new_rows for each statement execute function stats_activities_changed();

create function stats_activity_teams_row() returns trigger language plpgsql as $$
begin
    perform stats_mark('month', 0, (select month from activities
        where id = case when tg_op = 'DELETE' then old.activity_id else new.activity_id end));
    return null;
end $$;
create trigger stats_activity_teams after insert or delete on activity_teams
    for each row execute function stats_activity_teams_row();

create function stats_days_row() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then perform stats_mark('month', 0, substr(old.day, 1, 7)); end if;
    if tg_op <> 'DELETE' then perform stats_mark('month', 0, substr(new.day, 1, 7)); end if;
    return null;
end $$;
create trigger stats_days after insert or delete or update of day on concentrated_days
    for each row execute function stats_days_row();

create function stats_members_new() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month) select distinct 'team', team_id, '' from new_rows on conflict do nothing;
    return null;
end $$;
create function stats_members_old() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month) select distinct 'team', team_id, '' from old_rows on conflict do nothing;
    return null;
end $$;
create trigger stats_members_insert after insert on team_members
    referencing new table as new_rows for each statement execute function stats_members_new();
create trigger stats_members_delete after delete on team_members
    referencing old table as old_rows for each statement execute function stats_members_old();
create function stats_members_row() returns trigger language plpgsql as $$
begin
    perform stats_mark('team', old.team_id, '');
    perform stats_mark('team', new.team_id, '');
    return null;
end $$;
create trigger stats_members_update after update of team_id, volunteer_id, is_manager on team_members
    for each row execute function stats_members_row();

create function stats_teams_row() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then perform stats_mark('team', old.id, ''); end if;
    if tg_op <> 'DELETE' then perform stats_mark('team', new.id, ''); end if;
    return null;
end $$;
create trigger stats_teams after insert or delete or update of campaign_id, unit_id, community_id on teams
    for each row execute function stats_teams_row();

-- The district's rules (working days to confirm hours, star thresholds): every month again.
create function stats_rules_row() returns trigger language plpgsql as $$
begin
    if new.key = 'service_rules' then
        insert into stats_dirty (kind, id, month) select distinct 'month', 0, month from activities
            on conflict do nothing;
    end if;
    return null;
end $$;
create trigger stats_rules after insert or update on settings for each row execute function stats_rules_row();

-- Everything there is to count is dirty once: the first refresh builds the figures.
insert into stats_dirty (kind, id, month) select 'activity', id, '' from activities on conflict do nothing;
insert into stats_dirty (kind, id, month) select distinct 'volunteer', volunteer_id, '' from attendance on conflict do nothing;
insert into stats_dirty (kind, id, month) select distinct 'month', 0, month from activities on conflict do nothing;
insert into stats_dirty (kind, id, month) select 'team', id, '' from teams on conflict do nothing;
