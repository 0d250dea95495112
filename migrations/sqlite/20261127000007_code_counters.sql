-- Codes at rest carry nothing an answer carries (issue 19). A used code records only that
-- it was used, not the channel: what became of a wave's letters is counted per stratum in
-- sample_strata, and a closed wave's code rows are deleted (`Store::purge_closed_codes`),
-- so only these counters stay.

alter table sample_strata add column undeliverable integer not null default 0
    check (undeliverable >= 0);
alter table sample_strata add column declined integer not null default 0
    check (declined >= 0);
alter table sample_strata add column answered_web integer not null default 0
    check (answered_web >= 0);
alter table sample_strata add column answered_paper integer not null default 0
    check (answered_paper >= 0);

update sample_strata set
    undeliverable = (select count(*) from codes c where c.wave_id = sample_strata.wave_id
                     and c.stratum = sample_strata.stratum and c.status = 'undeliverable'),
    declined = (select count(*) from codes c where c.wave_id = sample_strata.wave_id
                and c.stratum = sample_strata.stratum and c.status = 'declined'),
    answered_web = (select count(*) from codes c where c.wave_id = sample_strata.wave_id
                    and c.stratum = sample_strata.stratum and c.status = 'web'),
    answered_paper = (select count(*) from codes c where c.wave_id = sample_strata.wave_id
                      and c.stratum = sample_strata.stratum and c.status = 'paper');

-- SQLite cannot change a CHECK constraint in place: the table is rebuilt, still WITHOUT
-- ROWID and filled in hash order. (`secure_delete`, set on every connection, zeroes the
-- old table's pages as they are freed.)
create table codes_new (
    hash blob primary key,
    wave_id integer not null references waves (id),
    stratum text not null,
    status text not null default 'unused'
        check (status in ('unused', 'used', 'undeliverable', 'declined')),
    foreign key (wave_id, stratum) references sample_strata (wave_id, stratum)
) without rowid;

insert into codes_new (hash, wave_id, stratum, status)
    select hash, wave_id, stratum,
           case when status in ('web', 'paper') then 'used' else status end
    from codes order by hash;

drop table codes;
alter table codes_new rename to codes;
create index codes_by_wave on codes (wave_id, stratum, status);
