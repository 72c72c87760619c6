/**
 * Background jobs on BullMQ 6. PostgreSQL is the default backend (schema `bullmq`
 * in the product database, created by the owner role in `npm run migrate`), so a
 * single machine needs no Redis; Redis is used when REDIS_URL is set.
 *
 * One queue carries every job; the job name says what to do. Payloads carry ids,
 * never secrets, and each job gets a deterministic jobId so a repeat is dropped.
 */
import { createPostgresBackend, createRedisBackend, withBackend, type Job, type JobsOptions, type Queue, type Worker } from 'bullmq';
import { config } from '../config.server.ts';
import { metrics } from '../metrics.ts';

/** Every job the worker knows. Adding one here (and a handler) is how a job enters the system. */
export interface JobPayloads {
	/** Fingerprint and group one stored crash report. */
	'reports.process': { tenantId: string; reportId: string };
	/** Find stored reports that have no processing job yet (the upload path only inserts). */
	'reports.sweep': Record<string, never>;
	/** Delete records past their retention period (platform/jobs/handlers/retention.ts). */
	'retention.purge': Record<string, never>;
	/** Ring timeouts, the queue, presence lapses and calls whose party is gone (every second). */
	'calls.sweep': Record<string, never>;
	/** Remote disable: remove an account from an ended call's LiveKit room, retried until LiveKit answers. */
	'calls.remove-participant': { tenantId: string; callId: string; accountId: string };
}
export type JobName = keyof JobPayloads;
export const JOB_NAMES: readonly JobName[] = ['reports.process', 'reports.sweep', 'retention.purge', 'calls.sweep', 'calls.remove-participant'];

export type JobBackend = { kind: 'postgres'; url: string } | { kind: 'redis'; url: string };
export type JobQueue = Queue;
export type JobWorker = Worker;
export type AnyJob = Job;

/** The backend the apps and worker use: Redis when REDIS_URL is set, else PostgreSQL as the app role. */
export function defaultBackend(): JobBackend {
	const c = config();
	return c.redisUrl ? { kind: 'redis', url: c.redisUrl } : { kind: 'postgres', url: c.databaseUrl };
}

/** ioredis options from a redis:// URL (BullMQ needs maxRetriesPerRequest: null on workers). */
function redisOptions(url: string) {
	const u = new URL(url);
	return {
		host: u.hostname,
		port: Number(u.port || 6379),
		db: Number(u.pathname.slice(1) || 0),
		username: u.username ? decodeURIComponent(u.username) : undefined,
		password: u.password ? decodeURIComponent(u.password) : undefined,
		tls: u.protocol === 'rediss:' ? {} : undefined,
		maxRetriesPerRequest: null
	};
}

const pg = () => withBackend(createPostgresBackend);
const redis = () => withBackend(createRedisBackend);

export interface QueueOptions {
	backend?: JobBackend;
	/** Queue name (tests use their own). Defaults to config().jobs.queue. */
	name?: string;
}

const defaultJobOptions: JobsOptions = {
	attempts: 5,
	backoff: { type: 'exponential', delay: 2_000 },
	removeOnComplete: { count: 1_000, age: 24 * 3600 },
	removeOnFail: { count: 5_000, age: 30 * 24 * 3600 }
};

/** Open a queue to add jobs. The caller closes it (queue.close()). */
export function openQueue(opts: QueueOptions = {}): JobQueue {
	const backend = opts.backend ?? defaultBackend();
	const name = opts.name ?? config().jobs.queue;
	if (backend.kind === 'postgres') {
		return new (pg().Queue)(name, { connection: { connectionString: backend.url, max: 4 }, defaultJobOptions }) as unknown as JobQueue;
	}
	return new (redis().Queue)(name, { connection: redisOptions(backend.url), defaultJobOptions }) as unknown as JobQueue;
}

let shared: JobQueue | null = null;

/** One queue per process for code that adds jobs from a request (closed at exit with the process). */
export function sharedQueue(): JobQueue {
	shared ??= openQueue();
	return shared;
}

export async function closeSharedQueue(): Promise<void> {
	const q = shared;
	shared = null;
	await q?.close();
}

/** The deterministic id of a job: its name and the ids in its payload. */
export function jobIdFor<N extends JobName>(name: N, payload: JobPayloads[N]): string {
	const parts = Object.keys(payload)
		.sort()
		.map((k) => String((payload as Record<string, unknown>)[k]));
	return [name, ...parts].join('-');
}

/** Add one job with its deterministic id; adding the same job twice keeps one. */
export async function enqueue<N extends JobName>(queue: JobQueue, name: N, payload: JobPayloads[N], opts: JobsOptions = {}): Promise<void> {
	await queue.add(name, payload, { jobId: jobIdFor(name, payload), ...opts });
}

/**
 * Add many jobs of one name, 50 at a time. Not queue.addBulk: on PostgreSQL its
 * add_jobs_bulk() creates a per-queue sequence on first use, which would need
 * CREATE on the bullmq schema, a privilege the app role deliberately lacks.
 */
export async function enqueueMany<N extends JobName>(queue: JobQueue, name: N, payloads: JobPayloads[N][]): Promise<void> {
	for (let i = 0; i < payloads.length; i += 50) await Promise.all(payloads.slice(i, i + 50).map((p) => enqueue(queue, name, p)));
}

export type Handler<N extends JobName> = (payload: JobPayloads[N], job: AnyJob) => Promise<unknown>;
export type Handlers = { [N in JobName]: Handler<N> };

export interface WorkerOptions extends QueueOptions {
	concurrency?: number;
	lockMs?: number;
	log?: (line: Record<string, unknown>) => void;
}

/**
 * Start a worker that dispatches each job to its handler by name. A job whose
 * worker dies is retried once its lock lapses (BullMQ's stalled-job check);
 * a handler that throws is retried with backoff up to `attempts`.
 */
export function startWorker(handlers: Handlers, opts: WorkerOptions = {}): JobWorker {
	const backend = opts.backend ?? defaultBackend();
	const name = opts.name ?? config().jobs.queue;
	const lockDuration = opts.lockMs ?? config().jobs.lockMs;
	const log = opts.log ?? ((line) => console.log(JSON.stringify(line)));
	const processor = async (job: AnyJob) => {
		const handler = handlers[job.name as JobName] as Handler<JobName> | undefined;
		if (!handler) throw new Error(`no handler for job "${job.name}"`);
		return handler(job.data as never, job);
	};
	const common = {
		concurrency: opts.concurrency ?? config().jobs.concurrency,
		lockDuration,
		stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
		maxStalledCount: 2
	};
	const worker = (backend.kind === 'postgres'
		? new (pg().Worker)(name, processor, { ...common, connection: { connectionString: backend.url, max: common.concurrency + 2 } })
		: new (redis().Worker)(name, processor, { ...common, connection: redisOptions(backend.url) })) as unknown as JobWorker;
	worker.on('error', (e) => log({ level: 'error', msg: 'worker error', backend: backend.kind, error: e instanceof Error ? e.message : String(e) }));
	worker.on('failed', (job, e) => {
		metrics.jobFailed(job?.name ?? 'unknown', !job || job.attemptsMade >= (job.opts.attempts ?? 1));
		log({ level: 'warn', msg: 'job failed', job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, error: e instanceof Error ? e.message : String(e) });
	});
	worker.on('completed', (job) => metrics.jobCompleted(job.name));
	worker.on('stalled', (jobId) => {
		metrics.jobStalled();
		log({ level: 'warn', msg: 'job stalled; will run again', jobId });
	});
	return worker;
}
