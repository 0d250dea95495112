-- PostgreSQL twin of migrations/sqlite/20261203000009_api_token_expiry.sql.
alter table api_tokens add column expires_on text;
alter table api_tokens add column last_used_on text;
alter table api_tokens add column districts text;
update api_tokens set expires_on = to_char(to_date(substr(created_at, 1, 10), 'YYYY-MM-DD') + 365, 'YYYY-MM-DD');
