/** Crash-report jobs: the sweep, which processes stored reports, and single-report processing. */
import { pendingReports, processReport } from '../../reports/reports.ts';
import { logError } from '../../log.ts';

export async function processReportJob(payload: { tenantId: string; reportId: string }): Promise<string> {
	return processReport(payload.tenantId, payload.reportId);
}

/**
 * Process every stored report not yet processed, each in its own short
 * transaction. Not one queued job per report: on the PostgreSQL backend each job
 * costs more than the processing itself, and a burst of uploads would queue
 * thousands. Crash-safe all the same: processing is idempotent (a report is
 * locked and marked in one transaction), so whatever a killed sweep did not
 * finish is still pending for the next sweep, two seconds later.
 */
export async function sweepReportsJob(): Promise<number> {
	let total = 0;
	let failed = 0;
	for (let round = 0; round < 20; round++) {
		const pending = await pendingReports(500);
		const failedBefore = failed;
		for (let i = 0; i < pending.length; i += 8) {
			const slice = pending.slice(i, i + 8);
			const results = await Promise.allSettled(slice.map((p) => processReport(p.tenantId, p.id)));
			// One report that cannot be processed must not hold up the others; it stays pending and is logged each time.
			results.forEach((r, j) => {
				if (r.status === 'rejected') {
					failed++;
					logError('reports', 'processing a report failed; left pending', r.reason, { reportId: slice[j]!.id, tenantId: slice[j]!.tenantId });
				}
			});
		}
		total += pending.length;
		// Only failures left (or a short page): stop, rather than read the same ones again.
		if (pending.length < 500 || failed - failedBefore === pending.length) break;
	}
	return total - failed;
}
