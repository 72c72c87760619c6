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
