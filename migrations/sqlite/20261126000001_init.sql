-- Questionnaire snapshots: the source text of a questionnaire file as it was published.
-- A snapshot is never updated; waves point to it so earlier years keep what was asked.
create table questionnaires (
    id integer primary key,
    code text not null,
    sha256 text not null unique,
    source text not null,
    published_on text not null
);

-- A wave: one questionnaire, one district, one year, open between two dates (inclusive).
create table waves (
    id integer primary key,
    district text not null,
    year integer not null check (year between 2000 and 2100),
    questionnaire_id integer not null references questionnaires (id),
    opens_on text not null,
    closes_on text not null,
    check (opens_on <= closes_on),
    unique (district, year)
);

-- A response: the wave, the day it came in (no time of day), channel and language.
-- Never an IP address, a user agent or a link to an access code.
create table responses (
    id integer primary key,
    wave_id integer not null references waves (id),
    submitted_on text not null,
    channel text not null check (channel in ('web', 'paper')),
    lang text not null,
    -- 1 for the responses `trygg demo` makes up; they are never mixed with real ones.
    synthetic integer not null default 0 check (synthetic in (0, 1)),
    -- The validated answers as a JSON object: {"CODE": "option" | ["a","b"] | 12 | "text"}.
    answers text not null
);

create index responses_by_wave on responses (wave_id);
