-- Security round 2 (issue 8, items 5 and 19) for crash reports.
--
-- 1. Report ids are the kiosk's idempotency key, so they are unique per tenant,
--    not across the platform: a kiosk of one tenant re-sending another tenant's
--    report id must store its own report, not learn "duplicate".
alter table crash_reports drop constraint crash_reports_pkey;
alter table crash_reports add primary key (tenant_id, id);

-- Retention deleted by id alone; with ids unique only per tenant it must name the tenant too.
create or replace function retention_purge_crash_reports(p_before timestamptz, p_limit int)
returns int
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare n int;
begin
  if p_before > now() - interval '7 days' then
    raise exception 'crash report retention must keep at least 7 days' using errcode = '22023';
  end if;
  delete from crash_reports where (tenant_id, id) in (
    select tenant_id, id from crash_reports where received_at < p_before order by received_at limit least(greatest(p_limit, 1), 50000));
  get diagnostics n = row_count;
  -- Groups whose every report has gone go too.
  delete from report_groups g where g.last_seen < p_before
    and not exists (select 1 from crash_reports r where r.group_id = g.id);
  return n;
end $$;
revoke all on function retention_purge_crash_reports(timestamptz, int) from public;
grant execute on function retention_purge_crash_reports(timestamptz, int) to concierge_app;

-- 2. Keys named "__proto__", "constructor" or "prototype" are refused at upload
--    now (platform/reports/report-input.ts); rows stored before that lose them.
--    The function stays (owner only) so the cleaning can be tested and re-run.
create function jsonb_without_reserved_keys(j jsonb)
returns jsonb
language plpgsql immutable strict set search_path = public, pg_temp as $$
begin
  case jsonb_typeof(j)
    when 'object' then
      return coalesce((select jsonb_object_agg(k, jsonb_without_reserved_keys(v)) from jsonb_each(j) as e(k, v)
                       where normalize(k, NFKC) not in ('__proto__', 'constructor', 'prototype')), '{}'::jsonb);
    when 'array' then
      return coalesce((select jsonb_agg(jsonb_without_reserved_keys(v) order by i) from jsonb_array_elements(j) with ordinality as e(v, i)), '[]'::jsonb);
    else
      return j;
  end case;
end $$;
revoke all on function jsonb_without_reserved_keys(jsonb) from public;

-- The text test only narrows the rows worth rewriting (a reserved word, or any
-- non-ASCII text that might normalise into one).
update crash_reports set body = jsonb_without_reserved_keys(body)
where (body::text ~ '(__proto__|constructor|prototype)' or body::text ~ '[^\x01-\x7f]')
  and body is distinct from jsonb_without_reserved_keys(body);
