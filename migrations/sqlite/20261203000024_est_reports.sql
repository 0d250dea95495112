-- Incident reports of the EST group's weekly situation picture (issue 24). A report names
-- a place (of surveys/places.toml) or describes one, the day and part of the day (no time
-- of day), a category and a short description checked for personal data. No address of
-- the sender is kept; created_by (a staff e-mail) is for the reporter's own list only,
-- pages show the organisation. Only accepted reports count in the week's picture.
create table est_reports (
    id integer primary key,
    district text not null,
    place_id text,
    other_place text,
    day text not null,
    part_of_day text check (part_of_day in ('morgon', 'dag', 'kvall', 'natt')),
    category text not null check (category in ('klotter', 'glaskross', 'brand', 'nedskrapning', 'belysning', 'grupp', 'ordningsstorning', 'narkotika', 'hot_vald', 'otrygg_plats', 'ovrigt')),
    description text,
    status text not null check (status in ('new', 'accepted', 'rejected', 'merged')),
    merged_into integer references est_reports (id) deferrable initially deferred,
    organisation text not null,
    created_by text,
    source text not null check (source in ('web', 'import')),
    check ((status = 'merged') = (merged_into is not null))
);

create index est_reports_by_district_day on est_reports (district, day);
create index est_reports_by_status on est_reports (status, district);
