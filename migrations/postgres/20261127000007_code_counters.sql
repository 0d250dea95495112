-- PostgreSQL twin of migrations/sqlite/20261127000007_code_counters.sql: per-stratum
-- counters of what became of a wave's letters, and used codes without their channel.
-- (The rows' old versions stay until vacuumed; see the README on PostgreSQL and privacy.)

alter table sample_strata
    add column undeliverable bigint not null default 0 check (undeliverable >= 0),
    add column declined bigint not null default 0 check (declined >= 0),
    add column answered_web bigint not null default 0 check (answered_web >= 0),
    add column answered_paper bigint not null default 0 check (answered_paper >= 0);

update sample_strata s set
    undeliverable = (select count(*) from codes c where c.wave_id = s.wave_id
                     and c.stratum = s.stratum and c.status = 'undeliverable'),
    declined = (select count(*) from codes c where c.wave_id = s.wave_id
                and c.stratum = s.stratum and c.status = 'declined'),
    answered_web = (select count(*) from codes c where c.wave_id = s.wave_id
                    and c.stratum = s.stratum and c.status = 'web'),
    answered_paper = (select count(*) from codes c where c.wave_id = s.wave_id
                      and c.stratum = s.stratum and c.status = 'paper');

alter table codes drop constraint codes_status_check;
update codes set status = 'used' where status in ('web', 'paper');
alter table codes add constraint codes_status_check
    check (status in ('unused', 'used', 'undeliverable', 'declined'));
