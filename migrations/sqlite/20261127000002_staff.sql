-- Staff accounts, their sessions, one-time password links and the audit log. Residents
-- never have accounts: nothing here concerns them.

create table staff (
    id integer primary key,
    email text not null unique collate nocase,
    role text not null check (role in ('admin', 'analyst', 'reader')),
    -- An analyst limited to some districts: their codes joined with ','; null = all.
    districts text,
    -- argon2id in PHC form; null until the person has set a password.
    password_hash text,
    disabled integer not null default 0 check (disabled in (0, 1)),
    created_at text not null
);

-- A session: only the SHA-256 of its 256-bit id is stored. Times are Unix seconds.
create table staff_sessions (
    hash blob primary key,
    staff_id integer not null references staff (id) on delete cascade,
    csrf text not null,
    created_at integer not null,
    seen_at integer not null
) without rowid;

-- One-time links to set a password (first admin, invitations): only a hash is stored.
create table password_tokens (
    hash blob primary key,
    staff_id integer not null references staff (id) on delete cascade,
    expires_at integer not null
) without rowid;

-- Every state change by staff: who, what, when. Append-only.
create table audit_log (
    id integer primary key,
    at text not null,
    actor text not null,
    action text not null,
    detail text not null
);

create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'the audit log is append-only');
end;

create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'the audit log is append-only');
end;
