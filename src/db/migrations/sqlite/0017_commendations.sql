-- Commendation (表彰): the district's categories with quotas and eligibility per campaign, the
-- nominations units and streets send with their deeds, the public notice (公示) and the
-- objections raised against it, and the honour certificates of the finalised list.
create table commendation_categories (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    name text not null,
    kind text not null,
    quota bigint not null,
    quota_per_nominator bigint not null,
    min_hours bigint not null default 0,
    min_stars bigint not null default 0,
    no_show_streak bigint not null default 3,
    no_open_findings boolean not null default true,
    created_at bigint not null,
    updated_at bigint not null,
    unique (campaign_id, name)
);

create table nominations (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    category_id bigint not null references commendation_categories(id),
    kind text not null,
    -- Exactly one of these names the nominee, by its kind.
    team_id bigint references teams(id),
    volunteer_id bigint references volunteers(id),
    unit_id bigint references units(id),
    community_id bigint references communities(id),
    -- The nominee as the notice shows it: its name and its unit or community.
    nominee_name text not null,
    nominee_org text not null default '',
    -- Who nominates: a unit, a street, or neither (the district itself).
    by_unit_id bigint references units(id),
    by_street_id bigint references streets(id),
    deed text not null,
    status text not null,
    review_reason text not null default '',
    reviewed_at bigint,
    created_by text not null default '',
    created_at bigint not null,
    updated_at bigint not null
);
create index nominations_campaign on nominations (campaign_id, category_id, status);
create index nominations_volunteer on nominations (volunteer_id);
create index nominations_by_unit on nominations (by_unit_id);
create index nominations_by_street on nominations (by_street_id);

create table commendation_notices (
    id integer primary key,
    campaign_id bigint not null unique references campaigns(id),
    published_on text not null,
    ends_on text not null,
    working_days bigint not null,
    finalised_at bigint,
    created_at bigint not null
);

create table objections (
    id integer primary key,
    notice_id bigint not null references commendation_notices(id),
    nomination_id bigint not null references nominations(id),
    name text not null,
    contact text not null,
    body text not null,
    ip text not null default '',
    status text not null default 'open',
    answer text not null default '',
    answered_by text not null default '',
    answered_at bigint,
    created_at bigint not null
);
create index objections_notice on objections (notice_id, status);

create table honour_certificates (
    id integer primary key,
    number text not null unique,
    nomination_id bigint not null unique references nominations(id),
    issued_at bigint not null,
    statement text not null,
    signature text not null,
    created_by text not null
);
