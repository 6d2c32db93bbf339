-- The public lists read published activities to come in start order: along this index a page
-- costs its own rows, not a walk over the year's past activities (most of them completed).
create index activities_upcoming on activities (campaign_id, starts_at, id) where status = 'published';
