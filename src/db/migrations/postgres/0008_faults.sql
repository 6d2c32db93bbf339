-- Readiness: `/readyz` rewrites this one row to prove the database takes a write (a disk gone
-- read-only or full answers a query but refuses the write).
create table heartbeat (
    id bigint primary key,
    at bigint not null
);
