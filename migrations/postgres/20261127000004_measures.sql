-- PostgreSQL twin of migrations/sqlite/20261127000004_measures.sql.
create table measure_versions (
    id text not null,
    version bigint not null check (version >= 1),
    district text not null,
    start text not null,
    category text not null,
    title text not null,
    lag_months bigint not null default 0 check (lag_months >= 0),
    targets text not null default '',
    removed bigint not null default 0 check (removed in (0, 1)),
    edited_by text not null,
    edited_at text not null,
    primary key (id, version)
);
