-- Running a store chain (issue 11): one-time kiosk enrolment codes and tenant policies.
--
-- 1. Enrolment codes (item 3). An admin issues a 6-digit code for a kiosk account;
--    it is valid 10 minutes and once. Only an HMAC of it is stored (keyed by a
--    server secret that never reaches the database, and bound to the account), so
--    the table alone does not reveal a code even by trying all 10^6. A code allows
--    at most five checks in all (reserved atomically before the check, so parallel
--    tries cannot exceed it); the fifth wrong one voids it. Wrong codes are also
--    counted per source address (a source over its limit is refused unchecked) and
--    per tenant (many in a tenant write an `enrolment.alert` and slow the answers).

create table enrolment_codes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants(id) on delete cascade,
  account_id uuid not null,
  -- hex(HMAC-SHA256(key, account id ':' code)); the code itself is never stored.
  code_hash text not null check (code_hash ~ '^[0-9a-f]{64}$'),
  issued_by uuid,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  -- Checks reserved (at most 5) and, of those, the wrong ones.
  attempts int not null default 0 check (attempts between 0 and 5),
  failures int not null default 0 check (failures between 0 and 5),
  used_at timestamptz,
  voided_at timestamptz,
  void_reason text check (void_reason in ('replaced', 'too_many_failures', 'revoked', 'account_disabled')),
  foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
);
-- At most one live (unused, not voided) code per account.
create unique index enrolment_codes_live on enrolment_codes (account_id) where used_at is null and voided_at is null;
create index enrolment_codes_tenant on enrolment_codes (tenant_id, created_at desc);

alter table enrolment_codes enable row level security;
create policy tenant_scope on enrolment_codes to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy operator_read on enrolment_codes for select to concierge_ops using (true);
-- No delete: a code's history stays until its account goes.
grant select, insert, update on enrolment_codes to concierge_app;
grant select on enrolment_codes to concierge_ops;

-- Wrong codes, one row each: counted per source (an IPv4 address or IPv6 /64) and per
-- tenant (null when the login ID names no kiosk). Written only by the definer functions.
create table enrolment_failures (
  id bigint generated always as identity primary key,
  tenant_id uuid references tenants(id) on delete cascade,
  source text not null check (length(source) between 1 and 64),
  at timestamptz not null default now()
);
create index enrolment_failures_source on enrolment_failures (source, at);
create index enrolment_failures_tenant on enrolment_failures (tenant_id, at) where tenant_id is not null;
alter table enrolment_failures enable row level security;
create policy tenant_scope on enrolment_failures for select to concierge_app using (tenant_id = app_current_tenant());
create policy operator_read on enrolment_failures for select to concierge_ops using (true);
grant select on enrolment_failures to concierge_app, concierge_ops;

-- Reserve one check of a code for (login ID, source), before the tenant is known.
-- Refused unchecked (allowed = false) once the source has p_source_limit wrong codes
-- in the last hour. Otherwise the kiosk's live code, if any, gets one of its five
-- checks (atomically: concurrent tries are counted one after another) and its hash
-- is returned; with no live code, or its checks used up, the hash is null and the
-- caller compares against a dummy, so every case does the same work.
create function auth_enrol_reserve(p_login_id text, p_source text, p_source_limit int)
returns table (allowed boolean, code_id uuid, code_hash text, account_id uuid, tenant_id uuid, tenant_failures int)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare v_account uuid; v_tenant uuid; v_source_failures int;
begin
  select a.id, a.tenant_id into v_account, v_tenant
    from accounts a where a.login_id = lower(p_login_id) and a.role = 'kiosk';
  select count(*)::int into v_source_failures from enrolment_failures f
    where f.source = p_source and f.at > now() - interval '1 hour';
  allowed := v_source_failures < p_source_limit;
  if allowed and v_account is not null then
    update enrolment_codes c set attempts = c.attempts + 1
      where c.account_id = v_account and c.used_at is null and c.voided_at is null
        and c.expires_at > now() and c.attempts < 5
      returning c.id, c.code_hash into code_id, code_hash;
  end if;
  account_id := v_account;
  tenant_id := v_tenant;
  select count(*)::int into tenant_failures from enrolment_failures f
    where v_tenant is not null and f.tenant_id = v_tenant and f.at > now() - interval '15 minutes';
  return next;
end $$;

