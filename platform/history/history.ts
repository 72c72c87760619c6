/**
 * Call history, missed calls and the dashboard (issue 11, item 5), for tenant admins.
 * One row per call: kiosk, concierge, rang at, waited, answered, duration, outcome,
 * shares, end reason. Dates in filters are days in the tenant's time zone.
 */
import { withTenant } from '../db.server.ts';
import { Forbidden, Invalid } from '../errors.ts';
import { csvStream } from '../audit/csv.ts';
import type { Actor } from '../types.ts';
import { dashboardFigures, listCalls, type CallHistoryRow, type HistoryFilter, type Outcome } from './history.repo.ts';

export type { CallHistoryRow, HistoryFilter };

const OUTCOMES: readonly Outcome[] = ['answered', 'missed', 'cancelled', 'live'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (d: string) => DATE.test(d) && !Number.isNaN(Date.parse(d + 'T00:00:00Z')) && new Date(d + 'T00:00:00Z').toISOString().startsWith(d);
const LOGIN = /^[a-z0-9._@-]{1,64}$/;

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin') throw new Forbidden('admin_only', 'Only administrators can read the call history.');
}

export interface HistoryQuery extends HistoryFilter {
	before: { at: Date; id: string } | null;
}

/** Filters from a query string; a clear 400 for anything malformed. */
export function parseHistoryFilter(q: URLSearchParams): HistoryQuery {
	const from = q.get('from') || null;
	const to = q.get('to') || null;
	for (const d of [from, to]) if (d !== null && !validDate(d)) throw new Invalid('bad_date', 'Dates are written YYYY-MM-DD.');
	if (from && to && from > to) throw new Invalid('bad_date', 'The start date is after the end date.');
	const login = (name: string) => {
		const v = (q.get(name) ?? '').trim().toLowerCase() || null;
		if (v !== null && !LOGIN.test(v)) throw new Invalid('bad_' + name, 'Enter a login ID (letters, digits, . _ @ -).');
		return v;
	};
	const outcome = q.get('outcome') || null;
	if (outcome !== null && !(OUTCOMES as readonly string[]).includes(outcome)) throw new Invalid('bad_outcome', 'Choose answered, missed, cancelled or live.');
	let before: HistoryQuery['before'] = null;
	const b = q.get('before');
	if (b !== null) {
		const m = /^(\d{13})_([0-9a-f-]{36})$/.exec(b);
		if (!m) throw new Invalid('bad_page', 'That page does not exist.');
		before = { at: new Date(Number(m[1])), id: m[2]! };
	}
	return { from, to, kioskLoginId: login('kiosk'), conciergeLoginId: login('concierge'), outcome: outcome as Outcome | null, before };
}

export const HISTORY_PAGE = 50;

export async function callHistory(actor: Actor, q: HistoryQuery): Promise<{ calls: CallHistoryRow[]; next: string | null }> {
	requireAdmin(actor);
	const rows = await withTenant(actor.tenantId, (tx) => listCalls(tx, actor.tenantId, q, HISTORY_PAGE + 1, q.before));
	const page = rows.slice(0, HISTORY_PAGE);
	const last = page[page.length - 1];
	return { calls: page, next: rows.length > HISTORY_PAGE && last ? `${String(last.rangAt.getTime()).padStart(13, '0')}_${last.id}` : null };
}

/** Missed calls, newest first (the call-back list). */
export function missedCalls(actor: Actor, q: HistoryQuery): Promise<{ calls: CallHistoryRow[]; next: string | null }> {
	return callHistory(actor, { ...q, outcome: 'missed' });
}

const round = (n: number | null) => (n === null ? '' : Math.round(n));

/** The filtered history as a streamed CSV. */
export function historyCsv(actor: Actor, f: HistoryFilter): ReadableStream<Uint8Array> {
	requireAdmin(actor);
	type Cursor = { at: Date; id: string } | null;
	return csvStream(
		['call id', 'kiosk', 'concierge', 'rang at (UTC)', 'waited (s)', 'answered at (UTC)', 'duration (s)', 'outcome', 'shares', 'end reason'],
		null as Cursor,
		async (before) => {
			const rows = await withTenant(actor.tenantId, (tx) => listCalls(tx, actor.tenantId, f, 1000, before));
			const last = rows[rows.length - 1];
			return {
				rows: rows.map((c) => [
					c.id,
					c.kiosk,
					c.concierge ?? '',
					c.rangAt,
					round(c.waitedSeconds),
					c.answeredAt ?? '',
					round(c.durationSeconds),
					c.outcome,
					c.shares,
					c.endReason ?? ''
				]),
				cursor: rows.length === 1000 && last ? { at: last.rangAt, id: last.id } : null
			};
		}
	);
}

export interface Dashboard extends Awaited<ReturnType<typeof dashboardFigures>> {
	/** Answered / (answered + missed); calls the kiosk cancelled are left out. Null with no such calls. */
	answerRate: number | null;
}

export async function dashboard(actor: Actor, f: HistoryFilter): Promise<Dashboard> {
	requireAdmin(actor);
	const d = await withTenant(actor.tenantId, (tx) => dashboardFigures(tx, actor.tenantId, f));
	const decided = d.totals.answered + d.totals.missed;
	return { ...d, answerRate: decided ? d.totals.answered / decided : null };
}
