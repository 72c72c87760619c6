/** SQL for crash reports and their groups. Every function runs inside withTenant(). */
import type { Sql } from '../db.server.ts';
import { toReportView, type ReportView } from './report-view.ts';

/**
 * Insert many reports of one tenant in one statement (the group commit of
 * platform/reports/ingest.ts). Each row goes in only if its kiosk is still an
 * enabled kiosk; an id already stored for this tenant is skipped (ids are unique per tenant). Returns the ids inserted.
 */
export async function insertReports(tx: Sql, tenantId: string, items: { kioskAccountId: string; json: string }[]): Promise<Set<string>> {
	const payload = '[' + items.map((i) => `{"kiosk":${JSON.stringify(i.kioskAccountId)},"r":${i.json}}`).join(',') + ']';
	const rows = await tx<{ id: string }[]>`
		insert into crash_reports (id, tenant_id, kiosk_account_id, kind, message, app_version, occurred_at, body)
		select (e->'r'->>'id')::uuid, ${tenantId}, (e->>'kiosk')::uuid, e->'r'->>'kind', e->'r'->>'message',
		       e->'r'->>'appVersion', (e->'r'->>'occurredAt')::timestamptz, e->'r'
		from jsonb_array_elements(${payload}::text::jsonb) as e
		where exists (select 1 from accounts a where a.id = (e->>'kiosk')::uuid and a.role = 'kiosk' and a.disabled_at is null)
		on conflict (tenant_id, id) do nothing
		returning id`;
	return new Set(rows.map((r) => r.id));
}

export async function isEnabledKiosk(tx: Sql, accountId: string): Promise<boolean> {
	const rows = await tx`select 1 from accounts where id = ${accountId} and role = 'kiosk' and disabled_at is null`;
	return rows.length === 1;
}

export interface PendingReport {
	id: string;
	kind: string;
	message: string;
	stack: string | null;
	occurredAt: Date;
	appVersion: string | null;
}

/** The report if not yet processed, locked so two workers never group it twice. */
export async function lockPendingReport(tx: Sql, tenantId: string, id: string): Promise<PendingReport | null> {
	const [row] = await tx<PendingReport[]>`
		select id, kind, message, body->>'stack' as stack, occurred_at as "occurredAt", app_version as "appVersion"
		from crash_reports where tenant_id = ${tenantId} and id = ${id} and processed_at is null for update`;
	return row ?? null;
}

export async function upsertGroup(tx: Sql, tenantId: string, g: { fingerprint: string; kind: string; title: string; seenAt: Date }): Promise<string> {
	const [row] = await tx<{ id: string }[]>`
		insert into report_groups (tenant_id, fingerprint, kind, title, first_seen, last_seen, report_count)
		values (${tenantId}, ${g.fingerprint}, ${g.kind}, ${g.title}, ${g.seenAt}, ${g.seenAt}, 1)
		on conflict (tenant_id, fingerprint) do update
		  set report_count = report_groups.report_count + 1,
		      first_seen = least(report_groups.first_seen, excluded.first_seen),
		      last_seen = greatest(report_groups.last_seen, excluded.last_seen)
		returning id`;
	return row!.id;
}

export async function markProcessed(tx: Sql, tenantId: string, id: string, fingerprint: string, groupId: string): Promise<void> {
	await tx`update crash_reports set processed_at = now(), fingerprint = ${fingerprint}, group_id = ${groupId} where tenant_id = ${tenantId} and id = ${id}`;
}

export interface ReportGroupRow {
	id: string;
	tenantId: string;
	kind: string;
	title: string;
	firstSeen: Date;
	lastSeen: Date;
	count: number;
	kiosks: number;
	appVersions: string[];
	status: 'open' | 'resolved';
	resolvedAt: Date | null;
	resolvedVersion: string | null;
}

export async function groupStatus(tx: Sql, id: string): Promise<{ status: 'open' | 'resolved'; resolvedVersion: string | null } | null> {
	const [row] = await tx<{ status: 'open' | 'resolved'; resolvedVersion: string | null }[]>`
		select status, resolved_version as "resolvedVersion" from report_groups where id = ${id} for update`;
	return row ?? null;
}

