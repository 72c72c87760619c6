/**
 * The platform operator's cross-tenant read path. It is the only code that uses
 * the concierge_ops connection (which RLS lets SELECT across tenants), and every
 * call writes an `operator.read` record to the operator's own audit log first.
 */
import { opsDb, withTenant } from '../db.server.ts';
import { Forbidden } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Actor } from '../types.ts';

function requireOperator(actor: Actor): void {
	if (actor.role !== 'operator') throw new Forbidden('operator_only', 'Only platform operators can do this.');
}

async function audited(actor: Actor, what: string, detail: Record<string, unknown> = {}): Promise<void> {
	requireOperator(actor);
	await withTenant(actor.tenantId, (tx) =>
		writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'operator.read', targetType: 'platform', targetId: what, ip: actor.ip ?? null, detail })
	);
}

export interface TenantOverview {
	id: string;
	slug: string;
	name: string;
	isPlatform: boolean;
	accounts: number;
	disabled: number;
}

/** Every tenant with its account counts. */
export async function listTenantsForOperator(actor: Actor): Promise<TenantOverview[]> {
	await audited(actor, 'tenants');
	return opsDb()<TenantOverview[]>`
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

/** Find an account by login ID in any tenant (for remote disable by login ID). */
export async function findAccountForOperator(actor: Actor, loginId: string): Promise<OperatorAccountHit | null> {
	await audited(actor, 'account_lookup', { loginId });
	const [row] = await opsDb()<OperatorAccountHit[]>`
		select a.id, a.tenant_id as "tenantId", t.name as "tenantName", a.login_id as "loginId",
		       a.display_name as "displayName", a.role, a.disabled_at is not null as disabled
		from accounts a join tenants t on t.id = a.tenant_id where a.login_id = ${loginId.toLowerCase()}`;
	return row ?? null;
}
