/**
 * The lean paths (issue 13): the built apps' server answers `/api/events` (both apps)
 * and the kiosk's `/api/reports` itself, in front of SvelteKit (platform/web/lean.ts).
 * Seen from an attacker's and a client's side over real HTTP, every refusal must be
 * exactly what SvelteKit answers on a twin route with the same roles (kiosk GET
 * /api/me, console GET /api/calls): same status, body, security headers and cookie
 * handling. And a real stream and upload work.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { appLogs, startApps, type Apps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signIn } from '../../platform/accounts/sign-in.ts';
import { connect } from 'node:net';
import { publishSessionEnded } from '../../platform/events/events.ts';
import { sessionIdFromToken } from '../../platform/sessions/token.ts';

const test = suite('lean paths');
let apps: Apps;

test.before(async () => {
	apps = await startApps();
});

/** Headers that differ per response by nature. */
const VARYING = new Set(['date', 'x-request-id', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'vary']);

async function answer(url: string, init: RequestInit = {}) {
	const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
	const headers: Record<string, string> = {};
	res.headers.forEach((v, k) => {
		if (!VARYING.has(k)) headers[k] = v;
	});
	const body = await res.text();
	return { status: res.status, headers, body, setCookie: res.headers.getSetCookie(), requestId: res.headers.get('x-request-id') };
}

async function same(lean: string, twin: string, init: RequestInit, leanInit: RequestInit = init) {
	const a = await answer(lean, leanInit);
	const b = await answer(twin, init);
	assert.equal(a.status, b.status, `${lean} status`);
	assert.equal(JSON.parse(a.body), JSON.parse(b.body), `${lean} body`);
	assert.equal(a.headers, b.headers, `${lean} headers`);
	assert.equal(a.setCookie, b.setCookie, `${lean} Set-Cookie`);
	return a;
}

test("no cookie, a forged cookie, the other app's cookie: the lean paths refuse exactly as SvelteKit does", async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const kioskToken = (await signIn('kiosk', { loginId: k.loginId, password: k.password })).token;
	const forged = 'x'.repeat(32) + '.' + 'y'.repeat(20);
	for (const cookie of [null, `kiosk_session=${forged}`, `console_session=${kioskToken}`]) {
		const headers: Record<string, string> = cookie ? { cookie } : {};
		const r = await same(`${apps.kiosk}/api/events`, `${apps.kiosk}/api/me`, { headers });
		assert.is(r.status, 401);
		assert.equal(JSON.parse(r.body), { message: 'Please sign in.', code: 'unauthenticated' });
		assert.is(r.headers['cache-control'], 'no-store');
		assert.is(r.headers['x-frame-options'], 'DENY');
		assert.ok(r.headers['content-security-policy']?.includes("default-src 'none'"));
		// The upload: same refusal before its body is looked at.
		const up = await answer(`${apps.kiosk}/api/reports`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
		assert.is(up.status, 401);
		assert.equal(JSON.parse(up.body), JSON.parse(r.body));
		assert.equal(up.headers, r.headers);
		assert.equal(up.setCookie, r.setCookie);
		// The console: the same cookies under its name (a kiosk's token there is the other app's session).
		const c = await same(`${apps.console}/api/events`, `${apps.console}/api/calls`, { headers: cookie ? { cookie: cookie.replace(/^kiosk_session=/, 'console_session=') } : {} });
		assert.is(c.status, 401);
	}
	// A forged cookie is cleared, by the same Set-Cookie SvelteKit sends.
	const cleared = await answer(`${apps.kiosk}/api/events`, { headers: { cookie: `kiosk_session=${forged}` } });
	assert.is(cleared.setCookie.length, 1);
	assert.match(cleared.setCookie[0]!, /^kiosk_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax$/);
});

test('console: an admin is refused the stream (403), an expired password meets password_expired, as on SvelteKit routes', async () => {
	const t = await makeTenant({ passwordMaxAgeDays: 10 });
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge' });
	const adminCookie = `console_session=${(await signIn('console', { loginId: admin.loginId, password: admin.password })).token}`;
	const r = await same(`${apps.console}/api/events`, `${apps.console}/api/calls`, { headers: { cookie: adminCookie } });
	assert.is(r.status, 403);
	assert.is(JSON.parse(r.body).code, 'forbidden');
	const cCookie = `console_session=${(await signIn('console', { loginId: c.loginId, password: c.password })).token}`;
	await ownerDb()`update accounts set password_changed_at = now() - interval '11 days' where id = ${c.id}`;
	const e = await same(`${apps.console}/api/events`, `${apps.console}/api/calls`, { headers: { cookie: cCookie } });
	assert.is(e.status, 403);
	assert.is(JSON.parse(e.body).code, 'password_expired');
});

