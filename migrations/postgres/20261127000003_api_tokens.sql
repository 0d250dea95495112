-- PostgreSQL twin of migrations/sqlite/20261127000003_api_tokens.sql.
create table api_tokens (
    hash bytea primary key,
    name text not null,
    role text not null check (role in ('admin', 'analyst', 'reader')),
    created_by text not null,
    created_at text not null,
    revoked bigint not null default 0 check (revoked in (0, 1))
);
