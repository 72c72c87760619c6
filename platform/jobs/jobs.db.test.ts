/**
 * Background jobs on both backends (PostgreSQL, the default, and Redis), with a
 * real worker process killed in the middle of a job.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { enqueue, jobIdFor, openQueue, startWorker, type JobBackend, type JobQueue } from './queue.server.ts';
import { handlers } from './handlers/index.ts';
import { submitReport } from '../reports/reports.ts';
import { parseReport } from '../reports/report-input.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { onTestRunEnd } from '../testing/closers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const backends: JobBackend[] = [
	{ kind: 'postgres', url: process.env.DATABASE_URL! },
	{ kind: 'redis', url: process.env.REDIS_TEST_URL! }
];

const children = new Set<ChildProcess>();
onTestRunEnd(() => {
	for (const c of children) c.kill('SIGKILL');
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function storedReport(message = 'kill test ' + randomUUID()) {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const input = parseReport({ id: randomUUID(), kind: 'error', message, appVersion: 'test', userAgent: 'uvu', occurredAt: new Date().toISOString(), logs: [] });
	await submitReport(k.actor, input);
	return { tenantId: t.id, reportId: input.id };
}

async function processedAt(reportId: string): Promise<Date | null> {
	const [r] = await ownerDb()<{ processedAt: Date | null }[]>`select processed_at as "processedAt" from crash_reports where id = ${reportId}`;
	return r?.processedAt ?? null;
}

function spawnWorker(backend: JobBackend, queueName: string): ChildProcess {
	const env: NodeJS.ProcessEnv = { ...process.env, JOBS_QUEUE: queueName, JOBS_LOCK_MS: '2000', JOBS_CONCURRENCY: '2', WORKER_HEALTH_PORT: '0' };
	delete env.REDIS_URL;
	if (backend.kind === 'redis') env.REDIS_URL = backend.url;
	const child = spawn(process.execPath, ['--import', 'tsx', root + 'platform/jobs/worker.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	child.on('exit', () => children.delete(child));
	const out: string[] = [];
	child.stdout!.on('data', (d) => out.push(String(d)));
	child.stderr!.on('data', (d) => out.push(String(d)));
	(child as ChildProcess & { output: string[] }).output = out;
	return child;
}

function exited(c: ChildProcess): Promise<void> {
	return c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));
}

for (const backend of backends) {
	const test = suite(`jobs on ${backend.kind}`);
	const queueName = `test-${backend.kind}-${Date.now().toString(36)}`;
	let queue: JobQueue;

	test.before(() => {
		queue = openQueue({ backend, name: queueName });
		onTestRunEnd(() => queue.close());
	});

	test('a job added twice with its deterministic id runs once and processes the report', async () => {
		const { tenantId, reportId } = await storedReport();
		await enqueue(queue, 'reports.process', { tenantId, reportId });
		await enqueue(queue, 'reports.process', { tenantId, reportId });
		assert.is(await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active'), 1);
		const worker = startWorker(handlers(), { backend, name: queueName, log: () => {} });
		try {
			await until('report processed', () => processedAt(reportId));
			// The report row commits before BullMQ records the job as completed: wait for the job itself.
			const id = jobIdFor('reports.process', { tenantId, reportId });
			await until('job completed', async () => (await queue.getJob(id))?.finishedOn);
			const job = await queue.getJob(id);
			assert.is(job?.returnvalue, 'processed');
		} finally {
			await worker.close();
		}
		const [g] = await ownerDb()<{ n: number }[]>`select report_count as n from report_groups where tenant_id = ${tenantId}`;
		assert.is(g!.n, 1, 'grouped once');
	});

	test('a worker process killed in the middle of a job loses nothing: the job completes after a restart', async () => {
		const { tenantId, reportId } = await storedReport();
		// Hold the report's row lock so the worker's job blocks inside its handler.
		let release!: () => void;
		const released = new Promise<void>((r) => (release = r));
		let locked!: (xid: string) => void;
		const isLocked = new Promise<string>((r) => (locked = r));
		const holder = ownerDb().begin(async (tx) => {
			await tx`select id from crash_reports where id = ${reportId} for update`;
			const [x] = await tx<{ xid: string }[]>`select pg_current_xact_id()::text as xid`;
			locked(x!.xid);
			await released;
		});
		const xid = await isLocked;
		const first = spawnWorker(backend, queueName);
		try {
			await enqueue(queue, 'reports.process', { tenantId, reportId });
			const jobId = jobIdFor('reports.process', { tenantId, reportId });
			await until('job active in the worker', async () => (await queue.getJobState(jobId)) === 'active');
			// The handler is waiting on the row lock: the job is truly mid-way.
			await until('handler blocked on the report row', async () => {
				const rows = await ownerDb()`select 1 from pg_locks where locktype = 'transactionid' and not granted and transactionid::text = ${xid}`;
				return rows.length > 0;
			});
			first.kill('SIGKILL');
			await exited(first);
		} finally {
			release();
			await holder;
		}
		assert.is(await processedAt(reportId), null, 'the killed worker did not finish the job');
		const second = spawnWorker(backend, queueName);
		try {
			await until('report processed after restart', () => processedAt(reportId), 45_000);
			await until('job completed', async () => (await queue.getJobState(jobIdFor('reports.process', { tenantId, reportId }))) === 'completed');
		} catch (e) {
			console.error((second as ChildProcess & { output: string[] }).output.join(''));
			throw e;
		} finally {
			second.kill('SIGTERM');
			await exited(second);
		}
		const [g] = await ownerDb()<{ n: number }[]>`select report_count as n from report_groups where tenant_id = ${tenantId}`;
		assert.is(g!.n, 1, 'grouped exactly once');
	});

	test('the sweep finds stored reports that have no job yet and gets them processed', async () => {
		const a = await storedReport();
		const b = await storedReport();
		const worker = startWorker(handlers(), { backend, name: queueName, log: () => {} });
		try {
			await queue.add('reports.sweep', {}, { jobId: `sweep-${randomUUID()}` });
			await until('both processed', async () => (await processedAt(a.reportId)) && (await processedAt(b.reportId)));
		} finally {
			await worker.close();
		}
	});

	test('SIGTERM closes the worker cleanly', async () => {
		const w = spawnWorker(backend, queueName);
		await until('worker ready', async () => (w as ChildProcess & { output: string[] }).output.join('').includes('worker ready'), 20_000);
		w.kill('SIGTERM');
		await exited(w);
		assert.is(w.exitCode, 0);
	});

	test.run();
}
