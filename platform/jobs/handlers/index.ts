/** The handler for each job name. The type makes a missing handler a compile error. */
import type { Handlers } from '../queue.server.ts';
import { processReportJob, sweepReportsJob } from './reports.ts';
import { purgeExpired } from './retention.ts';
import { expireRingingCalls, removeFromCallRoom } from '../../calls/calls.ts';

export function handlers(): Handlers {
	return {
		'reports.process': (p) => processReportJob(p),
		'reports.sweep': () => sweepReportsJob(),
		'retention.purge': () => purgeExpired(),
		'calls.expire-ringing': () => expireRingingCalls(new Date()),
		'calls.remove-participant': (p) => removeFromCallRoom(p.tenantId, p.callId, p.accountId)
	};
}
