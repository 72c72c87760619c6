/** Crash-report jobs: the sweep that enqueues processing, and the processing itself. */
import { pendingReports, processReport } from '../../reports/reports.ts';
import { enqueueMany, type JobQueue } from '../queue.server.ts';

export async function processReportJob(payload: { tenantId: string; reportId: string }): Promise<string> {
	return processReport(payload.tenantId, payload.reportId);
}

/**
 * Enqueue a processing job for every stored report not yet processed. The job id
 * is the report id, so a report already queued (or running) is not queued twice.
 */
export async function sweepReportsJob(queue: JobQueue): Promise<number> {
	let total = 0;
	for (let round = 0; round < 20; round++) {
		const pending = await pendingReports(1000);
		await enqueueMany(queue, 'reports.process', pending.map((p) => ({ tenantId: p.tenantId, reportId: p.id })));
		total += pending.length;
		if (pending.length < 1000) break;
	}
	return total;
}
