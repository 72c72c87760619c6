-- Sign-in hardening (issue 8: items 2, 7, 9, 11, 12, 16).
--
-- 1. Failed sign-ins are counted per (login ID, source address) in signin_throttle,
--    not per account: three wrong passwords from one address lock that address out
--    of that login ID, not the owner everywhere. An attempt is reserved (counted)
--    atomically before its password is checked, so N concurrent tries check at most
--    the threshold. Unknown login IDs are counted the same way, through the same
--    functions, so the two cases do the same work and cannot be told apart.
-- 2. Repeated refusals are aggregated in the audit log: one row per account, action
--    and minute, with a count in detail (audit_signin_event).
-- 3. Each tenant has a login-ID prefix; accounts an admin creates must start with
--    it, so an ID of another tenant can never collide (and so never be revealed).

create table signin_throttle (
  login_id text not null,
  -- The source: an IPv4 address, an IPv6 /64, or 'unknown' (see platform/web/rate-limit.ts ipKey).
  source text not null check (length(source) between 1 and 64),
  -- The account's tenant when the login ID names one (null for unknown IDs), so a
  -- tenant admin can see which of its accounts have locked-out sources.
  tenant_id uuid references tenants(id) on delete cascade,
  -- Attempts reserved in the current window (counted before the password is checked).
  attempts int not null default 0,
  -- Of those, the ones that turned out wrong.
  failures int not null default 0,
  window_started_at timestamptz not null default now(),
  last_failure_at timestamptz,
  locked_until timestamptz,
  -- How many times this source has been locked out of this login ID: each lock lasts
  -- twice as long as the one before (capped at a day), until a correct sign-in.
  locks int not null default 0,
  primary key (login_id, source)
);
create index signin_throttle_login_failure on signin_throttle (login_id, last_failure_at);
create index signin_throttle_tenant on signin_throttle (tenant_id) where tenant_id is not null;

alter table signin_throttle enable row level security;
-- The app reads its own tenant's rows (the admin's accounts list shows locked sources);
-- all writes go through the definer functions below.
create policy tenant_scope on signin_throttle for select to concierge_app
  using (tenant_id = app_current_tenant());
create policy operator_read on signin_throttle for select to concierge_ops using (true);
grant select on signin_throttle to concierge_app, concierge_ops;

-- The account's share of the lock state now lives in signin_throttle.
update accounts set failed_attempts = 0, locked_until = null;

-- Reserve one sign-in attempt for (login ID, source) and say whether its password may
-- be checked. The row is locked (FOR UPDATE) while the decision is made, so
-- concurrent attempts are counted one after another and at most the threshold are
-- allowed per window. `attempts` counts the allowed attempts of the window, settled
-- or still being checked; refused ones are not counted (they check nothing).
-- Returns the account (and its hash) only when the attempt is allowed.
create function auth_signin_reserve(p_login_id text, p_source text)
returns table (allowed boolean, account_id uuid, tenant_id uuid, password_hash text, recent_failures int)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
  v_login text := lower(p_login_id);
  v_account uuid; v_tenant uuid; v_hash text;
  v_threshold int := 3; v_minutes int := 15;
  r signin_throttle%rowtype;
begin
  select a.id, a.tenant_id, a.password_hash, t.lockout_threshold, t.lockout_minutes
    into v_account, v_tenant, v_hash, v_threshold, v_minutes
    from accounts a join tenants t on t.id = a.tenant_id where a.login_id = v_login;
  if v_threshold is null then v_threshold := 3; v_minutes := 15; end if;
  insert into signin_throttle (login_id, source, tenant_id) values (v_login, p_source, v_tenant)
    on conflict (login_id, source) do nothing;
  select * into r from signin_throttle st where st.login_id = v_login and st.source = p_source for update;
  -- A new window once a lock has run out, or when the window is older than the lock period.
  if (r.locked_until is not null and r.locked_until <= now())
     or (r.locked_until is null and r.window_started_at < now() - make_interval(mins => v_minutes)) then
    r.attempts := 0; r.failures := 0; r.locked_until := null; r.window_started_at := now();
  end if;
  allowed := r.locked_until is null and r.attempts < v_threshold;
  if allowed then r.attempts := r.attempts + 1; end if;
  update signin_throttle st set attempts = r.attempts, failures = r.failures, locked_until = r.locked_until,
         window_started_at = r.window_started_at, tenant_id = v_tenant
    where st.login_id = v_login and st.source = p_source;
  account_id := case when allowed then v_account end;
  tenant_id := case when allowed then v_tenant end;
  password_hash := case when allowed then v_hash end;
  select coalesce(sum(st.failures), 0)::int into recent_failures from signin_throttle st
    where st.login_id = v_login and st.last_failure_at > now() - interval '1 hour';
  return next;
