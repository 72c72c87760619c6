/**
 * Health, readiness and metrics of both apps and the worker (platform/health.ts,
 * platform/metrics.ts), over HTTP against the built apps and the real worker:
 * /healthz and /readyz answer; /readyz goes 503 naming LiveKit while the test
 * LiveKit is stopped and recovers once it is back; /metrics refuses requests
 * without the bearer token; metric values move when a call rings; and an app or
 * worker in production mode with the development secrets refuses to start.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startApps, startWorkerProcess } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { api, openStream, signInCookie } from '../../kiosk/tests/call-helpers.ts';

const test = suite('health and metrics');
const root = fileURLToPath(new URL('../../', import.meta.url));
const token = process.env.METRICS_TOKEN!;
const workerOrigin = `http://127.0.0.1:${process.env.WORKER_HEALTH_PORT}`;

function livekit(action: 'stop' | 'start'): void {
	execFileSync('bash', ['infra/services.sh', action], { cwd: root, env: { ...process.env, SKIP_POSTGRES: '1', SKIP_REDIS: '1' }, stdio: 'pipe' });
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn().catch(() => null);
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

async function readyz(origin: string): Promise<{ status: number; body: { ready: boolean; checks: Record<string, { ok: boolean }> } }> {
	const r = await fetch(origin + '/readyz');
	return { status: r.status, body: await r.json() };
}

async function scrape(origin: string): Promise<string> {
	const r = await fetch(origin + '/metrics', { headers: { authorization: `Bearer ${token}` } });
	assert.is(r.status, 200, `metrics of ${origin}`);
	assert.match(r.headers.get('content-type') ?? '', 'text/plain');
	return r.text();
}

/** The value of one sample (name with its labels as printed, e.g. `x_total{state="ended"}`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
	let total = 0;
	for (const line of text.split('\n')) {
		if (line.startsWith('#')) continue;
		const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
		if (!m || m[1] !== name) continue;
		const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
		if (Object.entries(labels).every(([k, v]) => got[k] === v)) total += Number(m[3]);
	}
	return total;
}

test('healthz and readyz answer on both apps and the worker, with every dependency checked', async () => {
	const apps = await startApps();
	await startWorkerProcess();
	for (const origin of [apps.kiosk, apps.console, workerOrigin]) {
		const h = await fetch(origin + '/healthz');
		assert.is(h.status, 200, `${origin}/healthz`);
		assert.equal(await h.json(), { ok: true });
		const r = await readyz(origin);
		assert.is(r.status, 200, `${origin}/readyz: ${JSON.stringify(r.body)}`);
		assert.ok(r.body.ready);
		assert.ok(r.body.checks.database?.ok, 'database checked');
		assert.ok(r.body.checks.livekit?.ok, 'LiveKit checked');
	}
	assert.ok((await readyz(apps.kiosk)).body.checks.listen?.ok, 'the kiosk app checks its LISTEN connection');
	assert.ok((await readyz(apps.console)).body.checks.listen?.ok, 'the console app checks its LISTEN connection');
	assert.ok((await readyz(workerOrigin)).body.checks.jobs?.ok, 'the worker checks its job backend');
});

test('/metrics is not public: no token, a wrong token or another scheme get 401; the right bearer token gets the metrics', async () => {
	const apps = await startApps();
	await startWorkerProcess();
	for (const origin of [apps.kiosk, apps.console, workerOrigin]) {
		for (const authorization of [undefined, 'Bearer wrong-token-wrong-token-wrong', `Basic ${Buffer.from(`x:${token}`).toString('base64')}`, `Bearer ${token}x`, 'Bearer ']) {
			const r = await fetch(origin + '/metrics', { headers: authorization ? { authorization } : {} });
			assert.is(r.status, 401, `${origin}/metrics with ${authorization ?? 'no header'}`);
			const body = await r.text();
			assert.not.match(body, 'concierge_', 'nothing of the metrics leaks');
			assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
		}
		const text = await scrape(origin);
		assert.match(text, 'concierge_process_cpu_user_seconds_total', 'process metrics are there');
	}
	const worker = await scrape(workerOrigin);
	assert.match(worker, /concierge_job_queue_jobs\{status="waiting"/, 'the worker reports the queue depth');
	assert.match(worker, /concierge_concierges\{state="available"/, 'the worker reports concierges by state');
	assert.match(worker, /concierge_jobs_completed_total\{job="calls.sweep"/, 'the worker counts completed jobs');
});

test('metric values move when a call rings and is cancelled', async () => {
	const apps = await startApps();
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge' });
	const cCookie = await signInCookie(apps.console, concierge.loginId, concierge.password);
	const kCookie = await signInCookie(apps.kiosk, kiosk.loginId, kiosk.password);
	assert.is((await api(apps.console, cCookie, '/api/presence', { status: 'available' })).status, 200);
	const kBefore = await scrape(apps.kiosk);
	const cBefore = await scrape(apps.console);
	const stream = await openStream(apps.console, cCookie);
	try {
		const streams = (t: string) => sample(t, 'concierge_event_streams_open', { role: 'concierge' });
		await until('the open stream is counted', async () => streams(await scrape(apps.console)) === streams(cBefore) + 1);
		const placed = await api(apps.kiosk, kCookie, '/api/calls', {});
		assert.is(placed.status, 201, JSON.stringify(placed.body));
		const callId = placed.body.id as string;
		await stream.waitFor((e) => e.type === 'call.ringing' && e.data.callId === callId);
		const kAfter = await scrape(apps.kiosk);
		assert.is(
			sample(kAfter, 'concierge_calls_placed_total', { start: 'ringing' }),
			sample(kBefore, 'concierge_calls_placed_total', { start: 'ringing' }) + 1,
			'one more call placed'
		);
		const cAfter = await until('the ring is counted on the console', async () => {
			const t = await scrape(apps.console);
			return sample(t, 'concierge_ring_delivery_seconds_count') > sample(cBefore, 'concierge_ring_delivery_seconds_count') ? t : null;
		});
		assert.ok(sample(cAfter, 'concierge_ring_delivery_seconds_bucket', { le: '+Inf' }) >= 1, 'the ring latency histogram has the observation');
		assert.is((await api(apps.kiosk, kCookie, `/api/calls/${callId}/cancel`, {})).status, 200);
		const kEnd = await scrape(apps.kiosk);
		const by = { state: 'cancelled', reason: 'cancelled_by_kiosk' };
		assert.is(sample(kEnd, 'concierge_calls_finished_total', by), sample(kBefore, 'concierge_calls_finished_total', by) + 1, 'the cancelled call is counted by state and reason');
	} finally {
		stream.close();
	}
	const streams = (t: string) => sample(t, 'concierge_event_streams_open', { role: 'concierge' });
	await until('the closed stream is no longer counted', async () => streams(await scrape(apps.console)) === streams(cBefore));
});

test('a refused sign-in is counted', async () => {
	const apps = await startApps();
	const before = sample(await scrape(apps.kiosk), 'concierge_signin_failures_total', { app: 'kiosk' });
	const r = await fetch(`${apps.kiosk}/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', origin: apps.kiosk },
		body: new URLSearchParams({ loginId: 'nobody-here@example.invalid', password: 'wrong password' })
	});
	assert.ok(r.status < 500);
	assert.is(sample(await scrape(apps.kiosk), 'concierge_signin_failures_total', { app: 'kiosk' }), before + 1);
});

test('readyz goes 503 naming LiveKit while LiveKit is stopped, and recovers when it is back', async () => {
	const apps = await startApps();
	await startWorkerProcess();
	let stopped = false;
	try {
		livekit('stop');
		stopped = true;
		for (const origin of [apps.kiosk, apps.console, workerOrigin]) {
			const r = await readyz(origin);
			assert.is(r.status, 503, `${origin}/readyz with LiveKit stopped`);
			assert.is(r.body.ready, false);
			assert.is(r.body.checks.livekit?.ok, false, 'LiveKit is the failing check');
			assert.is(r.body.checks.database?.ok, true, 'the database is still fine');
			assert.is((await fetch(origin + '/healthz')).status, 200, 'liveness is not readiness');
		}
		const text = await scrape(apps.console);
		assert.is(sample(text, 'concierge_dependency_up', { dependency: 'livekit' }), 0, 'the dependency gauge shows it');
	} finally {
		if (stopped) livekit('start');
	}
	for (const origin of [apps.kiosk, apps.console, workerOrigin]) await until(`${origin} ready again`, async () => (await readyz(origin)).status === 200);
	// Restarted from infra/livekit/livekit.yaml.tmpl: LiveKit's own Prometheus port is on.
	const lkPort = Number(process.env.LIVEKIT_PORT ?? 7880) + 3;
	const lk = await fetch(`http://127.0.0.1:${lkPort}/metrics`);
	assert.is(lk.status, 200);
	assert.match(await lk.text(), 'livekit_', 'LiveKit exports its metrics');
});

/** Run a process to its end (or 20 s), returning its exit code and output. */
function runToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d) => (out += String(d)));
		child.stderr.on('data', (d) => (out += String(d)));
		const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
		child.on('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, out });
		});
	});
}

test('in production mode the apps and the worker refuse to start with the development secrets, naming them', async () => {
	const port = Number(process.env.TEST_KIOSK_PORT ?? 5183) + 7;
	const env = { ...process.env, CONCIERGE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}`, WORKER_HEALTH_PORT: '0' };
	for (const args of [[root + 'kiosk/server.js'], [root + 'console/server.js'], ['--import', 'tsx', root + 'platform/jobs/worker.ts']]) {
		const r = await runToEnd(args, env);
		assert.is(r.code, 78, `${args.at(-1)} exits with EX_CONFIG: ${r.out.slice(0, 500)}`);
		assert.match(r.out, 'Refusing to start');
		for (const name of ['DATABASE_URL', 'LIVEKIT_API_SECRET', 'METRICS_TOKEN']) assert.match(r.out, name, `${args.at(-1)} names ${name}`);
		assert.not.match(r.out, 'app-dev-password', 'the secret itself is not printed');
	}
});

test.run();
