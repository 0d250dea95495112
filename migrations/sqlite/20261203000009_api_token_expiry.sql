-- API tokens expire (a date, chosen at creation; tokens made before this get a year from
-- their creation), record the day they were last used (the use is audited once per day),
-- and carry the district scope of the account that made them (comma-separated codes; null
-- = every district).
alter table api_tokens add column expires_on text;
alter table api_tokens add column last_used_on text;
alter table api_tokens add column districts text;
update api_tokens set expires_on = date(substr(created_at, 1, 10), '+365 days');
