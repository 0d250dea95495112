-- The week's picture counts accepted reports per day and category (and per day and place)
-- over a year and more: with 200,000 reports these covering indexes let it read the index
-- alone, for one district (district first) and for all districts (status first).
create index est_reports_counts_all on est_reports (status, day, category, place_id);
create index est_reports_counts_district on est_reports (district, status, day, category, place_id);
