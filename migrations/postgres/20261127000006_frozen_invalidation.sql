-- PostgreSQL twin of migrations/sqlite/20261127000006_frozen_invalidation.sql: any response
-- added, changed or removed forgets its wave's frozen file.
create function responses_unfreeze() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        delete from frozen_waves where wave_id = old.wave_id;
    end if;
    if tg_op in ('UPDATE', 'INSERT') then
        delete from frozen_waves where wave_id = new.wave_id;
    end if;
    return null;
end;
$$;

create trigger responses_unfreeze after insert or update or delete on responses
    for each row execute function responses_unfreeze();
