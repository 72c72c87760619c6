-- The cross-tenant lookups run on every request and every heartbeat, in PL/pgSQL.
--
-- A SECURITY DEFINER function in LANGUAGE sql is never inlined, and PostgreSQL before 18
-- plans a SQL function's body again on every call: auth_find_session, which every request
-- of both apps runs to validate its session cookie, spent about 0.3 ms per call planning a
-- three-table join whose plan never changes (measured: 2,000 calls 530-690 ms as SQL, 31-51 ms
-- as PL/pgSQL, which keeps the plan for the life of the connection). The same holds for the
-- heartbeat's session check, the metrics' synthetic-tenant list, the LiveKit webhook's room
-- lookup and the worker's sweep. Same names, arguments, results, owner, privileges,
-- SECURITY DEFINER and search_path as before: only the language changes.
-- `#variable_conflict use_column`: a column named like one of the result columns means the column.

create or replace function auth_find_session(p_session_id text)
returns table (
  session_id text, tenant_id uuid, account_id uuid, app text, expires_at timestamptz,
  role account_role, login_id text, display_name text, disabled_at timestamptz,
  password_changed_at timestamptz, tenant_slug text, tenant_name text, password_max_age_days int,
  ip_allow_list text[], session_hours int, must_change_password boolean, tenant_suspended boolean
)
language plpgsql stable security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
begin
  return query
  select s.id, s.tenant_id, s.account_id, s.app, s.expires_at,
         a.role, a.login_id, a.display_name, a.disabled_at, a.password_changed_at,
         t.slug, t.name, t.password_max_age_days, t.ip_allow_list, t.session_hours, a.must_change_password,
         t.suspended_at is not null
  from sessions s
  join accounts a on a.id = s.account_id and a.tenant_id = s.tenant_id
  join tenants t on t.id = s.tenant_id
  where s.id = p_session_id;
end
$$;

create or replace function auth_live_sessions(p_ids text[])
returns table (session_id text)
language plpgsql stable security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
begin
  return query
  select s.id from sessions s
  join accounts a on a.id = s.account_id and a.tenant_id = s.tenant_id
  where s.id = any(p_ids) and s.expires_at > now() and a.disabled_at is null;
end
$$;

create or replace function synthetic_tenant_ids()
returns table (tenant_id uuid)
language plpgsql stable security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
begin
  return query select t.id from tenants t where t.synthetic;
end
$$;

create or replace function calls_find_by_room(p_room text)
returns table (call_id uuid, tenant_id uuid)
language plpgsql stable security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
begin
  return query select c.id, c.tenant_id from calls c where c.room_name = p_room;
end
$$;

create or replace function calls_sweep_tenants()
returns table (tenant_id uuid)
language plpgsql stable security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
begin
  return query
  select distinct c.tenant_id from calls c where c.state in ('ringing', 'accepted')
  union
  select distinct p.tenant_id from concierge_presence p where p.status <> 'offline';
end
$$;
