/**
 * Group commit for report uploads. Each upload still gets its answer only after
 * its report is committed, but uploads that finish in the same turn of the event
 * loop share one transaction and one multi-row INSERT per tenant. Under a burst
 * (every kiosk flushing its offline outbox at once) that turns several database
 * round trips per report into a fraction of one.
 */
import { withTenant } from '../db.server.ts';
import type { ReportInput } from './report-input.ts';
import { insertReports } from './reports.repo.ts';
import { metrics } from '../metrics.ts';

interface Waiting {
	tenantId: string;
	kioskAccountId: string;
	id: string;
	json: string;
	resolve: (inserted: boolean) => void;
	reject: (e: unknown) => void;
}

/** A batch is flushed at once past either bound, else at the end of the current turn. */
const MAX_REPORTS = 200;
const MAX_BYTES = 4 * 1024 * 1024;

let waiting: Waiting[] = [];
let bytes = 0;
let scheduled = false;

/**
 * Store one (validated, redacted) report for an enabled kiosk of the tenant.
 * Resolves true when inserted now, false when not inserted (its id was stored
 * before, or the kiosk is no longer an enabled kiosk).
 */
export function storeReport(tenantId: string, kioskAccountId: string, report: ReportInput): Promise<boolean> {
	return new Promise((resolve, reject) => {
		const json = JSON.stringify(report);
		waiting.push({ tenantId, kioskAccountId, id: report.id, json, resolve, reject });
		bytes += json.length;
		if (waiting.length >= MAX_REPORTS || bytes >= MAX_BYTES) flush();
		else if (!scheduled) {
			scheduled = true;
			setImmediate(flush);
		}
	});
}

function flush(): void {
	scheduled = false;
	const batch = waiting;
	waiting = [];
	bytes = 0;
	if (!batch.length) return;
	const byTenant = new Map<string, Waiting[]>();
	for (const w of batch) {
		const list = byTenant.get(w.tenantId);
		if (list) list.push(w);
		else byTenant.set(w.tenantId, [w]);
	}
	for (const [tenantId, items] of byTenant) void commit(tenantId, items);
}

async function commit(tenantId: string, items: Waiting[]): Promise<void> {
	try {
		const inserted = await withTenant(tenantId, (tx) => insertReports(tx, tenantId, items));
		const seen = new Set<string>();
		for (const w of items) {
			// A repeated id inside one batch is inserted once; the later copies are duplicates.
			const first = inserted.has(w.id) && !seen.has(w.id);
			seen.add(w.id);
			metrics.reportIngested(first ? 'stored' : 'duplicate');
			w.resolve(first);
		}
	} catch (e) {
		metrics.reportIngested('error', items.length);
		for (const w of items) w.reject(e);
	}
}
