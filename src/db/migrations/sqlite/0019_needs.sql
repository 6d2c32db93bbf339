-- 四单: community needs (点单), posted by community staff or by a resident through the public
-- form, published by the community, dispatched to a team or opened for any team to claim (派单),
-- accepted with an activity made for it (接单), and rated once by the community and once by
-- the resident (评单). Every step is a line of the need's timeline.
create table needs (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    community_id bigint not null references communities(id),
    category text not null,
    dimension text not null default 'service',
    description text not null,
    place text not null,
    wished_from text not null,
    wished_to text not null,
    head_count bigint not null,
    contact_name text not null,
    contact_phone text not null,
    source text not null,
    -- The resident's private link: only a hash of its token is kept.
    token_hash text,
    status text not null,
    close_reason text not null default '',
    team_id bigint references teams(id),
    activity_id bigint references activities(id),
    -- When the current step began (the timers run from it).
    step_at bigint not null,
    created_by text not null default '',
    created_at bigint not null,
    updated_at bigint not null
);
create index needs_campaign on needs (campaign_id, status);
create index needs_community on needs (community_id);
create index needs_team on needs (team_id);
create index needs_activity on needs (activity_id);
create unique index needs_token on needs (token_hash);

create table need_events (
    id integer primary key,
    need_id bigint not null references needs(id),
    step text not null,
    team_id bigint references teams(id),
    note text not null default '',
    -- For an answer (accepted, claimed, declined): seconds since the team was asked.
    response_secs bigint,
    actor text not null default '',
    at bigint not null
);
create index need_events_need on need_events (need_id, at);
create index need_events_team on need_events (team_id, step);

create table need_ratings (
    id integer primary key,
    need_id bigint not null references needs(id),
    rater text not null,
    stars bigint not null,
    comment text not null default '',
    at bigint not null,
    unique (need_id, rater)
);