end $$;

-- One aggregated audit row per (account, action, minute) for the refusals an attacker
-- can repeat at will; each further one in the same minute adds to detail.count and
-- (up to 20) detail.ips. Called only from the two definer functions below and from
-- the change-password path, so the app itself never updates audit rows.
create function audit_signin_event(p_tenant uuid, p_account uuid, p_login text, p_action text, p_ip inet, p_detail jsonb)
returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare v_id bigint; v_ips jsonb;
begin
  if p_action not in ('signin.failed', 'signin.refused_locked', 'account.locked') then
    raise exception 'audit_signin_event: % is not an aggregated action', p_action;
  end if;
  -- Serialise writers for this account and action, so a minute has exactly one row.
  perform pg_advisory_xact_lock(hashtextextended(p_account::text || p_action, 727005));
  select id, detail -> 'ips' into v_id, v_ips from audit_log
    where audit_log.tenant_id = p_tenant and target_type = 'account' and target_id = p_account::text
      and action = p_action and at >= date_trunc('minute', now())
    order by id desc limit 1;
  if v_id is null then
    insert into audit_log (tenant_id, actor_account_id, actor_login_id, action, target_type, target_id, ip, detail)
    values (p_tenant, p_account, p_login, p_action, 'account', p_account::text, p_ip,
            p_detail || jsonb_build_object('count', 1, 'ips', case when p_ip is null then '[]'::jsonb else jsonb_build_array(host(p_ip)) end));
  else
    update audit_log set detail = detail || p_detail || jsonb_build_object(
      'count', coalesce((detail ->> 'count')::int, 1) + 1,
      'ips', case when p_ip is null or coalesce(v_ips, '[]'::jsonb) ? host(p_ip) or jsonb_array_length(coalesce(v_ips, '[]'::jsonb)) >= 20
                  then coalesce(v_ips, '[]'::jsonb) else coalesce(v_ips, '[]'::jsonb) || jsonb_build_array(host(p_ip)) end)
    where id = v_id;
  end if;
end $$;

-- Record the outcome of a refused attempt for (login ID, source): a wrong password
-- (p_checked = true: the reserved attempt is now a failure; the threshold-th failure
-- locks the source out, each lock twice as long as the last) or an attempt refused
-- without a check because the source is locked out or over its reservations
-- (p_checked = false). Audits for existing accounts, aggregated; writes
-- account.lock_alert (once an hour) when failures come from many sources.
-- The same work is done for unknown login IDs, minus the audit rows.
create function auth_signin_refused(p_login_id text, p_source text, p_ip inet, p_checked boolean, p_detail jsonb, p_alert_sources int)
returns table (locked_now boolean, recent_failures int, failing_sources int)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
  v_login text := lower(p_login_id);
  v_account uuid; v_tenant uuid; v_threshold int := 3; v_minutes int := 15;
  v_failures int; v_locks int; v_until timestamptz; v_was_locked boolean;
begin
  select a.id, a.tenant_id, t.lockout_threshold, t.lockout_minutes
    into v_account, v_tenant, v_threshold, v_minutes
    from accounts a join tenants t on t.id = a.tenant_id where a.login_id = v_login;
  if v_threshold is null then v_threshold := 3; v_minutes := 15; end if;
  locked_now := false;
  if p_checked then
    insert into signin_throttle as s (login_id, source, tenant_id, attempts, failures, last_failure_at)
      values (v_login, p_source, v_tenant, 1, 1, now())
    on conflict (login_id, source) do update set
      failures = s.failures + 1, last_failure_at = now(), tenant_id = excluded.tenant_id
    returning s.failures, s.locks, s.locked_until is not null and s.locked_until > now()
      into v_failures, v_locks, v_was_locked;
    if v_failures >= v_threshold and not v_was_locked then
      v_until := now() + least(make_interval(mins => v_minutes) * power(2, least(v_locks, 10)), interval '1 day');
      update signin_throttle set locked_until = v_until, locks = locks + 1
        where login_id = v_login and source = p_source;
      locked_now := true;
    end if;
  end if;
  select coalesce(sum(st.failures), 0)::int, count(*) filter (where st.failures > 0)::int
    into recent_failures, failing_sources
    from signin_throttle st where st.login_id = v_login and st.last_failure_at > now() - interval '1 hour';
  if v_account is not null then
    perform audit_signin_event(v_tenant, v_account, v_login,
      case when p_checked then 'signin.failed' else 'signin.refused_locked' end, p_ip, p_detail);
    if locked_now then
      perform audit_signin_event(v_tenant, v_account, v_login, 'account.locked', p_ip,
        p_detail || jsonb_build_object('source', p_source, 'lockedUntil', v_until));
    end if;
    if failing_sources >= p_alert_sources and not exists (
      select 1 from audit_log where audit_log.tenant_id = v_tenant and target_type = 'account'
        and target_id = v_account::text and action = 'account.lock_alert' and at > now() - interval '1 hour'
    ) then
      perform pg_advisory_xact_lock(hashtextextended(v_account::text || 'account.lock_alert', 727005));
      if not exists (
        select 1 from audit_log where audit_log.tenant_id = v_tenant and target_type = 'account'
          and target_id = v_account::text and action = 'account.lock_alert' and at > now() - interval '1 hour'
      ) then
        insert into audit_log (tenant_id, actor_account_id, actor_login_id, action, target_type, target_id, ip, detail)
        values (v_tenant, null, null, 'account.lock_alert', 'account', v_account::text, p_ip,
                jsonb_build_object('loginId', v_login, 'sources', failing_sources, 'failures', recent_failures,
                                   'message', 'Failed sign-ins for this account are coming from many addresses.'));
      end if;
    end if;
  end if;
  -- Keep the table small: rows untouched for a day carry no lock and no window.
  if random() < 0.01 then
    delete from signin_throttle where ctid in (
      select ctid from signin_throttle
      where coalesce(last_failure_at, window_started_at) < now() - interval '1 day'
        and (locked_until is null or locked_until < now()) limit 1000);
  end if;
  return next;
