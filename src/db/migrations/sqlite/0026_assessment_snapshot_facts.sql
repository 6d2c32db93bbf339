-- The facts behind every score of a closed year, frozen with the ranking: one JSON body per
-- unit, community or team (its months, teams, activities, dispatches, check-ins, adjustments),
-- so that a later correction does not change the drill-down under the frozen points. A year
-- closed before this table existed has no rows here: its explanation is read from the records.
create table assessment_snapshot_facts (
    campaign_id bigint not null references assessment_snapshots(campaign_id),
    kind text not null,
    org_id bigint not null,
    body text not null,
    primary key (campaign_id, kind, org_id)
);