/** Resolve, remembering the newest app version among the group's reports (chosen by the caller). */
export async function markGroupResolved(tx: Sql, id: string, by: string, version: string | null): Promise<void> {
	await tx`update report_groups set status = 'resolved', resolved_at = now(), resolved_by = ${by}, resolved_version = ${version} where id = ${id}`;
}

export async function groupVersions(tx: Sql, id: string): Promise<string[]> {
	const rows = await tx<{ v: string }[]>`select distinct app_version as v from crash_reports where group_id = ${id} and app_version is not null`;
	return rows.map((r) => r.v);
}

export async function markGroupOpen(tx: Sql, id: string): Promise<void> {
	await tx`update report_groups set status = 'open', resolved_at = null, resolved_by = null, resolved_version = null where id = ${id}`;
}

/** Groups with their counts, affected kiosks and app versions, most recent first. */
export async function listGroups(sql: Sql, opts: { tenantId?: string; limit: number }): Promise<ReportGroupRow[]> {
	return sql<ReportGroupRow[]>`
		select g.id, g.tenant_id as "tenantId", g.kind, g.title, g.first_seen as "firstSeen", g.last_seen as "lastSeen",
		       g.report_count as count,
		       (select count(distinct r.kiosk_account_id)::int from crash_reports r where r.group_id = g.id) as kiosks,
		       coalesce((select array_agg(distinct r.app_version order by r.app_version) from crash_reports r where r.group_id = g.id), '{}') as "appVersions",
		       g.status, g.resolved_at as "resolvedAt", g.resolved_version as "resolvedVersion"
		from report_groups g
		${opts.tenantId ? sql`where g.tenant_id = ${opts.tenantId}` : sql``}
		order by g.last_seen desc limit ${opts.limit}`;
}

export async function findGroup(sql: Sql, id: string): Promise<ReportGroupRow | null> {
	const [row] = await sql<ReportGroupRow[]>`
		select g.id, g.tenant_id as "tenantId", g.kind, g.title, g.first_seen as "firstSeen", g.last_seen as "lastSeen",
		       g.report_count as count,
		       (select count(distinct r.kiosk_account_id)::int from crash_reports r where r.group_id = g.id) as kiosks,
		       coalesce((select array_agg(distinct r.app_version order by r.app_version) from crash_reports r where r.group_id = g.id), '{}') as "appVersions",
		       g.status, g.resolved_at as "resolvedAt", g.resolved_version as "resolvedVersion"
		from report_groups g where g.id = ${id}`;
	return row ?? null;
}

export interface StoredReport {
	id: string;
	kioskLoginId: string | null;
	kind: string;
	receivedAt: Date;
	/** Plain strings only (see report-view.ts): safe to hand to a page whatever the stored body holds. */
	body: ReportView;
}

/** A group's most recent reports, in full. */
export async function sampleReports(sql: Sql, groupId: string, limit: number): Promise<StoredReport[]> {
	const rows = await sql<(Omit<StoredReport, 'body'> & { body: unknown })[]>`
		select r.id, a.login_id as "kioskLoginId", r.kind, r.received_at as "receivedAt", r.body
		from crash_reports r left join accounts a on a.id = r.kiosk_account_id
		where r.group_id = ${groupId} order by r.received_at desc limit ${limit}`;
	return rows.map((r) => ({ id: r.id, kioskLoginId: r.kioskLoginId, kind: r.kind, receivedAt: r.receivedAt, body: toReportView(r.body) }));
}

/** Reports stored but not yet processed, across tenants (ids only, through the reports_pending() definer function). */
export async function pendingReports(sql: Sql, limit: number, olderThanSeconds: number): Promise<{ id: string; tenantId: string }[]> {
	return sql<{ id: string; tenantId: string }[]>`select id, tenant_id as "tenantId" from reports_pending(${limit}, ${olderThanSeconds + ' seconds'}::interval)`;
}
