-- Open-link answers held for review: beyond the per-address limit of a wave, or one of a
-- burst of identical answers. They are kept apart from `responses`, so they count in no
-- result, export or response figure until staff accept them (moved into `responses`) or
-- discard them. Like a response, no address, no time of day: only why it was held.
create table held_responses (
    id integer primary key,
    wave_id integer not null references waves (id),
    submitted_on text not null,
    lang text not null,
    reason text not null check (reason in ('address_limit', 'identical_burst')),
    answers text not null
);

create index held_responses_by_wave on held_responses (wave_id);
