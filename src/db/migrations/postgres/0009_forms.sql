-- A roster changed after it was accepted keeps the submission that was accepted (the board
-- measures the deadline by it); each roster line keeps the person's own service categories.
alter table teams add column roster_accepted_submitted_at bigint;
alter table team_members add column categories text not null default '';
