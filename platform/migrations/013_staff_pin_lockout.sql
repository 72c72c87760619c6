-- Kiosk staff PIN lockout stored in the database (issue 9, item 3).
--
-- Until now wrong staff PINs were counted in each app process's memory: a restart or a
-- second kiosk app instance gave a guesser fresh tries. Now each kiosk account has one
-- row here, used like signin_throttle (005): an attempt is reserved (counted, under a
-- row lock) before the PIN's hash is checked, so however many arrive at once no more
-- than the threshold are checked per window; the threshold-th wrong PIN locks the
-- kiosk's PIN entry, each further lock twice as long (capped at a day) until a right
-- PIN. The lock is audited (kiosk.staff_pin_locked). See platform/policies/staff-pin.ts.

create table staff_pin_throttle (
  kiosk_account_id uuid primary key,
  tenant_id uuid not null references tenants(id) on delete cascade,
  -- Attempts reserved in the current window (counted before the PIN is checked).
  attempts int not null default 0 check (attempts >= 0),
  -- Of those, the ones that turned out wrong.
  failures int not null default 0 check (failures >= 0),
  window_started_at timestamptz not null default now(),
  locked_until timestamptz,
  -- Locks since the last right PIN: each lasts twice as long as the one before.
  locks int not null default 0 check (locks >= 0),
  foreign key (tenant_id, kiosk_account_id) references accounts (tenant_id, id) on delete cascade
);
create index staff_pin_throttle_tenant on staff_pin_throttle (tenant_id);

alter table staff_pin_throttle enable row level security;
create policy tenant_scope on staff_pin_throttle to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy operator_read on staff_pin_throttle for select to concierge_ops using (true);
grant select, insert, update, delete on staff_pin_throttle to concierge_app;
grant select on staff_pin_throttle to concierge_ops;