end $$;

-- A correct password from this source: its failures and lock history end. Attempts
-- still being checked stay counted in the window (attempts minus the settled ones).
create function auth_signin_succeeded(p_login_id text, p_source text)
returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  update signin_throttle set attempts = greatest(attempts - failures - 1, 0), failures = 0, locks = 0, locked_until = null
  where login_id = lower(p_login_id) and source = p_source
$$;

-- Enabling an account (admin) clears every source's lock on it, within the caller's tenant.
create function auth_signin_clear(p_login_id text)
returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  delete from signin_throttle where login_id = lower(p_login_id) and tenant_id = app_current_tenant()
$$;

revoke all on function auth_signin_reserve(text, text) from public;
revoke all on function audit_signin_event(uuid, uuid, text, text, inet, jsonb) from public;
revoke all on function auth_signin_refused(text, text, inet, boolean, jsonb, int) from public;
revoke all on function auth_signin_succeeded(text, text) from public;
revoke all on function auth_signin_clear(text) from public;
grant execute on function auth_signin_reserve(text, text) to concierge_app;
grant execute on function auth_signin_refused(text, text, inet, boolean, jsonb, int) to concierge_app;
grant execute on function auth_signin_succeeded(text, text) to concierge_app;
grant execute on function auth_signin_clear(text) to concierge_app;

-- Login-ID prefixes (item 12). Every tenant has one; new accounts an admin creates
-- must be named `<prefix>-…`. No prefix may extend another one by a dash-separated
-- part ('a' and 'a-b'), or tenant 'a' could create 'a-b-x' in tenant 'a-b''s space.
alter table tenants add column login_prefix text;
-- Existing tenants: the first part that all their login IDs share (the demo seed's
-- 'ginza-…'), if no other tenant uses it; otherwise the slug.
update tenants t set login_prefix = coalesce((
  select p from (
    select split_part(a.login_id, '-', 1) as p, count(*) as n from accounts a where a.tenant_id = t.id and a.login_id like '%-%'
    group by 1
  ) x
  where x.n = (select count(*) from accounts a2 where a2.tenant_id = t.id)
    and not exists (select 1 from accounts o where o.tenant_id <> t.id and split_part(o.login_id, '-', 1) = x.p)
    and not exists (select 1 from tenants o where o.id <> t.id and (o.slug = x.p or o.slug like x.p || '-%'))
  limit 1
), t.slug);
alter table tenants alter column login_prefix set not null;
alter table tenants add constraint tenants_login_prefix_format check (login_prefix ~ '^[a-z0-9][a-z0-9-]{0,39}$');
create unique index tenants_login_prefix on tenants (login_prefix);

create function tenants_login_prefix_disjoint() returns trigger
language plpgsql as $$
begin
  if exists (select 1 from tenants o where o.id <> new.id
             and (o.login_prefix like new.login_prefix || '-%' or new.login_prefix like o.login_prefix || '-%')) then
    raise exception 'login prefix % overlaps another tenant''s prefix', new.login_prefix using errcode = '23505';
  end if;
  return new;
end $$;
create trigger tenants_login_prefix_disjoint before insert or update of login_prefix on tenants
  for each row execute function tenants_login_prefix_disjoint();
