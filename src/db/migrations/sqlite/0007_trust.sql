-- Counters for sign-in throttling and request rate limits, kept here so that every instance
-- shares them: one row per key, counting within a fixed window that starts at window_start.
create table rate_counters (
    key text primary key,
    window_start bigint not null,
    count bigint not null
);
create index rate_counters_window on rate_counters (window_start);

-- Messages to deliver. Until a provider is configured for a channel they go to the server's log
-- and stay here, marked as delivered to the log.
create table outbox (
    id integer primary key,
    channel text not null,
    recipient text not null,
    kind text not null,
    body text not null,
    idempotency_key text unique,
    created_at bigint not null,
    sent_at bigint
);
create index outbox_unsent on outbox (sent_at, id);

-- One-time codes that prove a person holds the phone on record (stored as a keyed hash).
create table one_time_codes (
    id integer primary key,
    purpose text not null,
    user_id bigint not null references users(id) on delete cascade,
    volunteer_id bigint references volunteers(id) on delete cascade,
    salt text not null,
    code_hash text not null,
    attempts bigint not null default 0,
    created_at bigint not null,
    expires_at bigint not null,
    used_at bigint
);
create index one_time_codes_user on one_time_codes (user_id, purpose);

-- What a person typed that differs from the record they were linked to: proposed to the team
-- that keeps the record, never written to it unasked.
create table proposed_corrections (
    id integer primary key,
    volunteer_id bigint not null references volunteers(id) on delete cascade,
    user_id bigint references users(id) on delete set null,
    data text not null,
    status text not null default 'open',
    created_at bigint not null,
    decided_at bigint,
    decided_by bigint
);
create index proposed_corrections_volunteer on proposed_corrections (volunteer_id, status);
