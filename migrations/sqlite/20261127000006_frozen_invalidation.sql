-- A response added, changed or removed in any way forgets its wave's frozen file, so the
-- next analysis rebuilds it from the database. trygg itself only adds responses (and the
-- count and last id would show that too); the update and delete triggers are for hand
-- edits, where a new row with a reused id would leave count and last id unchanged.
create trigger responses_updated_unfreeze after update on responses
begin
    delete from frozen_waves where wave_id in (old.wave_id, new.wave_id);
end;

create trigger responses_deleted_unfreeze after delete on responses
begin
    delete from frozen_waves where wave_id = old.wave_id;
end;

-- Any answer added to a wave (a late paper answer, or a hand insert, also one that replaces
-- a row) forgets its file as well.
create trigger responses_inserted_unfreeze after insert on responses
begin
    delete from frozen_waves where wave_id = new.wave_id;
end;
