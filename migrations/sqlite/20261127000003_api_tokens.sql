-- Bearer tokens for the read-only JSON API (BI tools): only a SHA-256 of the token is stored.
create table api_tokens (
    hash blob primary key,
    name text not null,
    role text not null check (role in ('admin', 'analyst', 'reader')),
    created_by text not null,
    created_at text not null,
    revoked integer not null default 0 check (revoked in (0, 1))
) without rowid;
