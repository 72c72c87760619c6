/**
 * npm run bench -- reports
 *
 * Report ingest: a burst of uploads from many signed-in kiosks to the built kiosk
 * app (POST /api/reports), while a real worker process (PostgreSQL backend)
 * processes them and is killed (SIGKILL) and restarted once during the burst.
 * Prints {"metric":"report_ingest","accepted_per_s","p99_ms","sent","stored","lost"}:
 * stored = accepted reports found processed (grouped) afterwards; lost = accepted - stored.
 *
 * The same burst is first sent to a bare node:http server doing the same validation and
 * the same batched insert (bench/bare-report-server.ts), the floor. For both runs the CPU
 * each process used per accepted upload is read from /proc: the app (or bare server), the
 * worker, PostgreSQL (the backends of this database, plus the cluster's own processes)
 * and the load generator (this process), so a miss shows where the limit is.
 * The app, the worker and the bare server reach PostgreSQL through its Unix socket, as infra/env.sh
 * sets them up (DATABASE_SOCKET_DIR); REPORTS_PG_SOCKET=0 makes them use TCP instead.
 *
 * Same environment as bench/ring.ts: the slot's services and test database
 * (TEST_SLOT, default 0), started and built if needed. Settings: REPORTS_BENCH_N (2000), REPORTS_BENCH_KIOSKS (100),
 * REPORTS_BENCH_CONCURRENCY (32).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { cpuSeconds, prepare } from './ring.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

async function waitUp(origin: string, path: string): Promise<void> {
	for (let i = 0; ; i++) {
		try {
			await (await fetch(origin + path)).arrayBuffer();
			return;
		} catch {}
		if (i > 100) throw new Error(`${origin} did not start`);
		await new Promise((r) => setTimeout(r, 150));
	}
}

export default async function (out: (line: Record<string, unknown>) => void): Promise<void> {
	// Same environment as the other benches: the slot's services and test database, started if needed.
	const env = await prepare();
	const slot = env.slot;
	delete process.env.REDIS_URL;
	// Inherited by the app, the worker and the bare server (platform/config.server.ts: databaseSocketDir).
	if (process.env.REPORTS_PG_SOCKET === '0') delete process.env.DATABASE_SOCKET_DIR;
	const n = Number(process.env.REPORTS_BENCH_N ?? 2000);
	const kioskCount = Number(process.env.REPORTS_BENCH_KIOSKS ?? 100);
	const concurrency = Number(process.env.REPORTS_BENCH_CONCURRENCY ?? 32);

	const { makeAccount, makeTenant } = await import('../platform/testing/factories.ts');
	const { signIn } = await import('../platform/accounts/sign-in.ts');
	const { ownerDb, closeOwnerDb } = await import('../platform/testing/db.ts');
	const { closeDb } = await import('../platform/db.server.ts');

	const children: ChildProcess[] = [];
	const start = (args: string[], env: NodeJS.ProcessEnv) => {
		const c = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
		children.push(c);
		return c;
	};
	const port = 5209 + 10 * slot;
	const origin = `http://127.0.0.1:${port}`;
	const queue = `bench-${Date.now().toString(36)}`;
	const workerEnv = { JOBS_QUEUE: queue, JOBS_LOCK_MS: '3000', JOBS_CONCURRENCY: '8', WORKER_HEALTH_PORT: '0' };
	try {
		start([root + 'kiosk/server.js'], { PORT: String(port), HOST: '127.0.0.1', ORIGIN: origin, DB_POOL_MAX: '20' });
		await waitUp(origin, '/login');
		const tenant = await makeTenant();
		const cookies: string[] = [];
		const ids: string[] = [];
		for (let i = 0; i < kioskCount; i++) {
			const k = await makeAccount(tenant, { role: 'kiosk' });
			ids.push(k.id);
			cookies.push(`kiosk_session=${(await signIn('kiosk', { loginId: k.loginId, password: k.password })).token}`);
		}
		let worker = start(['--import', 'tsx', root + 'platform/jobs/worker.ts'], workerEnv);
		const bare = start(['--import', 'tsx', root + 'bench/bare-report-server.ts'], { PORT: String(port + 1), DB_POOL_MAX: '20' });
		await waitUp(`http://127.0.0.1:${port + 1}`, '/nothing');

		/** CPU seconds of this database's PostgreSQL backends and of the cluster's own processes (walwriter, checkpointer…). */
		const pgPids = async () => {
			const rows = await ownerDb()<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() or backend_type <> 'client backend'`;
			return rows.map((r) => r.pid);
		};
		const cpuOf = (pids: number[]) => {
			const m = new Map<number, number>();
			for (const pid of pids) {
				try {
					m.set(pid, cpuSeconds(pid));
				} catch {}
			}
			return m;
		};
		const delta = (a: Map<number, number>, b: Map<number, number>) => {
			let sum = 0;
			for (const [pid, v] of b) sum += v - (a.get(pid) ?? 0);
			return sum;
		};

		const burst = async (target: string, appPid: number, killWorker: boolean) => {
			const latencies: number[] = [];
			const acceptedIds: string[] = [];
			let sent = 0;
			let other = 0;
			let next = 0;
			const pg0 = cpuOf(await pgPids());
			const app0 = cpuSeconds(appPid);
			const worker0 = cpuSeconds(worker.pid!);
			const self0 = process.cpuUsage();
			let workerCpu = 0;
			const t0 = performance.now();
			const one = async () => {
				for (;;) {
					const i = next++;
					if (i >= n) return;
					if (killWorker && i === Math.floor(n / 2)) {
						workerCpu += cpuSeconds(worker.pid!) - worker0;
						worker.kill('SIGKILL');
						worker = start(['--import', 'tsx', root + 'platform/jobs/worker.ts'], workerEnv);
					}
					const id = randomUUID();
					const body = JSON.stringify({
						id,
						kind: i % 3 ? 'error' : 'livekit_disconnect',
						message: `TypeError: cannot read 'sid' of undefined (call ${i})`,
						stack: `TypeError: x\n    at Room.join (http://k/_app/room.js:${i}:1)\n    at connect (http://k/_app/call.js:4:2)`,
						appVersion: '1.0.0',
						userAgent: 'bench',
						occurredAt: new Date().toISOString(),
						device: { screen: '1280x800' },
						logs: Array.from({ length: 20 }, (_, j) => `[info] line ${j}`)
					});
					const s = performance.now();
					sent++;
					const res = await fetch(target + '/api/reports', { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies[i % cookies.length]! }, body });
					await res.arrayBuffer();
					if (res.status === 202) {
						latencies.push(performance.now() - s);
						acceptedIds.push(id);
					} else other++;
				}
			};
			await Promise.all(Array.from({ length: concurrency }, one));
			const seconds = (performance.now() - t0) / 1000;
			const self = process.cpuUsage(self0);
			const appCpu = cpuSeconds(appPid) - app0;
			const pgCpu = delta(pg0, cpuOf([...pg0.keys(), ...(await pgPids())]));
			if (!killWorker) workerCpu = cpuSeconds(worker.pid!) - worker0;
			latencies.sort((a, b) => a - b);
			const p = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
			const ms = (cpu: number) => Math.round((cpu / Math.max(1, acceptedIds.length)) * 1e5) / 100;
			return {
				acceptedIds,
				line: {
					accepted_per_s: Math.round(acceptedIds.length / seconds),
					p99_ms: p(0.99),
					p50_ms: p(0.5),
					sent,
					accepted: acceptedIds.length,
					refused: other,
					cpu_ms_per_upload: { app: ms(appCpu), worker: ms(workerCpu), postgres: ms(pgCpu), load_generator: ms((self.user + self.system) / 1e6) },
					cpu_busy_of_2_cores: Math.round(((appCpu + workerCpu + pgCpu + (self.user + self.system) / 1e6) / seconds / 2) * 100) / 100
				}
			};
		};

		// The floor first: the bare server, the same burst (the worker runs but is not restarted).
		const floor = await burst(`http://127.0.0.1:${port + 1}`, bare.pid!, false);
		out({
			metric: 'report_ingest_bare_node',
			...floor.line,
			note: 'bench/bare-report-server.ts: node:http + the same session check, body limits, validation, redaction and group-committed insert; cpu_ms_per_upload from /proc'
		});
		bare.kill('SIGTERM');
		await new Promise((r) => setTimeout(r, 1000));

		const run = await burst(origin, children[0]!.pid!, true);
		const acceptedIds = run.acceptedIds;
		// Every accepted report must end up stored and processed, across the worker restart.
		let stored = 0;
		const deadline = Date.now() + 120_000;
		while (Date.now() < deadline) {
			const [r] = await ownerDb()<
				{ n: number }[]
			>`select count(*)::int as n from crash_reports where tenant_id = ${tenant.id} and id = any(${acceptedIds}::uuid[]) and processed_at is not null`;
			stored = r!.n;
			if (stored >= acceptedIds.length) break;
			await new Promise((res) => setTimeout(res, 500));
		}
		const [s] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from crash_reports where tenant_id = ${tenant.id} and id = any(${acceptedIds}::uuid[])`;
		out({
			metric: 'report_ingest',
			...run.line,
			stored,
			stored_rows: s!.n,
			lost: acceptedIds.length - Math.min(stored, s!.n),
			kiosks: kioskCount,
			concurrency,
			worker_restarts: 1,
			backend: 'postgres',
			pg_connection: process.env.DATABASE_SOCKET_DIR ? `unix socket ${process.env.DATABASE_SOCKET_DIR}` : 'tcp',
			app_cpu_vs_bare: Math.round((run.line.cpu_ms_per_upload.app / floor.line.cpu_ms_per_upload.app) * 100) / 100
		});
	} finally {
		for (const c of children) c.kill('SIGTERM');
		await closeDb();
		await closeOwnerDb();
	}
}
