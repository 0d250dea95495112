-- The EST places register as edited on the web (issue 24, point 1): every save is a new
-- version holding the whole register in the places.toml format, so it can be read back
-- with the same parser, downloaded and committed to surveys/. Without any version the
-- file surveys/places.toml is the register.
create table est_place_versions (
    version bigint primary key,
    body text not null,
    edited_by text not null,
    edited_at text not null
);
