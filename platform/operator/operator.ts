/**
 * The platform operator's cross-tenant read path. It is the only code that uses
 * the concierge_ops connection (which RLS lets SELECT across tenants), and every
 * call writes an `operator.read` record to the operator's own audit log first.
 */
import { isUuid, opsDb, withTenant } from '../db.server.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { findGroup, listGroups, sampleReports, type ReportGroupRow, type StoredReport } from '../reports/reports.repo.ts';
import { writeAudit } from '../audit/audit.ts';
import { findTenant, tenantNames } from '../tenants/tenants.repo.ts';
import type { Actor } from '../types.ts';
import { findAccountByLoginId, listTenantOverviews, type OperatorAccountHit, type TenantOverview } from './operator.repo.ts';

export type { OperatorAccountHit, TenantOverview };

function requireOperator(actor: Actor): void {
	if (actor.role !== 'operator') throw new Forbidden('operator_only', 'Only platform operators can do this.');
}

async function audited(actor: Actor, what: string, detail: Record<string, unknown> = {}): Promise<void> {
	requireOperator(actor);
	await withTenant(actor.tenantId, (tx) =>
		writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'operator.read', targetType: 'platform', targetId: what, ip: actor.ip ?? null, detail })
	);
}

/** Every tenant with its account counts. */
export async function listTenantsForOperator(actor: Actor): Promise<TenantOverview[]> {
	await audited(actor, 'tenants');
	return listTenantOverviews(opsDb());
}

/** Find an account by login ID in any tenant (for remote disable by login ID). */
export async function findAccountForOperator(actor: Actor, loginId: string): Promise<OperatorAccountHit | null> {
	await audited(actor, 'account_lookup', { loginId });
	return findAccountByLoginId(opsDb(), loginId.toLowerCase());
}

/** Report groups across every tenant, most recent first (crash and problem reports). */
export async function listReportGroupsForOperator(actor: Actor, limit = 200): Promise<(ReportGroupRow & { tenantName: string })[]> {
	await audited(actor, 'report_groups');
	const sql = opsDb();
	const groups = await listGroups(sql, { limit });
	const names = await tenantNames(sql);
	return groups.map((g) => ({ ...g, tenantName: names.get(g.tenantId) ?? '' }));
}

/** One report group of any tenant with its most recent reports in full. */
export async function getReportGroupForOperator(actor: Actor, groupId: string, samples = 20): Promise<{ group: ReportGroupRow & { tenantName: string }; reports: StoredReport[] }> {
	// The id as typed is audited; anything but a UUID as JSON text, since jsonb cannot hold NUL or lone surrogates.
	await audited(actor, 'report_group', { groupId: isUuid(groupId) ? groupId : JSON.stringify(String(groupId).slice(0, 100)) });
	const notFound = new NotFound('report_group_not_found', 'That problem group does not exist or has been deleted.');
	if (!isUuid(groupId)) throw notFound;
	const sql = opsDb();
	const group = await findGroup(sql, groupId);
	if (!group) throw notFound;
	const t = await findTenant(sql, group.tenantId);
	return { group: { ...group, tenantName: t?.name ?? '' }, reports: await sampleReports(sql, groupId, samples) };
}
