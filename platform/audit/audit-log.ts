import { withTenant } from '../db.server.ts';
import { Forbidden, Invalid } from '../errors.ts';
import type { Actor } from '../types.ts';
import { listAudit, searchAudit, type AuditFilter, type AuditListRow, type AuditRow } from './audit.repo.ts';
import { csvStream } from './csv.ts';
import { describeAudit } from './describe.ts';

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin' && actor.role !== 'operator') throw new Forbidden('admin_only', 'Only administrators can read the audit log.');
}

/** The tenant's audit log, newest first (admins and operators). */
export async function readAuditLog(actor: Actor, limit = 100): Promise<AuditRow[]> {
	requireAdmin(actor);
	return withTenant(actor.tenantId, (tx) => listAudit(tx, Math.min(Math.max(1, limit), 500)));
}

export const AUDIT_KINDS = ['signin', 'account', 'session', 'enrolment', 'tenant', 'call', 'presence', 'operator'] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (d: string) => DATE.test(d) && !Number.isNaN(Date.parse(d + 'T00:00:00Z')) && new Date(d + 'T00:00:00Z').toISOString().startsWith(d);

/** Filters from a query string, checked: a clear 400 for anything malformed. */
export function parseAuditFilter(q: URLSearchParams): AuditFilter & { before: number | null } {
	const kind = q.get('kind') || null;
	if (kind !== null && !(AUDIT_KINDS as readonly string[]).includes(kind)) throw new Invalid('bad_kind', `Unknown kind of entry "${kind.slice(0, 40)}".`);
	const login = (q.get('account') ?? '').trim().toLowerCase() || null;
	if (login !== null && !/^[a-z0-9._@-]{1,64}$/.test(login)) throw new Invalid('bad_account', 'Enter a login ID (letters, digits, . _ @ -).');
	const from = q.get('from') || null;
	const to = q.get('to') || null;
	for (const d of [from, to]) if (d !== null && !validDate(d)) throw new Invalid('bad_date', 'Dates are written YYYY-MM-DD.');
	if (from && to && from > to) throw new Invalid('bad_date', 'The start date is after the end date.');
	const before = q.get('before');
	if (before !== null && !/^\d{1,15}$/.test(before)) throw new Invalid('bad_page', 'That page does not exist.');
	return { kind, loginId: login, from, to, before: before === null ? null : Number(before) };
}

export interface AuditEntryView {
	id: number;
	at: Date;
	who: string;
	what: string;
	whom: string;
	from: string;
	action: string;
}

function view(r: AuditListRow): AuditEntryView {
	const d = describeAudit(r);
	return { id: r.id, at: r.at, who: d.who, what: d.what, whom: d.whom, from: r.ip ?? '', action: r.action };
}

export const AUDIT_PAGE = 50;

/** One page of human-readable entries and the cursor of the next (older) page. */
export async function auditPage(actor: Actor, f: AuditFilter, before: number | null): Promise<{ entries: AuditEntryView[]; nextBefore: number | null }> {
	requireAdmin(actor);
	const rows = await withTenant(actor.tenantId, (tx) => searchAudit(tx, f, AUDIT_PAGE + 1, before));
	const more = rows.length > AUDIT_PAGE;
	const page = rows.slice(0, AUDIT_PAGE);
	return { entries: page.map(view), nextBefore: more ? page[page.length - 1]!.id : null };
}

/** The audit log page (tenant admins' and the platform operators'): the filter read from the query, one page of entries, the kinds to filter by. */
export async function auditPageView(actor: Actor, q: URLSearchParams) {
	const f = parseAuditFilter(q);
	const page = await auditPage(actor, f, f.before);
	return { ...page, filter: { kind: f.kind ?? '', account: f.loginId ?? '', from: f.from ?? '', to: f.to ?? '' }, kinds: AUDIT_KINDS };
}
export type AuditPageView = Awaited<ReturnType<typeof auditPageView>>;

/** The filtered log as a streamed CSV (fetched 1000 rows at a time, each in its own short transaction). */
export function auditCsv(actor: Actor, f: AuditFilter): ReadableStream<Uint8Array> {
	requireAdmin(actor);
	return csvStream(['time (UTC)', 'who', 'what', 'whom', 'from (IP)', 'action', 'id'], null as number | null, async (before) => {
		const rows = await withTenant(actor.tenantId, (tx) => searchAudit(tx, f, 1000, before));
		return {
			rows: rows.map((r) => {
				const v = view(r);
				return [v.at, v.who, v.what, v.whom, v.from, v.action, v.id];
			}),
			cursor: rows.length === 1000 ? rows[rows.length - 1]!.id : null
		};
	});
}
