-- Call lifecycle (issue 7): concierge states beyond available/away, the queue, and
-- what the worker needs to end calls whose party is gone.

-- offline: no live console stream for longer than a short grace, or signed out.
alter table concierge_presence drop constraint concierge_presence_status_check;
alter table concierge_presence add constraint concierge_presence_status_check
  check (status in ('available', 'away', 'offline'));
-- Set when the account's last console stream in a process closed; cleared by any
-- stream (re)opening or beating. Past the grace the concierge counts as offline.
alter table concierge_presence add column disconnected_at timestamptz;
-- Rings the concierge let go unanswered in a row (two set it away).
alter table concierge_presence add column missed_rings int not null default 0;

-- A call waiting in the queue (nobody available, someone busy) has no ring expiry yet.
alter table calls alter column ring_expires_at drop not null;
-- The maximum-duration warning was sent.
alter table calls add column warned_at timestamptz;
create index calls_concierge_recent on calls (concierge_account_id, ended_at);

-- The worker's lifecycle sweep runs per tenant, inside that tenant's scope; this is
-- the one cross-tenant question it asks: which tenants have anything to sweep?
create function calls_sweep_tenants()
returns table (tenant_id uuid)
language sql stable security definer set search_path = public, pg_temp as $$
  select distinct c.tenant_id from calls c where c.state in ('ringing', 'accepted')
  union
  select distinct p.tenant_id from concierge_presence p where p.status <> 'offline'
$$;
revoke all on function calls_sweep_tenants() from public;
grant execute on function calls_sweep_tenants() to concierge_app;

-- Replaced by the per-tenant sweep (platform/calls/lifecycle.ts).
drop function calls_expire_ringing(timestamptz);

-- Event streams are bound to the session that opened them: on every heartbeat each
-- app process asks which of its streams' sessions still exist and are unexpired, and
-- closes the rest (sign-out, password change, disable, expiry). Answers only ids.
create function auth_live_sessions(p_ids text[])
returns table (session_id text)
language sql stable security definer set search_path = public, pg_temp as $$
  select s.id from sessions s
  join accounts a on a.id = s.account_id and a.tenant_id = s.tenant_id
  where s.id = any(p_ids) and s.expires_at > now() and a.disabled_at is null
$$;
revoke all on function auth_live_sessions(text[]) from public;
grant execute on function auth_live_sessions(text[]) to concierge_app;
