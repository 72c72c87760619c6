-- Call history retention (seed 000: kept 12 months by default, then purged).
-- Like the other purges, a SECURITY DEFINER function that enforces its own minimum
-- age, so the app role holds no DELETE on calls.
create function retention_purge_calls(p_before timestamptz, p_limit int)
returns int
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare n int;
begin
  if p_before > now() - interval '30 days' then
    raise exception 'call history retention must keep at least 30 days' using errcode = '22023';
  end if;
  delete from calls where id in (
    select id from calls
    where coalesce(ended_at, created_at) < p_before and state in ('ended', 'missed', 'cancelled')
    order by created_at limit least(greatest(p_limit, 1), 50000));
  get diagnostics n = row_count;
  return n;
end $$;

revoke all on function retention_purge_calls(timestamptz, int) from public;
grant execute on function retention_purge_calls(timestamptz, int) to concierge_app;
