-- Field work of a sample-based wave. trygg never stores a person id, name or address: the
-- sampling frame is read in memory and the print file goes to the municipality.

-- Per wave and sampling stratum: the population count N_h and the letters sent n_h, for
-- design weights N_h / n_h and response rates.
create table sample_strata (
    wave_id integer not null references waves (id),
    -- "alla", or the stratum's categories, e.g. "kvinna/25-44".
    stratum text not null,
    population integer not null check (population >= 0),
    letters integer not null check (letters >= 0 and letters <= population),
    primary key (wave_id, stratum)
);

-- One row per letter: a keyed hash (HMAC-SHA256, key outside the database) of its code,
-- the wave, the stratum and what became of it. No time of use, and rows are inserted in
-- hash order, so nothing orders a code with the response it gave; responses hold no code.
create table codes (
    hash blob primary key,
    wave_id integer not null references waves (id),
    stratum text not null,
    status text not null default 'unused'
        check (status in ('unused', 'web', 'paper', 'undeliverable', 'declined')),
    foreign key (wave_id, stratum) references sample_strata (wave_id, stratum)
) without rowid;

create index codes_by_wave on codes (wave_id, stratum, status);
