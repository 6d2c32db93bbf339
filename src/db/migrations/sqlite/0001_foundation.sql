-- Foundation: the district's org tree, accounts, sessions and the audit trail.
create table district (
    id integer primary key check (id = 1),
    name text not null,
    updated_at bigint not null
);

create table streets (
    id integer primary key,
    name text not null unique,
    created_at bigint not null,
    updated_at bigint not null
);

create table communities (
    id integer primary key,
    street_id bigint not null references streets(id),
    name text not null,
    address text not null default '',
    contact_person text not null default '',
    contact_phone text not null default '',
    created_at bigint not null,
    updated_at bigint not null,
    unique (street_id, name)
);

create table units (
    id integer primary key,
    name text not null unique,
    level text not null,
    kind text not null default '',
    address text not null default '',
    contact_person text not null default '',
    contact_phone text not null default '',
    created_at bigint not null,
    updated_at bigint not null
);

create table pairings (
    id integer primary key,
    unit_id bigint not null references units(id),
    community_id bigint not null references communities(id),
    created_at bigint not null,
    unique (unit_id, community_id)
);
create index pairings_community on pairings (community_id);

create table users (
    id integer primary key,
    username text not null unique,
    display_name text not null default '',
    password_hash text not null,
    role text not null,
    street_id bigint references streets(id),
    community_id bigint references communities(id),
    unit_id bigint references units(id),
    lang text not null default 'zh-CN',
    active boolean not null default true,
    created_at bigint not null,
    updated_at bigint not null,
    password_changed_at bigint not null
);

create table sessions (
    id text primary key,
    user_id bigint not null references users(id) on delete cascade,
    csrf text not null,
    kind text not null,
    ip text not null default '',
    created_at bigint not null,
    last_seen_at bigint not null,
    expires_at bigint not null
);
create index sessions_user on sessions (user_id);

create table login_failures (
    id integer primary key,
    username text not null,
    ip text not null,
    at bigint not null
);
create index login_failures_user on login_failures (username, at);
create index login_failures_ip on login_failures (ip, at);

create table audit_log (
    id integer primary key,
    at bigint not null,
    user_id bigint,
    username text not null,
    ip text not null,
    action text not null,
    object_type text not null,
    object_id bigint,
    object_label text not null,
    changes text not null
);
create index audit_log_at on audit_log (at);
create index audit_log_object on audit_log (object_type, object_id);
create index audit_log_user on audit_log (username, at);
