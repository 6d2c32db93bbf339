-- Notifications: the outbox of 0007 becomes the one outbox of every message, whatever its event
-- and channel. Each row is one message to one recipient on one channel, rendered in the
-- recipient's language when it was queued; the idempotency key (event, recipient, channel) is
-- unique so that nothing is queued, and so sent, twice. Rows from before stay as they were:
-- delivered to the server's log.
alter table outbox add column user_id bigint references users(id) on delete cascade;
alter table outbox add column params text not null default '{}';
alter table outbox add column subject text not null default '';
alter table outbox add column link text not null default '';
alter table outbox add column lang text not null default 'zh-CN';
-- Urgent messages (one-time codes) ignore quiet hours; quiet_hours: this recipient keeps them.
alter table outbox add column urgent boolean not null default false;
alter table outbox add column quiet_hours boolean not null default false;
-- queued, sending (claimed by one instance until claimed_until), sent, failed or skipped.
alter table outbox add column state text not null default 'sent';
alter table outbox add column attempts bigint not null default 0;
alter table outbox add column next_attempt_at bigint not null default 0;
alter table outbox add column claimed_until bigint;
-- In-app messages: when the recipient read it.
alter table outbox add column read_at bigint;
alter table outbox add column error text not null default '';
drop index outbox_unsent;
create index outbox_due on outbox (next_attempt_at) where state in ('queued', 'sending');
create index outbox_user on outbox (user_id, channel, id);
create index outbox_kind on outbox (kind, id);

-- What each account wants: where to (an e-mail address, a phone other than the one on its
-- volunteer record), which channels, and whether non-urgent messages wait out the night.
create table notification_prefs (
    user_id bigint primary key references users(id) on delete cascade,
    email text not null default '',
    phone text not null default '',
    email_on boolean not null default true,
    sms_on boolean not null default true,
    quiet_hours boolean not null default true,
    updated_at bigint not null
);
