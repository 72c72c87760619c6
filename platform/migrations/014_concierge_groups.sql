-- Concierge groups (issue 11, item 2): e.g. by language. A kiosk belongs to at most
-- one group; a concierge to any number. When a kiosk of a group calls, the group's
-- available concierges ring first and the tenant's other available concierges after
-- the group's overflow delay (0: all at once). A kiosk with no group rings everyone.

create table concierge_groups (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants(id) on delete cascade,
  name text not null check (length(name) between 1 and 60),
  overflow_seconds int not null default 20 check (overflow_seconds between 0 and 600),
  created_at timestamptz not null default now(),
  unique (tenant_id, id)
);
create unique index concierge_groups_name on concierge_groups (tenant_id, lower(name));

create table concierge_group_members (
  tenant_id uuid not null,
  group_id uuid not null,
  account_id uuid not null,
  primary key (group_id, account_id),
  foreign key (tenant_id, group_id) references concierge_groups (tenant_id, id) on delete cascade,
  foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
);
create index concierge_group_members_account on concierge_group_members (account_id);

create table kiosk_groups (
  kiosk_account_id uuid primary key,
  tenant_id uuid not null,
  group_id uuid not null,
  foreign key (tenant_id, group_id) references concierge_groups (tenant_id, id) on delete cascade,
  foreign key (tenant_id, kiosk_account_id) references accounts (tenant_id, id) on delete cascade
);
create index kiosk_groups_group on kiosk_groups (group_id);

-- A call remembers the group it rang first and when the rest of the tenant joins in:
-- overflow_at is when the delay passes; overflowed_at when the others were rung (early
-- when no concierge of the group could answer). ring_group_id null: everyone rings.
-- No foreign key: a deleted group keeps its id in the call's history, and its ringing
-- calls (no members any more) overflow on the next settle.
alter table calls
  add column ring_group_id uuid,
  add column overflow_at timestamptz,
  add column overflowed_at timestamptz;

alter table concierge_groups enable row level security;
alter table concierge_group_members enable row level security;
alter table kiosk_groups enable row level security;
create policy tenant_scope on concierge_groups to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy tenant_scope on concierge_group_members to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy tenant_scope on kiosk_groups to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy operator_read on concierge_groups for select to concierge_ops using (true);
create policy operator_read on concierge_group_members for select to concierge_ops using (true);
create policy operator_read on kiosk_groups for select to concierge_ops using (true);
grant select, insert, update, delete on concierge_groups, concierge_group_members, kiosk_groups to concierge_app;
grant select on concierge_groups, concierge_group_members, kiosk_groups to concierge_ops;
