/**
 * The platform operator's cross-tenant read path. It is the only code that uses
 * the concierge_ops connection (which RLS lets SELECT across tenants), and every
 * call writes an `operator.read` record to the operator's own audit log first.
 */
import { isUuid, opsDb, withTenant } from '../db.server.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { findGroup, listGroups, sampleReports, type ReportGroupRow, type StoredReport } from '../reports/reports.repo.ts';
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

/** Report groups across every tenant, most recent first (crash and problem reports). */
export async function listReportGroupsForOperator(actor: Actor, limit = 200): Promise<(ReportGroupRow & { tenantName: string })[]> {
	await audited(actor, 'report_groups');
	const sql = opsDb();
	const groups = await listGroups(sql, { limit });
	const names = new Map((await sql<{ id: string; name: string }[]>`select id, name from tenants`).map((t) => [t.id, t.name]));
	return groups.map((g) => ({ ...g, tenantName: names.get(g.tenantId) ?? '' }));
}

/** One report group of any tenant with its most recent reports in full. */
export async function getReportGroupForOperator(actor: Actor, groupId: string, samples = 20): Promise<{ group: ReportGroupRow & { tenantName: string }; reports: StoredReport[] }> {
	// The id as typed is audited; anything but a UUID as JSON text, since jsonb cannot hold NUL or lone surrogates.
	await audited(actor, 'report_group', { groupId: isUuid(groupId) ? groupId : JSON.stringify(groupId.slice(0, 100)) });
	const notFound = new NotFound('report_group_not_found', 'That problem group does not exist or has been deleted.');
	if (!isUuid(groupId)) throw notFound;
	const sql = opsDb();
	const group = await findGroup(sql, groupId);
	if (!group) throw notFound;
	const [t] = await sql<{ name: string }[]>`select name from tenants where id = ${group.tenantId}`;
	return { group: { ...group, tenantName: t?.name ?? '' }, reports: await sampleReports(sql, groupId, samples) };
}
