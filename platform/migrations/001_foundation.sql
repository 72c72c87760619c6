-- Foundation: tenants, accounts, sessions, audit log, with row-level security.
--
-- Roles (created by infra/services.sh):
--   concierge_owner  owns every table and runs migrations.
--   concierge_app    the apps and the worker. Owns nothing, NOBYPASSRLS: sees a
--                    tenant's rows only when app.tenant_id is set in the transaction.
--   concierge_ops    the audited operator path: may SELECT across tenants, write nothing.

-- The tenant of the current transaction, or NULL when none is set (so no row matches).
create or replace function app_current_tenant() returns uuid
language sql stable as $$
  select nullif(current_setting('app.tenant_id', true), '')::uuid
$$;

create table tenants (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (length(name) between 1 and 200),
  is_platform boolean not null default false,
  -- Sign-in policy, per tenant (seed 002: 3 failures lock the account).
  lockout_threshold int not null default 3 check (lockout_threshold between 1 and 100),
  lockout_minutes int not null default 15 check (lockout_minutes between 1 and 10080),
  password_min_length int not null default 10 check (password_min_length between 8 and 128),
  password_min_classes int not null default 3 check (password_min_classes between 1 and 4),
  password_max_age_days int not null default 0 check (password_max_age_days between 0 and 3650),
  created_at timestamptz not null default now()
);

create type account_role as enum ('kiosk', 'concierge', 'admin', 'operator');

create table accounts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants(id) on delete cascade,
  -- Unique across the platform, so an operator can disable an account by login ID alone.
  login_id text not null unique check (login_id ~ '^[a-z0-9][a-z0-9._@-]{2,63}$'),
  display_name text not null check (length(display_name) between 1 and 200),
  role account_role not null,
  password_hash text not null,
  password_changed_at timestamptz not null default now(),
  failed_attempts int not null default 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  disabled_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id)
);
create index accounts_tenant_role on accounts (tenant_id, role);

create table sessions (
  -- hex(sha256(token)); the token itself is never stored.
  id text primary key check (id ~ '^[0-9a-f]{64}$'),
  tenant_id uuid not null references tenants(id) on delete cascade,
  account_id uuid not null,
  app text not null check (app in ('kiosk', 'console')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip inet,
  user_agent text,
  foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
);
create index sessions_account on sessions (account_id);

create table audit_log (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references tenants(id) on delete cascade,
  at timestamptz not null default now(),
  actor_account_id uuid,
  actor_login_id text,
  action text not null check (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
  target_type text,
  target_id text,
  ip inet,
  detail jsonb not null default '{}'
);
create index audit_log_tenant_at on audit_log (tenant_id, at desc);

grant usage on schema public to concierge_app, concierge_ops;

-- Row-level security on every tenant-owned table.
alter table tenants enable row level security;
alter table accounts enable row level security;
alter table sessions enable row level security;
alter table audit_log enable row level security;

create policy tenant_scope on tenants to concierge_app
  using (id = app_current_tenant());
create policy tenant_scope on accounts to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy tenant_scope on sessions to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy tenant_scope on audit_log to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());

create policy operator_read on tenants for select to concierge_ops using (true);
create policy operator_read on accounts for select to concierge_ops using (true);
create policy operator_read on audit_log for select to concierge_ops using (true);

grant select, update on tenants to concierge_app;
grant select, insert, update, delete on accounts to concierge_app;
grant select, insert, update, delete on sessions to concierge_app;
-- The audit log is append-only for the app.
grant select, insert on audit_log to concierge_app;
grant select on tenants, accounts, audit_log to concierge_ops;
grant execute on function app_current_tenant() to concierge_app, concierge_ops;

-- The two narrow ways in before the tenant is known. SECURITY DEFINER runs as the
-- owner (which RLS does not restrict), so each returns only what the caller needs.

-- Sign-in: which tenant does this login ID belong to?
create function auth_find_login(p_login_id text)
returns table (account_id uuid, tenant_id uuid)
language sql stable security definer set search_path = public, pg_temp as $$
  select a.id, a.tenant_id from accounts a where a.login_id = lower(p_login_id)
$$;

-- Session validation: the session with this id, its account and tenant.
create function auth_find_session(p_session_id text)
returns table (
  session_id text, tenant_id uuid, account_id uuid, app text, expires_at timestamptz,
  role account_role, login_id text, display_name text, disabled_at timestamptz,
  password_changed_at timestamptz, tenant_slug text, tenant_name text, password_max_age_days int
)
language sql stable security definer set search_path = public, pg_temp as $$
  select s.id, s.tenant_id, s.account_id, s.app, s.expires_at,
         a.role, a.login_id, a.display_name, a.disabled_at, a.password_changed_at,
         t.slug, t.name, t.password_max_age_days
  from sessions s
  join accounts a on a.id = s.account_id and a.tenant_id = s.tenant_id
  join tenants t on t.id = s.tenant_id
  where s.id = p_session_id
$$;

revoke all on function auth_find_login(text) from public;
revoke all on function auth_find_session(text) from public;
grant execute on function auth_find_login(text) to concierge_app;
grant execute on function auth_find_session(text) to concierge_app;
