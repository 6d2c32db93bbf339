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

create trigger stats_attendance_insert after insert on attendance begin
    insert or ignore into stats_dirty (kind, id, month) values
        ('activity', new.activity_id, ''), ('volunteer', new.volunteer_id, ''), ('month', 0, new.month);
end;
create trigger stats_attendance_delete after delete on attendance begin
    insert or ignore into stats_dirty (kind, id, month) values
        ('activity', old.activity_id, ''), ('volunteer', old.volunteer_id, ''), ('month', 0, old.month);
end;
create trigger stats_attendance_update
after update of activity_id, volunteer_id, month, minutes, confirmed_at on attendance begin
    insert or ignore into stats_dirty (kind, id, month) values
        ('activity', old.activity_id, ''), ('volunteer', old.volunteer_id, ''), ('month', 0, old.month),
        ('activity', new.activity_id, ''), ('volunteer', new.volunteer_id, ''), ('month', 0, new.month);
end;
create trigger stats_activities_insert after insert on activities begin
    insert or ignore into stats_dirty (kind, id, month) values ('activity', new.id, ''), ('month', 0, new.month);
end;
create trigger stats_activities_delete after delete on activities begin
    insert or ignore into stats_dirty (kind, id, month) values ('activity', old.id, ''), ('month', 0, old.month);
end;
create trigger stats_activities_update
after update of campaign_id, team_id, community_id, category, form, month, day, status, attended, ends_at,
    hours_confirmed_at on activities begin
    insert or ignore into stats_dirty (kind, id, month) values
        ('activity', old.id, ''), ('month', 0, old.month), ('activity', new.id, ''), ('month', 0, new.month);
end;
create trigger stats_activity_teams_insert after insert on activity_teams begin
    insert or ignore into stats_dirty (kind, id, month)
        select 'month', 0, month from activities where id = new.activity_id;
end;
create trigger stats_activity_teams_delete after delete on activity_teams begin
    insert or ignore into stats_dirty (kind, id, month)
        select 'month', 0, month from activities where id = old.activity_id;
end;
create trigger stats_days_insert after insert on concentrated_days begin
    insert or ignore into stats_dirty (kind, id, month) values ('month', 0, substr(new.day, 1, 7));
end;
create trigger stats_days_update after update of day on concentrated_days begin
    insert or ignore into stats_dirty (kind, id, month) values
        ('month', 0, substr(old.day, 1, 7)), ('month', 0, substr(new.day, 1, 7));
end;
create trigger stats_days_delete after delete on concentrated_days begin
    insert or ignore into stats_dirty (kind, id, month) values ('month', 0, substr(old.day, 1, 7));
end;
create trigger stats_members_insert after insert on team_members begin
    insert or ignore into stats_dirty (kind, id, month) values ('team', new.team_id, '');
end;
create trigger stats_members_delete after delete on team_members begin
    insert or ignore into stats_dirty (kind, id, month) values ('team', old.team_id, '');
end;
create trigger stats_members_update after update of team_id, volunteer_id, is_manager on team_members begin
    insert or ignore into stats_dirty (kind, id, month) values ('team', old.team_id, ''), ('team', new.team_id, '');
end;
create trigger stats_teams_insert after insert on teams begin
    insert or ignore into stats_dirty (kind, id, month) values ('team', new.id, '');
end;
create trigger stats_teams_delete after delete on teams begin
    insert or ignore into stats_dirty (kind, id, month) values ('team', old.id, '');
end;
create trigger stats_teams_update after update of campaign_id, unit_id, community_id on teams begin
    insert or ignore into stats_dirty (kind, id, month) values ('team', old.id, ''), ('team', new.id, '');
end;

-- The district's rules (working days to confirm hours, star thresholds): every month again.
create trigger stats_rules_insert after insert on settings when new.key = 'service_rules' begin
    insert or ignore into stats_dirty (kind, id, month) select distinct 'month', 0, month from activities;
end;
create trigger stats_rules_update after update on settings when new.key = 'service_rules' begin
    insert or ignore into stats_dirty (kind, id, month) select distinct 'month', 0, month from activities;
end;

-- Everything there is to count is dirty once: the first refresh builds the figures.
insert or ignore into stats_dirty (kind, id, month) select 'activity', id, '' from activities;
insert or ignore into stats_dirty (kind, id, month) select distinct 'volunteer', volunteer_id, '' from attendance;
insert or ignore into stats_dirty (kind, id, month) select distinct 'month', 0, month from activities;
insert or ignore into stats_dirty (kind, id, month) select 'team', id, '' from teams;
