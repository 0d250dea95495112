-- Closed waves frozen into columnar files (issue 9). The analysis reads a closed wave from
-- its Parquet file only when the file's SHA-256 and what it was made from still match this
-- row: the reference questionnaire its columns follow, and the wave's response count and
-- last response id. Otherwise the file is rebuilt from the responses, which stay the truth.
create table frozen_waves (
    wave_id integer primary key references waves(id),
    reference_questionnaire_id integer not null,
    responses integer not null,
    last_response_id integer not null,
    sha256 text not null,
    frozen_on text not null
);
