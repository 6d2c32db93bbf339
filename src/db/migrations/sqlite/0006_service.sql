-- Service: activities (concentrated, scattered, dispatched), dispatched joint actions and the
-- teams' answers, sign-ups with a waiting list, sign-in and sign-out with corrections kept, hours
-- confirmed by the leader, photos of finished activities, certificates, and the district's rules.
create index team_members_managers on team_members (volunteer_id, team_id) where is_manager;

create table settings (
    key text primary key,
    value text not null,
    updated_at bigint not null
);

create table dispatches (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    title text not null,
    target text not null default '',
    description text not null default '',
    category text not null,
    dimension text not null,
    address text not null,
    starts_at bigint not null,
    ends_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);

create table activities (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    team_id bigint not null references teams(id),
    community_id bigint references communities(id),
    dispatch_id bigint references dispatches(id),
    title text not null,
    theme text not null default '',
    category text not null,
    dimension text not null,
    form text not null,
    address text not null,
    lat real,
    lng real,
    starts_at bigint not null,
    ends_at bigint not null,
    -- China-time month (YYYY-MM) and day (YYYY-MM-DD) of the start, for monthly compliance.
    month text not null,
    day text not null,
    capacity bigint not null,
    taken bigint not null default 0,
    -- People signed in (kept with each sign-in, for the monthly compliance).
    attended bigint not null default 0,
    open_to text not null default 'all',
    signup_opens_at bigint,
    signup_closes_at bigint,
    min_age bigint,
    max_age bigint,
    skills text not null default '',
    content text not null default '',
    risky boolean not null default false,
    risk_statement text not null default '',
    insurance text not null default '',
    leader_name text not null default '',
    leader_phone text not null default '',
    status text not null default 'draft',
    cancel_reason text not null default '',
    -- When it was first published (a draft cancelled before that stays private).
    published_at bigint,
    code_secret text not null,
    code_rotates boolean not null default false,
    geofence_m bigint,
    summary text not null default '',
    people_served bigint,
    completed_at bigint,
    hours_confirmed_at bigint,
    hours_confirmed_by text not null default '',
    created_at bigint not null,
    updated_at bigint not null
);
create index activities_starts on activities (starts_at);
create index activities_month on activities (campaign_id, month);
create index activities_compliance on activities (campaign_id, team_id, month, status, ends_at, attended, day);
create index activities_day on activities (day);
create index activities_team on activities (team_id, starts_at);
create index activities_community on activities (community_id, starts_at);
create index activities_dispatch on activities (dispatch_id);

create table activity_teams (
    activity_id bigint not null references activities(id) on delete cascade,
    team_id bigint not null references teams(id),
    -- A co-organiser (the organising team is the activity's own team_id).
    co boolean not null default false,
    primary key (activity_id, team_id)
);
create index activity_teams_team on activity_teams (team_id);
create index activity_teams_co on activity_teams (team_id) where co;

create table dispatch_teams (
    id integer primary key,
    dispatch_id bigint not null references dispatches(id) on delete cascade,
    team_id bigint not null references teams(id),
    required bigint not null,
    answer text not null default 'pending',
    decline_reason text not null default '',
    review text not null default '',
    review_note text not null default '',
    activity_id bigint references activities(id),
    answered_at bigint,
    reviewed_at bigint,
    unique (dispatch_id, team_id)
);
create index dispatch_teams_team on dispatch_teams (team_id);

create table dispatch_named (
    dispatch_team_id bigint not null references dispatch_teams(id) on delete cascade,
    volunteer_id bigint not null references volunteers(id),
    primary key (dispatch_team_id, volunteer_id)
);

create table signups (
    id integer primary key,
    activity_id bigint not null references activities(id) on delete cascade,
    volunteer_id bigint not null references volunteers(id),
    status text not null,
    added_by text not null default '',
    created_at bigint not null,
    updated_at bigint not null,
    unique (activity_id, volunteer_id)
);
create index signups_volunteer on signups (volunteer_id);
create index signups_waiting on signups (activity_id, status, id);

create table attendance (
    id integer primary key,
    activity_id bigint not null references activities(id) on delete cascade,
    volunteer_id bigint not null references volunteers(id),
    signed_in_at bigint not null,
    signed_out_at bigint,
    method text not null,
    -- The activity's month (YYYY-MM), for the monthly compliance.
    month text not null default '',
    auto_signed_out boolean not null default false,
    walkin_token text,
    minutes bigint,
    confirmed_at bigint,
    created_at bigint not null,
    unique (activity_id, volunteer_id)
);
create index attendance_volunteer on attendance (volunteer_id, month);
-- The minute job looks for lines still open.
create index attendance_open on attendance (activity_id) where signed_out_at is null;

create table attendance_changes (
    id integer primary key,
    attendance_id bigint not null references attendance(id) on delete cascade,
    field text not null,
    old_value text not null,
    new_value text not null,
    reason text not null,
    username text not null,
    at bigint not null
);
create index attendance_changes_attendance on attendance_changes (attendance_id);

create table activity_photos (
    id integer primary key,
    activity_id bigint not null references activities(id) on delete cascade,
    content_type text not null,
    size bigint not null,
    data blob not null,
    created_at bigint not null
);
create index activity_photos_activity on activity_photos (activity_id);

create table certificates (
    id integer primary key,
    number text not null unique,
    volunteer_id bigint not null references volunteers(id),
    team_id bigint references teams(id),
    issued_at bigint not null,
    statement text not null,
    signature text not null,
    created_by text not null
);
create index certificates_volunteer on certificates (volunteer_id);
