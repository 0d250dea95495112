-- Actions (insatser) the EST group records from the week's picture (issue 24, point 7):
-- what is done (kind; for presence also who), where (a place id of surveys/places.toml, or
-- null for the whole district), the organisation responsible, the due date (YYYY-MM-DD),
-- the status and a follow-up note checked for personal data, the ISO week it was recorded
-- from (YYYY-Www). created_by/edited_by (staff e-mails) are kept for the audit only; pages
-- show the owner organisation. measure_id names the measure of the register it became.
create table est_actions (
    id integer primary key,
    district text not null,
    place_id text,
    kind text not null check (kind in ('belysning', 'skyltning', 'kamera', 'stadning_reparation', 'narvaro', 'ovrigt')),
    presence text check (presence in ('polis', 'ordningsvakter', 'vaktare', 'faltassistenter', 'fritidsledare', 'trygghetsvardar', 'nattvandrare')),
    owner text not null check (length(owner) between 1 and 100),
    due text not null,
    status text not null check (status in ('planerad', 'pagar', 'klar')),
    note text check (length(note) <= 500),
    week text not null,
    created_by text not null,
    created_at text not null,
    edited_by text,
    edited_at text,
    measure_id text unique,
    check ((kind = 'narvaro') = (presence is not null))
);

create index est_actions_by_district on est_actions (district, status);
