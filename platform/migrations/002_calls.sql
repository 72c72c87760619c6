-- Calls: concierge presence, call records, the LiveKit tokens the platform issued,
-- and per-concierge screen-share permissions. Same RLS pattern as 001.

-- Per-concierge share permissions, decided by the tenant admin (seed 002).
alter table accounts add column can_share_screen boolean not null default true;
alter table accounts add column can_view_kiosk_screen boolean not null default true;

-- A concierge's own availability. "Available" counts only while its console is
-- connected (seen_at is refreshed by the open event stream).
create table concierge_presence (
  tenant_id uuid not null references tenants(id) on delete cascade,
  account_id uuid not null,
  status text not null check (status in ('available', 'away')),
  seen_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, account_id),
  foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
);

create table calls (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants(id) on delete cascade,
  kiosk_account_id uuid not null,
  concierge_account_id uuid,
  state text not null check (state in ('ringing', 'accepted', 'ended', 'missed', 'cancelled')),
  -- Unguessable (24 random bytes); never derived from ids.
  room_name text not null unique check (room_name ~ '^call_[A-Za-z0-9_-]{32}$'),
  created_at timestamptz not null default now(),
  ring_expires_at timestamptz not null,
  accepted_at timestamptz,
  ended_at timestamptz,
  end_reason text,
  -- Kiosk screen share: off -> requested -> allowed (consented) -> off (refused/stopped).
  kiosk_share text not null default 'off' check (kiosk_share in ('off', 'requested', 'allowed')),
  kiosk_joined_at timestamptz,
  kiosk_left_at timestamptz,
  concierge_joined_at timestamptz,
  concierge_left_at timestamptz,
  foreign key (tenant_id, kiosk_account_id) references accounts (tenant_id, id) on delete cascade,
  foreign key (tenant_id, concierge_account_id) references accounts (tenant_id, id) on delete cascade,
  check (state <> 'accepted' or concierge_account_id is not null)
);
create index calls_tenant_live on calls (tenant_id, state) where state in ('ringing', 'accepted');
create index calls_ringing_expiry on calls (ring_expires_at) where state = 'ringing';
-- One live call per kiosk at a time.
create unique index calls_one_live_per_kiosk on calls (kiosk_account_id) where state in ('ringing', 'accepted');

-- Every LiveKit token the platform minted. The webhook guard removes a participant
-- whose token id is not here for that call and account.
create table call_tokens (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants(id) on delete cascade,
  call_id uuid not null references calls(id) on delete cascade,
  account_id uuid not null,
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index call_tokens_call on call_tokens (call_id);

alter table concierge_presence enable row level security;
alter table calls enable row level security;
alter table call_tokens enable row level security;

create policy tenant_scope on concierge_presence to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy tenant_scope on calls to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy tenant_scope on call_tokens to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy operator_read on calls for select to concierge_ops using (true);

grant select, insert, update on concierge_presence to concierge_app;
grant select, insert, update on calls to concierge_app;
grant select, insert on call_tokens to concierge_app;
grant select on calls to concierge_ops;

-- Cross-tenant entry points for work that starts before a tenant is known.

-- The webhook names a room; which call (and tenant) is it?
create function calls_find_by_room(p_room text)
returns table (call_id uuid, tenant_id uuid)
language sql stable security definer set search_path = public, pg_temp as $$
  select c.id, c.tenant_id from calls c where c.room_name = p_room
$$;

-- Missed-call expiry across tenants. Idempotent and safe from several processes:
-- the row lock makes a second runner skip rows the first already moved on.
create function calls_expire_ringing(p_now timestamptz)
returns table (call_id uuid, tenant_id uuid, kiosk_account_id uuid)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
  return query
  with expired as (
    update calls c set state = 'missed', ended_at = p_now, end_reason = 'no_answer'
    where c.state = 'ringing' and c.ring_expires_at <= p_now
    returning c.id, c.tenant_id, c.kiosk_account_id
  ), logged as (
    insert into audit_log (tenant_id, action, target_type, target_id, detail)
    select e.tenant_id, 'call.missed', 'call', e.id::text, '{}'::jsonb from expired e
  )
  select e.id, e.tenant_id, e.kiosk_account_id from expired e;
end
$$;

revoke all on function calls_find_by_room(text) from public;
revoke all on function calls_expire_ringing(timestamptz) from public;
grant execute on function calls_find_by_room(text) to concierge_app;
grant execute on function calls_expire_ringing(timestamptz) to concierge_app;
