/** The handler for each job name. The type makes a missing handler a compile error. */
import type { Handlers, JobQueue } from '../queue.server.ts';
import { processReportJob, sweepReportsJob } from './reports.ts';
import { purgeExpired } from './retention.ts';

export function handlers(queue: JobQueue): Handlers {
	return {
		'reports.process': (p) => processReportJob(p),
		'reports.sweep': () => sweepReportsJob(queue),
		'retention.purge': () => purgeExpired()
	};
}
