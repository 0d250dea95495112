-- PostgreSQL twin of migrations/sqlite/20261127000001_fieldwork.sql. No person id, name or
-- address; codes are keyed hashes, and nothing orders a code with the response it gave.

create table sample_strata (
    wave_id bigint not null references waves (id),
    stratum text not null,
    population bigint not null check (population >= 0),
    letters bigint not null check (letters >= 0 and letters <= population),
    primary key (wave_id, stratum)
);

create table codes (
    hash bytea primary key,
    wave_id bigint not null references waves (id),
    stratum text not null,
    status text not null default 'unused'
        check (status in ('unused', 'web', 'paper', 'undeliverable', 'declined')),
    foreign key (wave_id, stratum) references sample_strata (wave_id, stratum)
);

create index codes_by_wave on codes (wave_id, stratum, status);
