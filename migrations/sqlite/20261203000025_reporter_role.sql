-- The reporter role (issue 24): partners' staff who file EST incident reports, scoped to
-- districts like analysts; and an account's organisation, which a report carries so that
-- pages show who reported by organisation, never by person.
--
-- SQLite cannot change a check constraint, so `staff` is rebuilt. Migrations run in a
-- transaction with foreign keys on, where `pragma foreign_keys = off` does nothing and
-- dropping `staff` deletes every row that references it (`on delete cascade`): the
-- sessions and password links are kept aside in temporary tables and put back.

create temporary table keep_sessions as select * from staff_sessions;
create temporary table keep_password_tokens as select * from password_tokens;

create table staff_new (
    id integer primary key,
    email text not null unique collate nocase,
    role text not null check (role in ('admin', 'analyst', 'reader', 'reporter')),
    -- An analyst or reporter limited to some districts: their codes joined with ','; null = all.
    districts text,
    -- argon2id in PHC form; null until the person has set a password.
    password_hash text,
    disabled integer not null default 0 check (disabled in (0, 1)),
    created_at text not null,
    -- The organisation the person reports for (null: the site's own organisation).
    organisation text
);

insert into staff_new (id, email, role, districts, password_hash, disabled, created_at)
    select id, email, role, districts, password_hash, disabled, created_at from staff;

drop table staff;
alter table staff_new rename to staff;

insert into staff_sessions select * from keep_sessions;
insert into password_tokens select * from keep_password_tokens;
drop table keep_sessions;
drop table keep_password_tokens;
