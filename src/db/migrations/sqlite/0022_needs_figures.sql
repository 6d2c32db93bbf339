-- The kept figures count needs by state: a need posted or moved marks the figures for a rebuild
-- (a key of its own, which the recount skips; the build after it reads the needs again).
create trigger stats_needs_insert after insert on needs begin
    insert or ignore into stats_dirty (kind, id, month) values ('needs', 0, '');
end;
create trigger stats_needs_update after update of status on needs begin
    insert or ignore into stats_dirty (kind, id, month) values ('needs', 0, '');
end;
