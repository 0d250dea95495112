-- PostgreSQL twin of migrations/sqlite/20261127000006_frozen_invalidation.sql: any response
-- added, changed or removed forgets its wave's frozen file.
create function responses_changed_unfreeze() returns trigger language plpgsql as $$
begin
    delete from frozen_waves where wave_id = old.wave_id;
    if tg_op = 'UPDATE' then
        delete from frozen_waves where wave_id = new.wave_id;
    end if;
    return null;
end;
$$;

create trigger responses_updated_unfreeze after update on responses
    for each row execute function responses_changed_unfreeze();

create trigger responses_deleted_unfreeze after delete on responses
    for each row execute function responses_changed_unfreeze();

-- Inserts once per statement, over all its rows: a batch of residents' answers is one
-- multi-row insert, and one delete serves it.
create function responses_added_unfreeze() returns trigger language plpgsql as $$
begin
    delete from frozen_waves where wave_id in (select distinct wave_id from added);
    return null;
end;
$$;

create trigger responses_inserted_unfreeze after insert on responses
    referencing new table as added
    for each statement execute function responses_added_unfreeze();
