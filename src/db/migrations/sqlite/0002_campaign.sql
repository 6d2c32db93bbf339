-- The campaign year: milestones, teams and their rosters, volunteers, managers, traffic-persuasion
-- volunteers and their training, check-ins with paired communities and long-term plans.
create table campaigns (
    id integer primary key,
    year bigint not null unique,
    name text not null,
    active boolean not null default false,
    formation_due text not null,
    roster_due text not null,
    checkin_due text not null,
    activities_start text not null,
    activities_end text not null,
    commendation_month text not null,
    reference_date text not null,
    created_at bigint not null,
    updated_at bigint not null
);

create table teams (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    unit_id bigint references units(id),
    community_id bigint references communities(id),
    name text not null,
    leader_name text not null default '',
    leader_phone text not null default '',
    contact_name text not null default '',
    contact_phone text not null default '',
    categories text not null default '',
    founded_on text not null default '',
    roster_status text not null default 'draft',
    roster_submitted_at bigint,
    roster_reviewed_at bigint,
    roster_return_reason text not null default '',
    created_at bigint not null,
    updated_at bigint not null,
    unique (campaign_id, name),
    check ((unit_id is null) <> (community_id is null))
);
create index teams_unit on teams (unit_id);
create index teams_community on teams (community_id);

create table volunteers (
    id integer primary key,
    volunteer_no text not null unique,
    name text not null,
    sex text not null default '',
    birth_date text not null default '',
    id_type text not null default '',
    id_number text unique,
    phone text not null default '',
    residence text not null default '',
    political_status text not null default '',
    employer text not null default '',
    post text not null default '',
    skills text not null default '',
    consent_at bigint,
    id_consent_at bigint,
    guardian_name text not null default '',
    guardian_phone text not null default '',
    guardian_consent_at bigint,
    user_id bigint unique references users(id),
    created_at bigint not null,
    updated_at bigint not null
);
create index volunteers_name_phone on volunteers (name, phone);

create table team_members (
    id integer primary key,
    team_id bigint not null references teams(id) on delete cascade,
    volunteer_id bigint not null references volunteers(id),
    is_manager boolean not null default false,
    created_at bigint not null,
    unique (team_id, volunteer_id)
);
create index team_members_volunteer on team_members (volunteer_id);

create table unit_managers (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    unit_id bigint not null references units(id),
    name text not null,
    post text not null default '',
    created_at bigint not null,
    unique (campaign_id, unit_id, name)
);

create table traffic_volunteers (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    unit_id bigint not null references units(id),
    volunteer_id bigint not null references volunteers(id),
    reason text not null,
    created_at bigint not null,
    unique (campaign_id, volunteer_id)
);
create index traffic_volunteers_unit on traffic_volunteers (campaign_id, unit_id);

create table traffic_lists (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    unit_id bigint not null references units(id),
    submitted_at bigint not null,
    unique (campaign_id, unit_id)
);

create table trainings (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    held_on text not null,
    place text not null,
    content text not null,
    minutes bigint not null,
    created_at bigint not null
);

create table training_attendance (
    id integer primary key,
    training_id bigint not null references trainings(id) on delete cascade,
    volunteer_id bigint not null references volunteers(id),
    passed boolean not null default false,
    unique (training_id, volunteer_id)
);

create table checkins (
    id integer primary key,
    team_id bigint not null references teams(id) on delete cascade,
    community_id bigint not null references communities(id),
    status text not null,
    filed_at bigint not null,
    forwarded_at bigint,
    confirmed_at bigint,
    returned_at bigint,
    return_reason text not null default '',
    plan_text text not null default '',
    plan_filed_at bigint,
    plan_file_name text not null default '',
    plan_file_type text not null default '',
    plan_file blob,
    unique (team_id, community_id)
);
create index checkins_community on checkins (community_id);

create table invitations (
    id text primary key,
    team_id bigint not null references teams(id) on delete cascade,
    created_at bigint not null,
    expires_at bigint not null
);
