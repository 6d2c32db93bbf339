-- Volunteers sign in with their mobile number; password recovery sends a one-time code to the
-- phone or e-mail on record; an administrator's reset makes the holder choose a new password at
-- the next sign-in.
alter table users add column phone text not null default '';
alter table users add column email text not null default '';
alter table users add column must_change_password boolean not null default false;

-- Existing volunteer accounts take the mobile number of their record when no other active
-- volunteer account has the same one; those that share a number keep signing in with their
-- username until the number is set on one of them.
update users set phone = v.phone
from volunteers v
where v.user_id = users.id and users.role = 'volunteer' and users.active = true
  and v.phone ~ '^1[3-9][0-9]{9}$'
  and (select count(*) from users u2 join volunteers v2 on v2.user_id = u2.id
       where u2.role = 'volunteer' and u2.active = true and v2.phone = v.phone) = 1;

-- One active volunteer account per mobile number (the sign-in looks it up by this index).
create unique index users_volunteer_phone on users (phone)
    where role = 'volunteer' and active = true and phone <> '';
create index users_email on users (lower(email)) where email <> '';
