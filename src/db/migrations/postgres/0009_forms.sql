-- A roster changed after it was accepted keeps the submission that was accepted (the board
-- measures the deadline by it); each roster line keeps the person's own service categories.
alter table teams add column roster_accepted_submitted_at bigint;
alter table team_members add column categories text not null default '';
-- Rosters accepted before this column existed: their submission was the accepted one.
update teams set roster_accepted_submitted_at = roster_submitted_at where roster_status = 'accepted';