-- A wrong code (or one refused unchecked): counted for the source and the tenant; the
-- code's fifth wrong check voids it (audited); a tenant reaching p_alert_failures in
-- 15 minutes gets one `enrolment.alert` an hour. Returns the tenant's recent count.
create function auth_enrol_failed(p_login_id text, p_source text, p_code_id uuid, p_ip inet, p_alert_failures int)
returns int
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare v_account uuid; v_tenant uuid; v_failures int; v_voided boolean := false; v_count int := 0;
begin
  select a.id, a.tenant_id into v_account, v_tenant
    from accounts a where a.login_id = lower(p_login_id) and a.role = 'kiosk';
  insert into enrolment_failures (tenant_id, source) values (v_tenant, p_source);
  if p_code_id is not null then
    select c.failures + 1 into v_failures from enrolment_codes c where c.id = p_code_id for update;
    v_voided := v_failures >= 5;
    update enrolment_codes c set failures = least(c.failures + 1, 5),
           voided_at = case when v_voided and c.voided_at is null and c.used_at is null then now() else c.voided_at end,
           void_reason = case when v_voided and c.voided_at is null and c.used_at is null then 'too_many_failures' else c.void_reason end
      where c.id = p_code_id and c.failures < 5;
    v_voided := v_voided and found;
    if v_voided then
      insert into audit_log (tenant_id, action, target_type, target_id, ip, detail)
      values (v_tenant, 'enrolment.code_voided', 'account', v_account::text, p_ip,
              jsonb_build_object('loginId', lower(p_login_id), 'reason', 'too_many_failures'));
    end if;
  end if;
  if v_tenant is not null then
    select count(*)::int into v_count from enrolment_failures f
      where f.tenant_id = v_tenant and f.at > now() - interval '15 minutes';
    if v_count >= p_alert_failures then
      perform pg_advisory_xact_lock(hashtextextended(v_tenant::text || 'enrolment.alert', 727010));
      if not exists (select 1 from audit_log l where l.tenant_id = v_tenant and l.action = 'enrolment.alert'
                     and l.at > now() - interval '1 hour') then
        insert into audit_log (tenant_id, action, target_type, target_id, ip, detail)
        values (v_tenant, 'enrolment.alert', 'tenant', v_tenant::text, p_ip,
                jsonb_build_object('failures', v_count, 'message',
                  'Many wrong enrolment codes were entered for this organisation''s kiosks in the last 15 minutes.'));
      end if;
    end if;
  end if;
  if random() < 0.01 then
    delete from enrolment_failures where at < now() - interval '1 day';
  end if;
  return v_count;
end $$;

-- A right code: mark it used, once. Of two concurrent right tries only one gets a row.
create function auth_enrol_redeem(p_code_id uuid)
returns table (account_id uuid, tenant_id uuid)
language sql volatile security definer set search_path = public, pg_temp as $$
  update enrolment_codes c set used_at = now()
  where c.id = p_code_id and c.used_at is null and c.voided_at is null and c.expires_at > now()
  returning c.account_id, c.tenant_id
$$;

revoke all on function auth_enrol_reserve(text, text, int) from public;
revoke all on function auth_enrol_failed(text, text, uuid, inet, int) from public;
revoke all on function auth_enrol_redeem(uuid) from public;
grant execute on function auth_enrol_reserve(text, text, int) to concierge_app;
grant execute on function auth_enrol_failed(text, text, uuid, inet, int) to concierge_app;
grant execute on function auth_enrol_redeem(uuid) to concierge_app;

-- 2. Tenant policies (item 4), on the admin's settings page. The sign-in policy columns
--    exist since 001; these are new. The IP allow-list holds CIDR ranges (IPv4 and IPv6,
--    normalised by platform/policies/cidr.ts); empty means no restriction. It applies to
--    concierge and admin sign-in and to every request of their live sessions.
alter table tenants
  add column ip_allow_list text[] not null default '{}' check (cardinality(ip_allow_list) <= 100),
  -- Session lifetime in hours (sliding); null = the platform's SESSION_DAYS.
  add column session_hours int check (session_hours between 1 and 8760),
  -- Ring timeout in seconds; null = the platform's CALL_RING_TIMEOUT_SECONDS.
  add column ring_timeout_seconds int check (ring_timeout_seconds between 5 and 600),
  -- Business hours: IANA time zone, per weekday (0 = Sunday) [open, close) as 'HH:MM',
  -- holidays as dates; empty hours = always open. Out of hours the kiosk shows closed_message.
  add column time_zone text not null default 'Asia/Tokyo' check (length(time_zone) between 1 and 64),
  add column business_hours jsonb not null default '{}' check (jsonb_typeof(business_hours) = 'object'),
  add column holidays date[] not null default '{}' check (cardinality(holidays) <= 400),
  add column closed_message text not null default '' check (length(closed_message) <= 500),
  -- Kiosk staff PIN (argon2id hash) or null when none is set.
  add column staff_pin_hash text,
  -- Set by a platform operator: every sign-in refused, sessions revoked, calls ended (item 7).
  add column suspended_at timestamptz,
  add column suspended_reason text check (length(suspended_reason) <= 500);

