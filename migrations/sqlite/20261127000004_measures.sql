-- The measures register with its history: every edit adds a version; the current version
-- of a measure is its highest. `removed` ends a measure without erasing what it was.
create table measure_versions (
    id text not null,
    version integer not null check (version >= 1),
    district text not null,
    start text not null,
    category text not null,
    title text not null,
    lag_months integer not null default 0 check (lag_months >= 0),
    -- Target indicator codes joined with ','.
    targets text not null default '',
    removed integer not null default 0 check (removed in (0, 1)),
    edited_by text not null,
    edited_at text not null,
    primary key (id, version)
);
