-- PostgreSQL twin of migrations/sqlite/20261127000005_frozen_waves.sql.
create table frozen_waves (
    wave_id bigint primary key references waves (id),
    reference_questionnaire_id bigint not null,
    responses bigint not null,
    last_response_id bigint not null,
    sha256 text not null,
    frozen_on text not null
);
