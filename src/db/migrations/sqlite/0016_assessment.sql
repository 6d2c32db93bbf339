-- The year's assessment (考核): the district's scheme (one line per indicator, with its weight
-- and cap), bonus and penalty items with their reason and evidence, the last computed ranking
-- kept with the time it was computed, and the snapshot frozen when the district closes the year.
create table assessment_items (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    indicator text not null,
    weight bigint not null,
    cap bigint not null,
    updated_at bigint not null,
    unique (campaign_id, indicator)
);

create table assessment_adjustments (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    -- `unit`, `community` or `team`.
    org_kind text not null,
    org_id bigint not null,
    -- Tenths of a point: positive a bonus, negative a penalty.
    points bigint not null,
    reason text not null,
    evidence text not null default '',
    created_by text not null,
    created_at bigint not null
);
create index assessment_adjustments_campaign on assessment_adjustments (campaign_id, org_kind, org_id);

create table assessment_cache (
    campaign_id bigint primary key references campaigns(id),
    computed_at bigint not null,
    body text not null
);

create table assessment_snapshots (
    campaign_id bigint primary key references campaigns(id),
    taken_at bigint not null,
    taken_by text not null,
    body text not null
);