test("a kiosk's stream opens with the security headers and its snapshot; the request id is kept", async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const cookie = `kiosk_session=${(await signIn('kiosk', { loginId: k.loginId, password: k.password })).token}`;
	const twin = await answer(`${apps.kiosk}/api/me`, { headers: { cookie } });
	const ac = new AbortController();
	const res = await fetch(`${apps.kiosk}/api/events`, { headers: { cookie, 'x-request-id': 'lean-test-1' }, signal: ac.signal });
	assert.is(res.status, 200);
	assert.is(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
	assert.is(res.headers.get('x-request-id'), 'lean-test-1');
	for (const h of ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy', 'content-security-policy', 'cache-control'])
		assert.is(res.headers.get(h), twin.headers[h] ?? null, h);
	const reader = res.body!.getReader();
	let text = '';
	while (!text.includes('event: snapshot')) text += new TextDecoder().decode((await reader.read()).value);
	assert.match(text, /^retry: 2000\n\n/);
	ac.abort();
});

test('the upload: stored once (202, then a duplicate), refused with the same codes as before for bad input', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const cookie = `kiosk_session=${(await signIn('kiosk', { loginId: k.loginId, password: k.password })).token}`;
	const id = randomUUID();
	const body = JSON.stringify({ id, kind: 'error', message: 'lean', appVersion: '1', userAgent: 'ua', occurredAt: new Date().toISOString() });
	const post = (b: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
		answer(`${apps.kiosk}/api/reports`, { method: 'POST', headers: { cookie, ...headers }, body: b });
	const first = await post(body);
	assert.is(first.status, 202);
	assert.equal(JSON.parse(first.body), { id, duplicate: false });
	assert.is(first.headers['cache-control'], 'no-store');
	assert.equal(JSON.parse((await post(body)).body), { id, duplicate: true });
	const [row] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from crash_reports where id = ${id}`;
	assert.is(row!.n, 1);
	const wrongType = await post(body, { 'content-type': 'application/x-ndjson' });
	assert.is(wrongType.status, 415);
	assert.is(JSON.parse(wrongType.body).code, 'unsupported_media_type');
	const bad = await post('{"id": 1');
	assert.is(bad.status, 400);
	assert.is(JSON.parse(bad.body).code, 'bad_json');
	const big = await post(JSON.stringify({ id: randomUUID(), kind: 'error', message: 'x'.repeat(300 * 1024) }));
	assert.is(big.status, 413);
	// Cross-site form content types meet SvelteKit's own CSRF refusal, as on any SvelteKit route.
	const csrfInit = { method: 'POST', headers: { cookie, 'content-type': 'text/plain', origin: 'http://evil.example' }, body: 'x' };
	const csrf = await answer(`${apps.kiosk}/api/reports`, csrfInit);
	const csrfTwin = await answer(`${apps.kiosk}/api/calls`, csrfInit);
	assert.is(csrf.status, 403);
	assert.is(csrf.body, csrfTwin.body);
});

test('a stream asked for on a keep-alive connection while its previous answer is still going waits for it, then works', async () => {
	// A client may send its next request on a keep-alive connection before Node has seen the
	// previous response finish; the new response then has no socket yet (Node queues it). The
	// lean handler wrote straight to `res.socket` and failed with a TypeError (seen once in a
	// loaded CI run, logged as "stream failed to open"). Made certain here: two streams asked
	// for on one connection in one write, the first held open until its session ends.
	const t = await makeTenant();
	const a = await makeAccount(t, { role: 'kiosk' });
	const b = await makeAccount(t, { role: 'kiosk' });
	const tokenA = (await signIn('kiosk', { loginId: a.loginId, password: a.password })).token;
	const tokenB = (await signIn('kiosk', { loginId: b.loginId, password: b.password })).token;
	const logsBefore = appLogs.kiosk!.length;
	const { hostname, port } = new URL(apps.kiosk);
	const socket = connect(Number(port), hostname);
	let received = '';
	socket.setEncoding('utf8');
	socket.on('data', (d: string) => (received += d));
	const until = async (what: () => boolean, label: string) => {
		for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
		assert.ok(what(), `${label}; received: ${received.slice(0, 600)}`);
	};
	const ask = (token: string) => `GET /api/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nCookie: kiosk_session=${token}\r\nAccept: text/event-stream\r\n\r\n`;
	try {
		socket.write(ask(tokenA) + ask(tokenB));
		await until(() => received.includes('event: snapshot'), "the first stream's snapshot");
		// Time for the second request to be admitted and its stream to open behind the first.
		await new Promise((r) => setTimeout(r, 1_000));
		assert.is(received.split('HTTP/1.1 200').length - 1, 1, 'the second answer waits behind the first');
		// The first stream ends (its session is over): the second answer follows, frames and all.
		await publishSessionEnded(ownerDb(), { tenantId: t.id, accountId: a.id }, sessionIdFromToken(tokenA), 'signed_out');
		await until(() => received.split('event: snapshot').length - 1 === 2, "the second stream's snapshot after the first ended");
		assert.is(received.split('HTTP/1.1 200').length - 1, 2);
		const second = received.slice(received.lastIndexOf('HTTP/1.1 200'));
		assert.match(second, /transfer-encoding: chunked/i);
		// The body's first chunk, read by its size line: the retry line, the release and the snapshot, whole.
		const body = Buffer.from(second.slice(second.indexOf('\r\n\r\n') + 4), 'utf8');
		const sizeEnd = body.indexOf('\r\n');
		const size = parseInt(body.subarray(0, sizeEnd).toString(), 16);
		const first = body.subarray(sizeEnd + 2, sizeEnd + 2 + size).toString();
		assert.is(body.subarray(sizeEnd + 2 + size, sizeEnd + 4 + size).toString(), '\r\n', 'the first chunk is as long as its size line says');
		assert.match(first, /^retry: 2000\n\n(event: release\ndata: [^\n]*\n\n)?event: snapshot\ndata: [^\n]*\n\n$/, 'it holds the retry line, the release and the whole snapshot');
	} finally {
		socket.destroy();
	}
	const errors = appLogs.kiosk!.slice(logsBefore).filter((l) => l.includes('"level":"error"'));
	assert.equal(errors, []);
});

test.run();
