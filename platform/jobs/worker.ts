/**
 * The worker process: `npm run worker`. Processes every job for every tenant
 * (handlers work inside withTenant(payload.tenantId)), and keeps the repeatable
 * jobs scheduled. SIGTERM/SIGINT let running jobs finish, then close.
 *
 * With WORKER_HEALTH_PORT set it serves /healthz, /readyz (PostgreSQL, LiveKit,
 * the job backend) and /metrics (METRICS_TOKEN) on WORKER_HEALTH_HOST (default
 * 127.0.0.1), see platform/health.ts. A bad or missing variable, or a development
 * secret in production, stops it at start with a message naming the variable.
 */
import type { Server } from 'node:http';
import { closeDb } from '../db.server.ts';
import { ConfigError, config } from '../config.server.ts';
import { defaultBackend, openQueue, startWorker } from './queue.server.ts';
import { handlers } from './handlers/index.ts';
import { databaseCheck, livekitReachable, startHealthServer } from '../health.ts';
import { collectSharedState } from '../metrics.ts';
import { conciergeCounts } from '../calls/index.ts';

const log = (line: Record<string, unknown>) => console.log(JSON.stringify({ at: new Date().toISOString(), ...line }));

try {
	config();
} catch (e) {
	if (!(e instanceof ConfigError)) throw e;
	console.error(`Refusing to start. ${e.message}`);
	process.exit(78);
}

const backend = defaultBackend();
const queue = openQueue();
const worker = startWorker(handlers(), { log });

// Signals are handled from the start: a SIGTERM that arrives while the worker is still
// starting up closes it cleanly too.
let health: Server | null = null;
let closing = false;
async function shutdown(signal: string): Promise<void> {
	if (closing) return;
	closing = true;
	log({ level: 'info', msg: 'worker closing', signal });
	const force = setTimeout(() => process.exit(1), 30_000);
	force.unref();
	health?.close();
	await worker.close();
	await queue.close();
	await closeDb();
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

// Repeatable jobs (BullMQ 6: job schedulers; upsert is idempotent across restarts).
await queue.upsertJobScheduler('reports.sweep', { every: 2_000 }, { name: 'reports.sweep', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
// Ring timeouts, the queue, presence lapses, party-gone and maximum-duration ends (platform/calls/forced-end.ts).
await queue.upsertJobScheduler('calls.sweep', { every: 1_000 }, { name: 'calls.sweep', data: {}, opts: { removeOnComplete: true, removeOnFail: 100, attempts: 1 } });
// Replaced by calls.sweep; a scheduler left by an older release would keep adding unknown jobs.
await queue.removeJobScheduler('calls.expire-ringing');
await queue.upsertJobScheduler(
	'retention.purge',
	{ pattern: '17 3 * * *' },
	{ name: 'retention.purge', data: {}, opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } } }
);
// Catch up at once with reports stored while no worker ran.
await queue.add('reports.sweep', {}, { jobId: `reports.sweep-start-${Date.now()}`, removeOnComplete: true, removeOnFail: 100 });

await worker.waitUntilReady();

const JOB_STATUSES = ['waiting', 'delayed', 'active', 'failed'] as const;
collectSharedState({
	concierges: conciergeCounts,
	jobs: async () => {
		const counts = await queue.getJobCounts(...JOB_STATUSES);
		return Object.fromEntries(JOB_STATUSES.map((s) => [s, Number(counts[s] ?? 0)]));
	}
});
const { host, port } = config().workerHealth;
health = port
	? await startHealthServer({
			host,
			port,
			processName: 'worker',
			checks: {
				database: databaseCheck,
				livekit: livekitReachable,
				jobs: async () => {
					await queue.getJobCounts('waiting');
				}
			}
		})
	: null;
log({
	level: 'info',
	msg: 'worker ready',
	backend: backend.kind,
	queue: config().jobs.queue,
	concurrency: config().jobs.concurrency,
	health: health ? `http://${host}:${port}` : null
});
