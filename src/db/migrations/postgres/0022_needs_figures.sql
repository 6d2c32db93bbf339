-- The kept figures count needs by state: a need posted or moved marks the figures for a rebuild
-- (a key of its own, which the recount skips; the build after it reads the needs again).
create function stats_needs_row() returns trigger language plpgsql as $$
begin
    insert into stats_dirty (kind, id, month) values ('needs', 0, '') on conflict do nothing;
    return null;
end $$;
create trigger stats_needs after insert or update of status on needs
    for each statement execute function stats_needs_row();
