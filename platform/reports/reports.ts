/**
 * Crash and problem reports: a kiosk uploads one (submitReport), the worker
 * fingerprints and groups it (processReport), admins read their tenant's groups.
 * The upload path is a single insert: the worker's sweep finds new reports and
 * enqueues their processing, so a slow or absent queue never slows a kiosk down
 * or loses a report.
 */
import { db, isUuid, withTenant } from '../db.server.ts';
import { Forbidden, Invalid, NotFound, RateLimited } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { config } from '../config.server.ts';
import { TokenBucket } from '../web/rate-limit.ts';
import type { Actor } from '../types.ts';
import { redactDeep } from './redact.ts';
import type { ReportInput } from './report-input.ts';
import { fingerprint, groupTitle, newerVersion } from './fingerprint.ts';
import * as repo from './reports.repo.ts';
import { storeReport } from './ingest.ts';
import { publishFleetChanged } from '../events/events.ts';

let bucket: TokenBucket | null = null;

/** Per-kiosk rate limit, checked before the body is read. */
export function takeReportToken(actor: Actor): void {
	const c = config().reports;
	bucket ??= new TokenBucket(c.burst, c.perMinute / 60);
	if (!bucket.take(actor.accountId)) throw new RateLimited('report_rate_limited', 'Too many reports from this terminal. It will send the rest later.');
}

export interface SubmitResult {
	id: string;
	duplicate: boolean;
}

/**
 * Store one report, redacted, for the kiosk's own tenant. A report whose id is
 * already stored for this tenant is not stored again (the kiosk re-sends after a
 * lost answer); ids of other tenants' reports are invisible here.
 */
export async function submitReport(actor: Actor, input: ReportInput): Promise<SubmitResult> {
	if (actor.role !== 'kiosk') throw new Forbidden('kiosk_only', 'Only a store terminal can send problem reports.');
	const clean = redactDeep(input);
	if (await storeReport(actor.tenantId, actor.accountId, clean)) return { id: clean.id, duplicate: false };
	// Not inserted: a re-sent report, or a kiosk disabled since its session was checked.
	if (!(await withTenant(actor.tenantId, (tx) => repo.isEnabledKiosk(tx, actor.accountId))))
		throw new Forbidden('account_disabled', 'This terminal has been disabled. Please tell a member of staff.');
	return { id: clean.id, duplicate: true };
}

/** Fingerprint and group one stored report. Running it twice groups it once. */
export async function processReport(tenantId: string, reportId: string): Promise<'processed' | 'already'> {
	return withTenant(tenantId, async (tx) => {
		const r = await repo.lockPendingReport(tx, tenantId, reportId);
		if (!r) return 'already';
		const fp = fingerprint(r.kind, r.message, r.stack);
		const groupId = await repo.upsertGroup(tx, tenantId, { fingerprint: fp, kind: r.kind, title: groupTitle(r.kind, r.message), seenAt: r.occurredAt });
		// A resolved group reopens when the fault comes back in a newer app version (issue 11, item 6).
		const status = await repo.groupStatus(tx, groupId);
		if (status?.status === 'resolved' && newerVersion(r.appVersion, status.resolvedVersion)) await repo.markGroupOpen(tx, groupId);
		await repo.markProcessed(tx, tenantId, reportId, fp, groupId);
		// Open admin report and fleet pages show it without a reload.
		await publishFleetChanged(tx, tenantId, 'report');
		return 'processed';
	});
}

/** Reports stored but not yet processed, across tenants (ids only; see reports_pending()). */
export async function pendingReports(limit = 1000, olderThanSeconds = 0): Promise<{ id: string; tenantId: string }[]> {
	return repo.pendingReports(db(), limit, olderThanSeconds);
}

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin') throw new Forbidden('admin_only', 'Only a store administrator can read problem reports.');
}

/** The admin's own tenant's report groups. */
export async function listReportGroups(actor: Actor, limit = 200): Promise<repo.ReportGroupRow[]> {
	requireAdmin(actor);
	return withTenant(actor.tenantId, (tx) => repo.listGroups(tx, { limit }));
}

/** One group of the admin's tenant with its most recent reports in full. */
export async function getReportGroup(actor: Actor, groupId: string, samples = 20): Promise<{ group: repo.ReportGroupRow; reports: repo.StoredReport[] }> {
	requireAdmin(actor);
	const notFound = new NotFound('report_group_not_found', 'That problem group does not exist or has been deleted.');
	if (!isUuid(groupId)) throw notFound;
	return withTenant(actor.tenantId, async (tx) => {
		const group = await repo.findGroup(tx, groupId);
		if (!group) throw notFound;
		return { group, reports: await repo.sampleReports(tx, groupId, samples) };
	});
}

/** Mark a group of the admin's tenant resolved (as of the newest app version seen) or open again. */
export async function setReportGroupStatus(actor: Actor, groupId: unknown, status: unknown): Promise<void> {
	requireAdmin(actor);
	if (!isUuid(groupId)) throw new NotFound('report_group_not_found', 'That problem group does not exist or has been deleted.');
	if (status !== 'open' && status !== 'resolved') throw new Invalid('bad_status', 'Choose open or resolved.');
	await withTenant(actor.tenantId, async (tx) => {
		const current = await repo.groupStatus(tx, groupId);
		if (!current) throw new NotFound('report_group_not_found', 'That problem group does not exist or has been deleted.');
		if (status === 'resolved') {
			const newest = (await repo.groupVersions(tx, groupId)).reduce<string | null>((best, v) => (newerVersion(v, best) ? v : best), null);
			await repo.markGroupResolved(tx, groupId, actor.accountId, newest);
		} else await repo.markGroupOpen(tx, groupId);
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: status === 'resolved' ? 'reports.group_resolved' : 'reports.group_reopened',
			targetType: 'report_group',
			targetId: groupId,
			ip: actor.ip ?? null
		});
	});
}
