-- A sign-up that matched a record only by name and phone waits for the team to confirm that it is
-- the same person; until then the account is not linked and the record is not changed.
create table pending_links (
    id integer primary key,
    user_id bigint not null unique references users(id) on delete cascade,
    volunteer_id bigint not null references volunteers(id),
    team_id bigint references teams(id) on delete set null,
    data text not null,
    created_at bigint not null
);
create index pending_links_volunteer on pending_links (volunteer_id);
