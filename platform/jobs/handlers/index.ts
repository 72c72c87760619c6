/** The handler for each job name. The type makes a missing handler a compile error. */
import type { Handlers } from '../queue.server.ts';
import { processReportJob, sweepReportsJob } from './reports.ts';
import { purgeExpired } from './retention.ts';
import { removeFromCallRoom, sweepCalls } from '../../calls/index.ts';

export function handlers(): Handlers {
	return {
		'reports.process': (p) => processReportJob(p),
		'reports.sweep': () => sweepReportsJob(),
		'retention.purge': () => purgeExpired(),
		'calls.sweep': () => sweepCalls(new Date()),
		'calls.remove-participant': (p) => removeFromCallRoom(p.tenantId, p.callId, p.accountId)
	};
}