-- Session validation also returns what the per-request policy checks need: the tenant's
-- allow-list and session lifetime.
drop function auth_find_session(text);
create function auth_find_session(p_session_id text)
returns table (
  session_id text, tenant_id uuid, account_id uuid, app text, expires_at timestamptz,
  role account_role, login_id text, display_name text, disabled_at timestamptz,
  password_changed_at timestamptz, tenant_slug text, tenant_name text, password_max_age_days int,
  ip_allow_list text[], session_hours int
)
language sql stable security definer set search_path = public, pg_temp as $$
  select s.id, s.tenant_id, s.account_id, s.app, s.expires_at,
         a.role, a.login_id, a.display_name, a.disabled_at, a.password_changed_at,
         t.slug, t.name, t.password_max_age_days, t.ip_allow_list, t.session_hours
  from sessions s
  join accounts a on a.id = s.account_id and a.tenant_id = s.tenant_id
  join tenants t on t.id = s.tenant_id
  where s.id = p_session_id
$$;
revoke all on function auth_find_session(text) from public;
grant execute on function auth_find_session(text) to concierge_app;

-- 3. Accounts (item 2): reset passwords that must be changed at the next sign-in,
--    archiving (keeps every row that refers to the account; the login ID is freed only
--    when the admin confirms it, by renaming it out of the way), and concierge photos.
alter table accounts
  add column must_change_password boolean not null default false,
  add column archived_at timestamptz,
  -- The login ID the account had when its ID was freed (for the history pages).
  add column archived_login_id text,
  add column photo bytea check (photo is null or length(photo) <= 524288),
  add column photo_type text check (photo_type in ('image/png', 'image/jpeg', 'image/webp')),
  add column photo_updated_at timestamptz;

drop function auth_find_session(text);
create function auth_find_session(p_session_id text)
returns table (
  session_id text, tenant_id uuid, account_id uuid, app text, expires_at timestamptz,
  role account_role, login_id text, display_name text, disabled_at timestamptz,
  password_changed_at timestamptz, tenant_slug text, tenant_name text, password_max_age_days int,
  ip_allow_list text[], session_hours int, must_change_password boolean, tenant_suspended boolean
)
language sql stable security definer set search_path = public, pg_temp as $$
  select s.id, s.tenant_id, s.account_id, s.app, s.expires_at,
         a.role, a.login_id, a.display_name, a.disabled_at, a.password_changed_at,
         t.slug, t.name, t.password_max_age_days, t.ip_allow_list, t.session_hours, a.must_change_password,
         t.suspended_at is not null
  from sessions s
  join accounts a on a.id = s.account_id and a.tenant_id = s.tenant_id
  join tenants t on t.id = s.tenant_id
  where s.id = p_session_id
$$;
revoke all on function auth_find_session(text) from public;
grant execute on function auth_find_session(text) to concierge_app;

-- 4. Problem report groups (item 6): open or resolved. Resolving records the newest app
--    version seen so far; a later report from a newer version reopens the group.
alter table report_groups
  add column status text not null default 'open' check (status in ('open', 'resolved')),
  add column resolved_at timestamptz,
  add column resolved_by uuid,
  add column resolved_version text;
-- User-written reports now group by kind alone (the comment is no longer in the
-- fingerprint); existing groups keep their fingerprints, new reports join the new one.
grant update (status, resolved_at, resolved_by, resolved_version) on report_groups to concierge_app;

-- 5. Operator console (item 7). The app role cannot insert tenants; this one definer
--    function creates one for a platform operator's session (platform/operator checks
--    the role and audits it). The prefix rules of migration 005 apply.
create function platform_create_tenant(p_slug text, p_name text, p_login_prefix text)
returns uuid
language sql volatile security definer set search_path = public, pg_temp as $$
  insert into tenants (slug, name, login_prefix) values (p_slug, p_name, p_login_prefix) returning id
$$;
revoke all on function platform_create_tenant(text, text, text) from public;
grant execute on function platform_create_tenant(text, text, text) to concierge_app;

-- 6. Fleet view (item 1): each kiosk's presence, kept by its event stream (opened, each
--    heartbeat, closed). Online = a stream seen within the last minute.
create table kiosk_presence (
  account_id uuid primary key,
  tenant_id uuid not null references tenants(id) on delete cascade,
  connected_at timestamptz,
  last_seen_at timestamptz,
  disconnected_at timestamptz,
  user_agent text check (length(user_agent) <= 400),
  app_version text check (length(app_version) <= 64),
  foreign key (tenant_id, account_id) references accounts (tenant_id, id) on delete cascade
);
alter table kiosk_presence enable row level security;
create policy tenant_scope on kiosk_presence to concierge_app
  using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant());
create policy operator_read on kiosk_presence for select to concierge_ops using (true);
grant select, insert, update on kiosk_presence to concierge_app;
grant select on kiosk_presence to concierge_ops;
