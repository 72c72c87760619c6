// Queries of the operator's cross-tenant read path. Run them only on opsDb(), and
// only from platform/operator/operator.ts, which audits every use.
import type { Sql } from '../db.server.ts';

export interface TenantOverview {
	id: string;
	slug: string;
	name: string;
	isPlatform: boolean;
	accounts: number;
	disabled: number;
}

export async function listTenantOverviews(ops: Sql): Promise<TenantOverview[]> {
	return ops<TenantOverview[]>`
		select t.id, t.slug, t.name, t.is_platform as "isPlatform",
		       count(a.id)::int as accounts, count(a.disabled_at)::int as disabled
		from tenants t left join accounts a on a.tenant_id = t.id
		group by t.id order by t.is_platform desc, t.name`;
}

export interface OperatorAccountHit {
	id: string;
	tenantId: string;
	tenantName: string;
	loginId: string;
	displayName: string;
	role: string;
	disabled: boolean;
}

/** The account with this (lower-case) login ID, in whichever tenant holds it. */
export async function findAccountByLoginId(ops: Sql, loginId: string): Promise<OperatorAccountHit | null> {
	const [row] = await ops<OperatorAccountHit[]>`
		select a.id, a.tenant_id as "tenantId", t.name as "tenantName", a.login_id as "loginId",
		       a.display_name as "displayName", a.role, a.disabled_at is not null as disabled
		from accounts a join tenants t on t.id = a.tenant_id where a.login_id = ${loginId}`;
	return row ?? null;
}

export interface TenantHit {
	id: string;
	slug: string;
	name: string;
	suspended: boolean;
	accounts: number;
}

/** Tenants whose name, slug or login prefix contains the text. */
export async function searchTenants(ops: Sql, q: string): Promise<TenantHit[]> {
	const like = '%' + q.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
	return ops<TenantHit[]>`
		select t.id, t.slug, t.name, t.suspended_at is not null as suspended,
		       (select count(*)::int from accounts a where a.tenant_id = t.id) as accounts
		from tenants t where t.name ilike ${like} or t.slug ilike ${like} or t.login_prefix ilike ${like}
		order by t.name limit 50`;
}

/** Accounts of any tenant whose login ID or name contains the text. */
export async function searchAccountsAcross(ops: Sql, q: string): Promise<OperatorAccountHit[]> {
	const like = '%' + q.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
	return ops<OperatorAccountHit[]>`
		select a.id, a.tenant_id as "tenantId", t.name as "tenantName", a.login_id as "loginId",
		       a.display_name as "displayName", a.role, a.disabled_at is not null as disabled
		from accounts a join tenants t on t.id = a.tenant_id
		where a.login_id ilike ${like} or a.display_name ilike ${like}
		order by a.login_id limit 50`;
}

export interface TenantDetailRow {
	id: string;
	slug: string;
	name: string;
	loginPrefix: string;
	isPlatform: boolean;
	suspendedAt: Date | null;
	suspendedReason: string | null;
	createdAt: Date;
}

export async function tenantDetailRow(ops: Sql, id: string): Promise<TenantDetailRow | null> {
	const [row] = await ops<TenantDetailRow[]>`
		select id, slug, name, login_prefix as "loginPrefix", is_platform as "isPlatform", suspended_at as "suspendedAt",
		       suspended_reason as "suspendedReason", created_at as "createdAt"
		from tenants where id = ${id}`;
	return row ?? null;
}

export async function tenantAccounts(ops: Sql, tenantId: string): Promise<OperatorAccountHit[]> {
	return ops<OperatorAccountHit[]>`
		select a.id, a.tenant_id as "tenantId", '' as "tenantName", a.login_id as "loginId", a.display_name as "displayName",
		       a.role, a.disabled_at is not null as disabled
		from accounts a where a.tenant_id = ${tenantId} order by a.role, a.login_id`;
}

export interface TenantCallStats {
	live: number;
	last7Days: number;
	answered7Days: number;
	missed7Days: number;
}

export async function tenantCallStats(ops: Sql, tenantId: string): Promise<TenantCallStats> {
	const [row] = await ops<TenantCallStats[]>`
		select count(*) filter (where state in ('ringing', 'accepted'))::int as live,
		       count(*) filter (where created_at > now() - interval '7 days')::int as "last7Days",
		       count(*) filter (where created_at > now() - interval '7 days' and accepted_at is not null)::int as "answered7Days",
		       count(*) filter (where created_at > now() - interval '7 days' and state = 'missed')::int as "missed7Days"
		from calls where tenant_id = ${tenantId}`;
	return row!;
}

/** The database's own health: round trip, connections, size. */
export async function databaseHealth(ops: Sql): Promise<{ connections: number; sizeBytes: number }> {
	const [row] = await ops<{ connections: number; sizeBytes: number }[]>`
		select (select count(*)::int from pg_stat_activity where datname = current_database()) as connections,
		       pg_database_size(current_database())::float8 as "sizeBytes"`;
	return row!;
}

/** Calls that ended with an error-like reason, and all calls, in the last hour (every tenant). */
export async function callErrorRate(ops: Sql): Promise<{ calls: number; failed: number }> {
	const [row] = await ops<{ calls: number; failed: number }[]>`
		select count(*)::int as calls,
		       count(*) filter (where end_reason in ('media_unavailable', 'room_closed', 'kiosk_left', 'concierge_left'))::int as failed
		from calls where created_at > now() - interval '1 hour'`;
	return row!;
}
