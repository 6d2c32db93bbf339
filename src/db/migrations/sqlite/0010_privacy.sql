-- A volunteer who withdrew consent and asked for erasure (PIPL Art. 47): when the personal fields
-- were erased. The row stays (anonymised) so that hours and certificates keep their holder.
alter table volunteers add column erased_at bigint;

-- A certificate whose holder's record was erased: the statement without the person, signed anew;
-- the original signature stays for the check code printed on the paper.
alter table certificates add column withdrawn_at bigint;
alter table certificates add column withdrawn_signature text not null default '';

-- What each team keeping the record is told when a person on its roster is erased.
create table erasure_notices (
    id integer primary key,
    team_id bigint not null references teams(id) on delete cascade,
    volunteer_id bigint not null references volunteers(id),
    volunteer_no text not null,
    -- 'self' (the volunteer asked) or 'staff' (carried out on the volunteer's request).
    requested_by text not null,
    at bigint not null
);
create index erasure_notices_team on erasure_notices (team_id);
