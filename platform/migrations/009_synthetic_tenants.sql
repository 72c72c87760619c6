-- Synthetic tenants (issue 10): the synthetic call probe's accounts live in a tenant
-- marked synthetic, whose calls are left out of every KPI (the Prometheus call
-- metrics carry tenant="synthetic" and the dashboard and alerts count only
-- tenant="customer"; any KPI query filters on tenants.synthetic).
alter table tenants add column synthetic boolean not null default false;

-- Ids of the synthetic tenants, for the apps' metrics (ids only, no tenant data).
create function synthetic_tenant_ids()
returns table (tenant_id uuid)
language sql stable security definer set search_path = public, pg_temp as $$
  select id from tenants where synthetic
$$;
revoke all on function synthetic_tenant_ids() from public;
grant execute on function synthetic_tenant_ids() to concierge_app;
