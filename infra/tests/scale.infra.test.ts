/**
 * Scale-out on one machine, as it would run on several: two LiveKit nodes sharing a
 * Redis (LiveKit's multi-node routing), two instances of each app behind Caddy, two
 * workers on BullMQ's Redis backend, one PostgreSQL (the test database).
 *
 *   CALLS concurrent calls, kiosks on one kiosk instance and their concierges on the
 *   other console instance; the rooms land on both LiveKit nodes (LiveKit's room-to-
 *   node map in Redis, and each node's own livekit_room_total).
 *   Stop one console instance mid-call: the calls stay up; its concierges' streams
 *   reconnect to the other instance and resync (their call is in the snapshot).
 *   Drain one LiveKit node with SIGTERM: new rooms go to the other node; once its
 *   calls end, the drained node exits.
 *   SIGKILL one worker while report jobs run: every report is still processed.
 *
 * The calls are placed and answered over the apps' HTTP API with their event
 * streams open, not by browsers: 2 cores cannot run 2 x CALLS WebRTC peers. Media
 * through multi-node LiveKit is covered by the call tests and the firewall test.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { makeAccount, makeTenant, type TestAccount } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { api, openStream, signInCookie, type SseReader } from '../../kiosk/tests/call-helpers.ts';
import { submitReport } from '../../platform/reports/reports.ts';
import { parseReport } from '../../platform/reports/report-input.ts';
import { Proc, slot, until } from './netns.ts';
import { launchBrowser } from '../../platform/testing/browser.ts';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const umd = fileURLToPath(new URL('../../node_modules/livekit-client/dist/livekit-client.umd.js', import.meta.url));

/** A real participant (Chromium, livekit-client) that joins a room with a call token and stays until told. */
async function joinAndStay(page: Page, lkUrl: string, token: string): Promise<void> {
	await page.evaluate(readFileSync(umd, 'utf8'));
	await page.evaluate(
		async ({ lkUrl, token }) => {
			const LK = (window as unknown as { LivekitClient: typeof import('livekit-client') }).LivekitClient;
			const room = new LK.Room();
			await room.connect(lkUrl, token);
			(window as unknown as { __room: unknown }).__room = room;
		},
		{ lkUrl, token }
	);
}

const test = suite('scale-out: two LiveKit nodes, two of each app, two workers');
const root = fileURLToPath(new URL('../../', import.meta.url));
const livekitBin = `${process.env.CONCIERGE_CACHE ?? '/root/.cache/concierge'}/bin/livekit-server`;
const CALLS = Number(process.env.SCALE_CALLS ?? 20);

const base = 21000 + 100 * slot;
const port = {
	redis: base,
	lk: [base + 10, base + 20],
	kiosk: [base + 30, base + 31],
	console: [base + 32, base + 33],
	worker: [base + 34, base + 35],
	caddyKiosk: base + 40,
	caddyConsole: base + 41,
	caddyLivekit: base + 42
};
const apiKey = 'scalekey';
const apiSecret = randomUUID() + randomUUID();
const url = (p: number) => `http://127.0.0.1:${p}`;

const procs: Proc[] = [];
let dir = '';
let redis: Redis | null = null;
const timings: Record<string, number> = {};

function livekitConfig(i: number): string {
	const p = port.lk[i]!;
	return `port: ${p}
bind_addresses: [127.0.0.1]
rtc:
  tcp_port: ${p + 1}
  udp_port: ${p + 2}
  use_external_ip: false
  node_ip: 127.0.0.1
  enable_loopback_candidate: true
redis:
  address: 127.0.0.1:${port.redis}
keys:
  ${apiKey}: ${apiSecret}
webhook:
  api_key: ${apiKey}
  urls: [${url(port.caddyConsole)}/api/livekit/webhook]
prometheus:
  port: ${p + 3}
room:
  auto_create: false
  empty_timeout: 20
  departure_timeout: 10
logging:
  level: info
`;
}

function appEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	return {
		...process.env,
		LIVEKIT_URL: `ws://127.0.0.1:${port.caddyLivekit}`,
		LIVEKIT_API_URL: url(port.caddyLivekit),
		LIVEKIT_API_KEY: apiKey,
		LIVEKIT_API_SECRET: apiSecret,
		REDIS_URL: `redis://127.0.0.1:${port.redis}/0`,
		JOBS_QUEUE: `scale-${slot}`,
		// The parties never join a room here (no browsers), so the join grace is the longest allowed.
		CALL_GRACE_SECONDS: '300',
		PRESENCE_OFFLINE_GRACE_SECONDS: '60',
		SIGNIN_PER_MINUTE: '100000',
		CALL_RATE_PER_MINUTE: '600',
		CALL_WRAP_UP_SECONDS: '0',
		// Six processes share PostgreSQL's 100 connections with the other test runs on this machine:
		// instances x pool size is the first limit this topology meets (docs/architecture.md).
		DB_POOL_MAX: '4',
		JOBS_CONCURRENCY: '2',
		...extra
	};
}

function startApp(name: 'kiosk' | 'console', i: number): Proc {
	const p = port[name][i]!;
	const proc = new Proc(`${name}${i}`, null, process.execPath, [root + `${name}/server.js`], appEnv({ PORT: String(p), HOST: '127.0.0.1', ORIGIN: url(p) }));
	procs.push(proc);
	return proc;
}

function startWorker(i: number): Proc {
	const proc = new Proc(
		`worker${i}`,
		null,
		process.execPath,
		['--import', 'tsx', root + 'platform/jobs/worker.ts'],
		appEnv({ WORKER_HEALTH_PORT: String(port.worker[i]), JOBS_LOCK_MS: '3000' }),
		root
	);
	procs.push(proc);
	return proc;
}

/** The apps' error log lines, for a failure message. */
function errors(): string {
	return procs
		.filter((p) => /kiosk|console|worker/.test(p.name))
		.flatMap((p) => p.log.filter((l) => l.includes('"level":"error"')).map((l) => `${p.name}: ${l.slice(0, 600)}`))
		.slice(-6)
		.join('\n');
}

async function ready(p: number, path = '/readyz'): Promise<boolean> {
	const r = await fetch(url(p) + path, { signal: AbortSignal.timeout(3000) });
	return r.ok;
}

/** Room name -> LiveKit node id, from LiveKit's own routing table in Redis. */
async function roomNodes(): Promise<Map<string, string>> {
	return new Map(Object.entries(await redis!.hgetall('room_node_map')));
}

/** This LiveKit node's id (from its log line "starting LiveKit server ... nodeID"). */
function nodeId(proc: Proc): string {
	for (const l of proc.log) {
		const m = /"nodeID": "([^"]+)"/.exec(l);
		if (m) return m[1]!;
	}
	throw new Error(`no node id in ${proc.tail()}`);
}

async function roomsOn(i: number): Promise<number> {
	const text = await (await fetch(`${url(port.lk[i]! + 3)}/metrics`)).text();
	const m = /^livekit_room_total(?:\{[^}]*\})? (\d+)/m.exec(text);
	return m ? Number(m[1]) : 0;
}

