-- A response changed or removed in any way (trygg itself only ever adds responses; this is
-- for hand edits) forgets its wave's frozen file, so the next analysis rebuilds it from the
-- database: a new row with a reused id would otherwise leave count and last id unchanged.
create trigger responses_updated_unfreeze after update on responses
begin
    delete from frozen_waves where wave_id in (old.wave_id, new.wave_id);
end;

create trigger responses_deleted_unfreeze after delete on responses
begin
    delete from frozen_waves where wave_id = old.wave_id;
end;
