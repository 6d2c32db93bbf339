-- Inspections (督查): the checklist the district sets per campaign, inspections of a unit,
-- community, team or activity with their items, findings with rectification deadlines and
-- answers, and the photos and files attached to them.
create table inspection_checklist (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    position bigint not null,
    -- One of the plan's defaults (its label comes from the language files), or '' for the
    -- district's own item with its label.
    code text not null default '',
    label text not null default '',
    unique (campaign_id, position)
);

create table inspections (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    target_kind text not null,
    target_id bigint not null,
    target_name text not null,
    -- The team inspected, or the team whose activity was.
    team_id bigint references teams(id),
    -- The organisation that answers for it: a unit or a community.
    unit_id bigint references units(id),
    community_id bigint references communities(id),
    announced boolean not null,
    planned_on text not null,
    inspected_on text,
    inspectors text not null,
    summary text not null default '',
    status text not null,
    created_by bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index inspections_campaign on inspections (campaign_id, status);
create index inspections_unit on inspections (unit_id);
create index inspections_community on inspections (community_id);

create table inspection_items (
    id integer primary key,
    inspection_id bigint not null references inspections(id) on delete cascade,
    position bigint not null,
    code text not null default '',
    label text not null default '',
    result text not null default '',
    note text not null default '',
    unique (inspection_id, position)
);

create table inspection_findings (
    id integer primary key,
    inspection_id bigint not null references inspections(id) on delete cascade,
    item_id bigint references inspection_items(id),
    severity text not null,
    description text not null,
    deadline text not null,
    status text not null,
    answer text not null default '',
    answered_at bigint,
    return_reason text not null default '',
    accepted_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index inspection_findings_inspection on inspection_findings (inspection_id);

create table inspection_files (
    id integer primary key,
    inspection_id bigint not null references inspections(id) on delete cascade,
    item_id bigint references inspection_items(id),
    finding_id bigint references inspection_findings(id),
    name text not null default '',
    content_type text not null,
    size bigint not null,
    data blob not null,
    created_at bigint not null
);
create index inspection_files_inspection on inspection_files (inspection_id);
