-- Erasure reaches honour certificates as it reaches service certificates: the statement without
-- the person, signed anew (withdrawn_signature); the check code on the paper stays `signature`'s.
alter table honour_certificates add column withdrawn_at bigint;
alter table honour_certificates add column withdrawn_signature text;

-- One live nomination of a nominee in a category, however many submits run at once.
create unique index nominations_one_live
    on nominations (category_id, coalesce(team_id, volunteer_id, unit_id, community_id))
    where status not in ('rejected', 'withdrawn');
