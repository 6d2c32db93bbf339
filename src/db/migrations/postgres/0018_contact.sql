-- The account's e-mail address and phone are the one place messages go to; changing either
-- takes a one-time code sent to the new address, which is kept with the code until proved.
alter table one_time_codes add column target text not null default '';

-- Addresses typed into the notification preferences (never proved) move to the account when it
-- has none: an e-mail address always; a phone only for staff accounts (a volunteer signs in
-- with their phone, so theirs must be proved under /me/contact; until then SMS goes to the phone
-- on their volunteer record). The preferences keep only channels and quiet hours.
update users set email = (select lower(trim(p.email)) from notification_prefs p where p.user_id = users.id)
where email = ''
  and exists (select 1 from notification_prefs p where p.user_id = users.id and trim(p.email) <> '');
update users set phone = (select trim(p.phone) from notification_prefs p where p.user_id = users.id)
where phone = '' and role <> 'volunteer'
  and exists (select 1 from notification_prefs p where p.user_id = users.id and trim(p.phone) <> '');
update notification_prefs set email = '', phone = '';

-- The workbench's hours to confirm (the district's over every activity of the year): only the
-- few activities that were attended and wait for their hours are in this index.
create index activities_unconfirmed on activities (ends_at) where hours_confirmed_at is null and attended > 0;
