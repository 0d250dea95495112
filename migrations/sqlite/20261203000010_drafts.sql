-- Answers a resident has given so far on a paged questionnaire, kept so they can stop and
-- come back. A draft is keyed by a hash: for a letter's code, HMAC-SHA256 with the code key
-- over a label and the code (so it never equals the code's row in `codes`); for an open
-- link, SHA-256 of a random resume token. `part` is the page to show next; `answers` what
-- the form held (JSON, field name to values), not yet validated as a whole. No address, no
-- date, no time: a draft is deleted with the answer it became (in the same transaction)
-- and when its wave closes, and counts in no result.
create table drafts (
    hash blob primary key,
    wave_id integer not null references waves (id),
    part integer not null,
    lang text not null,
    answers text not null
);

create index drafts_by_wave on drafts (wave_id);
