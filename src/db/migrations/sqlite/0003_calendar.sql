-- The concentrated activity days of a campaign (附件5): one a month, movable with a reason, each
-- with the month's theme.
create table concentrated_days (
    id integer primary key,
    campaign_id bigint not null references campaigns(id),
    month bigint not null,
    day text not null,
    planned_day text not null,
    moved_reason text not null default '',
    theme text not null default '',
    updated_at bigint not null,
    unique (campaign_id, month)
);