test.before(async () => {
	const t0 = Date.now();
	dir = mkdtempSync(join(tmpdir(), 'concierge-scale-'));
	procs.push(new Proc('redis', null, 'redis-server', ['--port', String(port.redis), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env));
	redis = new Redis({ port: port.redis, lazyConnect: true, maxRetriesPerRequest: 3 });
	await until('redis', async () => (await redis!.connect().then(() => redis!.ping())) === 'PONG', 10_000).catch(async () =>
		until('redis', async () => (await redis!.ping()) === 'PONG', 10_000)
	);
	for (const i of [0, 1]) {
		writeFileSync(join(dir, `lk${i}.yaml`), livekitConfig(i));
		// A clean environment: livekit-server takes LIVEKIT_* variables as overrides of its config.
		procs.push(new Proc(`livekit${i}`, null, livekitBin, ['--config', join(dir, `lk${i}.yaml`)], { PATH: process.env.PATH, HOME: dir }));
	}
	writeFileSync(
		join(dir, 'Caddyfile'),
		`{
	admin off
	skip_install_trust
	auto_https off
}
http://127.0.0.1:${port.caddyKiosk} {
	reverse_proxy ${port.kiosk.map((p) => `127.0.0.1:${p}`).join(' ')} {
		lb_policy least_conn
		lb_try_duration 5s
		health_uri /readyz
		health_interval 2s
		flush_interval -1
	}
}
http://127.0.0.1:${port.caddyConsole} {
	reverse_proxy ${port.console.map((p) => `127.0.0.1:${p}`).join(' ')} {
		lb_policy least_conn
		lb_try_duration 5s
		health_uri /readyz
		health_interval 2s
		flush_interval -1
	}
}
http://127.0.0.1:${port.caddyLivekit} {
	reverse_proxy ${port.lk.map((p) => `127.0.0.1:${p}`).join(' ')} {
		lb_policy least_conn
		lb_try_duration 5s
		health_uri /
		health_interval 2s
	}
}
`
	);
	procs.push(
		new Proc('caddy', null, 'caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir })
	);
	for (const i of [0, 1]) {
		startApp('kiosk', i);
		startApp('console', i);
		startWorker(i);
	}
	const all = [...port.kiosk, ...port.console, ...port.worker];
	for (const p of all)
		await until(
			`readyz on ${p}`,
			async () => {
				for (const pr of procs) if (pr.exited) throw new Error(`${pr.name} exited:\n${pr.tail()}`);
				return ready(p);
			},
			60_000,
			300
		);
	await until('LiveKit through Caddy', () => ready(port.caddyLivekit, '/'), 20_000);
	const nodes = await until('both LiveKit nodes registered in Redis', async () => ((await redis!.hlen('nodes')) >= 2 ? true : null), 20_000);
	assert.ok(nodes);
	timings.startUpMs = Date.now() - t0;
});

test.after(async () => {
	redis?.disconnect();
	await Promise.all(procs.map((p) => p.stop(5000)));
	if (dir) rmSync(dir, { recursive: true, force: true });
	console.log(`scale-out figures: ${JSON.stringify(timings)}`);
});

interface Pair {
	kiosk: TestAccount;
	concierge: TestAccount;
	kCookie: string;
	cCookie: string;
	kioskOrigin: string;
	consoleIndex: number;
	stream: SseReader;
	callId?: string;
	room?: string;
}

test(`${CALLS} concurrent calls across both nodes and instances survive a console instance stopping, a LiveKit node draining and a worker dying`, async () => {
	const tenant = await makeTenant({ name: 'Scale-out shop' });
	const pairs: Pair[] = [];
	for (let i = 0; i < CALLS; i++) {
		const kiosk = await makeAccount(tenant, { role: 'kiosk' });
		const concierge = await makeAccount(tenant, { role: 'concierge' });
		// Kiosk on one instance, its concierge on the other console instance.
		const kioskOrigin = url(port.kiosk[i % 2]!);
		const consoleIndex = (i + 1) % 2;
		const cOrigin = url(port.console[consoleIndex]!);
		const kCookie = await signInCookie(kioskOrigin, kiosk.loginId, kiosk.password);
		const cCookie = await signInCookie(cOrigin, concierge.loginId, concierge.password);
		assert.is((await api(cOrigin, cCookie, '/api/presence', { status: 'available' })).status, 200);
		pairs.push({ kiosk, concierge, kCookie, cCookie, kioskOrigin, consoleIndex, stream: await openStream(cOrigin, cCookie) });
	}

	// All calls at once; concierge i answers kiosk i's call.
	const t0 = Date.now();
	await Promise.all(
		pairs.map(async (p) => {
			const r = await api(p.kioskOrigin, p.kCookie, '/api/calls', {});
			assert.is(r.status, 201, `${JSON.stringify(r.body)}\n${errors()}`);
			p.callId = r.body.id as string;
		})
	);
	timings.placeAllMs = Date.now() - t0;
	await Promise.all(pairs.map((p) => p.stream.waitFor((e) => e.type === 'call.ringing' && e.data.callId === p.callId, 30_000))).catch((e: Error) => {
		throw new Error(`not every concierge heard its ring: ${e.message}`);
	});
	timings.ringAllMs = Date.now() - t0;
	const t1 = Date.now();
	const tokens = new Map<string, { url: string; token: string }>();
	await Promise.all(
		pairs.map(async (p) => {
			const r = await api(url(port.console[p.consoleIndex]!), p.cCookie, `/api/calls/${p.callId}/accept`, {});
			assert.is(r.status, 200, JSON.stringify(r.body));
			tokens.set(p.callId!, r.body.connection as { url: string; token: string });
		})
	);
	timings.acceptAllMs = Date.now() - t1;
	const rows = await ownerDb()<{ id: string; roomName: string; state: string }[]>`select id, room_name as "roomName", state from calls where tenant_id = ${tenant.id}`;
	for (const p of pairs) p.room = rows.find((r) => r.id === p.callId)!.roomName;
	assert.ok(
		rows.every((r) => r.state === 'accepted'),
		'every call is answered'
	);

	// Rooms on both nodes: LiveKit's routing table, and each node's own count.
	const lkProcs = procs.filter((p) => p.name.startsWith('livekit'));
	const ids = lkProcs.map(nodeId);
	const map = await until('every room in the routing table', async () => {
		const m = await roomNodes();
		return pairs.every((p) => m.has(p.room!)) ? m : null;
	});
	const perNode = ids.map((id) => pairs.filter((p) => map.get(p.room!) === id).length);
	assert.is(perNode[0]! + perNode[1]!, CALLS, `every room on one of the two nodes: ${JSON.stringify(perNode)}`);
	assert.ok(perNode[0]! > 0 && perNode[1]! > 0, `rooms on both nodes: ${JSON.stringify(perNode)}`);
	assert.equal([await roomsOn(0), await roomsOn(1)], perNode, 'each node hosts the rooms the routing table says');
	timings.roomsNode0 = perNode[0]!;
	timings.roomsNode1 = perNode[1]!;

	// 1. Stop console instance 0 mid-call.
	const console0 = procs.find((p) => p.name === 'console0')!;
	await console0.stop(10_000);
	const moved = pairs.filter((p) => p.consoleIndex === 0);
	assert.ok(moved.length > 0);
	for (const p of moved) {
		p.stream.close();
		// What EventSource does through the load balancer: reconnect, now to the other instance.
		p.stream = await openStream(url(port.caddyConsole), p.cCookie);
		const snap = await p.stream
			.waitFor((e) => e.type === 'snapshot')
			.catch((e: Error) => {
				throw new Error(`no snapshot after reconnecting: ${e.message}`);
			});
		const calls = (snap.data.calls ?? []) as { id: string; state: string }[];
		assert.ok(
			calls.some((c) => c.id === p.callId && c.state === 'accepted'),
			`the resynced snapshot holds the live call: ${JSON.stringify(snap.data).slice(0, 300)}`
		);
	}
	await new Promise((r) => setTimeout(r, 3000));
	const still = await ownerDb()<{ n: number }[]>`select count(*)::int as n from calls where tenant_id = ${tenant.id} and state = 'accepted'`;
	assert.is(still[0]!.n, CALLS, 'no call ended because a console instance went away');

	// 2. Drain LiveKit node 0. Two of its calls get a real participant (Chromium), which
	// holds the node until the call ends; new rooms go to node 1.
	const browser = await launchBrowser();
	const onNode0 = pairs.filter((p) => map.get(p.room!) === ids[0]).slice(0, 2);
	const pages: Page[] = [];
	for (const p of onNode0) {
		const page = await browser.newPage();
		await page.goto(url(port.kiosk[0]!) + '/login');
		const conn = tokens.get(p.callId!)!;
		await joinAndStay(page, conn.url, conn.token);
		pages.push(page);
	}
	const lk0 = lkProcs[0]!;
	lk0.child.kill('SIGTERM');
	await new Promise((r) => setTimeout(r, 1500));
	const extra = await makeAccount(tenant, { role: 'kiosk' });
	const extraConcierge = await makeAccount(tenant, { role: 'concierge' });
	const ek = await signInCookie(url(port.kiosk[0]!), extra.loginId, extra.password);
	const ec = await signInCookie(url(port.console[1]!), extraConcierge.loginId, extraConcierge.password);
	assert.is((await api(url(port.console[1]!), ec, '/api/presence', { status: 'available' })).status, 200);
	const es = await openStream(url(port.console[1]!), ec);
	const newRooms: string[] = [];
	for (let i = 0; i < 3; i++) {
		const placed = await api(url(port.kiosk[0]!), ek, '/api/calls', {});
		assert.is(placed.status, 201, JSON.stringify(placed.body));
		const id = placed.body.id as string;
		await es
			.waitFor((e) => e.type === 'call.ringing' && e.data.callId === id)
			.catch((e: Error) => {
				throw new Error(`new call ${i} after the drain did not ring: ${e.message}`);
			});
		const acc = await api(url(port.console[1]!), ec, `/api/calls/${id}/accept`, {});
		assert.is(acc.status, 200, JSON.stringify(acc.body));
		const [row] = await ownerDb()<{ roomName: string }[]>`select room_name as "roomName" from calls where id = ${id}`;
		newRooms.push(row!.roomName);
		const m = await until('the new room is routed', async () => {
			const mm = await roomNodes();
			return mm.has(row!.roomName) ? mm : null;
		});
		assert.is(m.get(row!.roomName), ids[1], 'a new room goes to the node that is not draining');
		assert.is((await api(url(port.kiosk[0]!), ek, `/api/calls/${id}/hangup`, {})).status, 200);
	}
	es.close();
	assert.not.ok(lk0.exited, 'the draining node waits for the calls that have participants');
	// Its calls end: hang them all up; the drained node then exits by itself.
	const t2 = Date.now();
	await Promise.all(pairs.map(async (p) => assert.is((await api(p.kioskOrigin, p.kCookie, `/api/calls/${p.callId}/hangup`, {})).status, 200)));
	await until('the drained node exits once its rooms are gone', async () => lk0.exited, 60_000, 500);
	timings.drainAfterHangupMs = Date.now() - t2;
	assert.ok(!lkProcs[1]!.exited, 'the other node stays up');
	for (const page of pages) await page.close();
	for (const p of pairs) p.stream.close();

	// 3. Kill a worker mid-job: every report is still processed.
	const reports: string[] = [];
	for (let i = 0; i < 150; i++) {
		const input = parseReport({
			id: randomUUID(),
			kind: 'error',
			message: `scale ${i} ${randomUUID()}`,
			appVersion: 'test',
			userAgent: 'uvu',
			occurredAt: new Date().toISOString(),
			logs: []
		});
		await submitReport(pairs[0]!.kiosk.actor, input);
		reports.push(input.id);
	}
	const processed = async () =>
		(await ownerDb()<{ n: number }[]>`select count(*)::int as n from crash_reports where id = any(${reports}::uuid[]) and processed_at is not null`)[0]!.n;
	const worker0 = procs.find((p) => p.name === 'worker0')!;
	await until('the workers have started on the reports', async () => (await processed()) > 0, 30_000, 50);
	worker0.child.kill('SIGKILL');
	const t3 = Date.now();
	await until('every report processed after a worker died', async () => (await processed()) === reports.length, 90_000, 500);
	timings.reportsAfterKillMs = Date.now() - t3;
	assert.not.ok(procs.find((p) => p.name === 'worker1')!.exited);
});

test.run();
