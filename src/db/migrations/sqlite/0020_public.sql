-- The public site: every photo of an activity's report carries a text alternative (read aloud
-- and shown when the image cannot be); photos kept before this fall back to the activity's title.
alter table activity_photos add column alt_text text not null default '';

-- Public reports (completed after being published, with a summary), newest first.
create index activities_reports on activities (completed_at)
    where status = 'completed' and published_at is not null and summary <> '';
