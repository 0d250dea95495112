-- PostgreSQL twin of migrations/sqlite/20261203000025_reporter_role.sql: the reporter role
-- and an account's organisation (null: the site's own organisation).
alter table staff drop constraint staff_role_check;
alter table staff add constraint staff_role_check
    check (role in ('admin', 'analyst', 'reader', 'reporter'));
alter table staff add column organisation text;
