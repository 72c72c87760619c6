/**
 * The report upload endpoint over real HTTP against the built kiosk app:
 * every bad input gets a clear 4xx and stores nothing; random bodies never get a 5xx.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { randomBytes, randomUUID } from 'node:crypto';
import { startApps, type Apps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signIn } from '../../platform/accounts/sign-in.ts';

const test = suite('report upload');
let apps: Apps;

test.before(async () => {
	apps = await startApps();
});

async function kiosk(tenant?: { id: string }) {
	const t = tenant ?? (await makeTenant());
	const k = await makeAccount(t, { role: 'kiosk' });
	const s = await signIn('kiosk', { loginId: k.loginId, password: k.password });
	return { tenant: t, account: k, cookie: `kiosk_session=${s.token}` };
}

function report(over: Record<string, unknown> = {}) {
	return {
		id: randomUUID(),
		kind: 'error',
		message: 'TypeError: x is undefined',
		stack: 'TypeError: x is undefined\n    at f (http://127.0.0.1/_app/a.js:1:2)',
		appVersion: '1.0.0',
		userAgent: 'Mozilla/5.0 test',
		occurredAt: new Date().toISOString(),
		device: { platform: 'Linux', screen: '1280x800' },
		logs: ['[info] started'],
		...over
	};
}

function post(cookie: string | null, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }, init: RequestInit = {}) {
	return fetch(`${apps.kiosk}/api/reports`, { method: 'POST', body, headers: { ...(cookie ? { cookie } : {}), ...headers }, ...init });
}

async function stored(accountId: string): Promise<number> {
	const [r] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from crash_reports where kiosk_account_id = ${accountId}`;
	return r!.n;
}

async function refused(res: Response, status: number, code?: RegExp) {
	const text = await res.text();
	assert.is(res.status, status, text);
	const body = JSON.parse(text) as { message: string; code?: string };
	assert.ok(body.message && body.message.length > 5, 'a sentence for a person');
	if (code) assert.match(body.code ?? '', code);
}

test("a valid report is stored once, redacted, in the kiosk's tenant; a re-send is not stored twice", async () => {
	const k = await kiosk();
	const r = report({ message: 'failed for taro@example.jp', logs: ['call 090-1234-5678'], device: { imei: '490154203237518' } });
	const res = await post(k.cookie, JSON.stringify(r));
	assert.is(res.status, 202);
	assert.equal(await res.json(), { id: r.id, duplicate: false });
	const again = await post(k.cookie, JSON.stringify(r));
	assert.is(again.status, 202);
	assert.equal(await again.json(), { id: r.id, duplicate: true });
	const rows = await ownerDb()<{ tenantId: string; body: Record<string, unknown> }[]>`select tenant_id as "tenantId", body from crash_reports where id = ${r.id}`;
	assert.is(rows.length, 1);
	assert.is(rows[0]!.tenantId, k.tenant.id);
	const text = JSON.stringify(rows[0]!.body);
	for (const secret of ['taro@example.jp', '090-1234-5678', '490154203237518']) assert.not.ok(text.includes(secret), secret);
	assert.ok(text.includes('[email]') && text.includes('[phone]') && text.includes('[device-id]'));
});

test('gzip-compressed reports are accepted', async () => {
	const k = await kiosk();
	const res = await post(k.cookie, gzipSync(JSON.stringify(report())), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
	assert.is(res.status, 202, await res.clone().text());
	assert.is(await stored(k.account.id), 1);
});

test('too large on the wire (declared, and streamed without a length): 413, nothing stored', async () => {
	const k = await kiosk();
	const big = JSON.stringify(report({ logs: Array.from({ length: 200 }, () => 'x'.repeat(1000)), comment: 'y'.repeat(2000), stats: { pad: 'z'.repeat(60_000) } }));
	const huge = big + ' '.repeat(300 * 1024);
	await refused(await post(k.cookie, huge), 413, /too_large/);
	const stream = new ReadableStream({
		start(c) {
			for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode(' '.repeat(40 * 1024)));
			c.enqueue(new TextEncoder().encode(JSON.stringify(report())));
			c.close();
		}
	});
	const res = await post(k.cookie, stream, { 'content-type': 'application/json' }, { duplex: 'half' } as RequestInit);
	assert.is(res.status, 413);
	assert.is(await stored(k.account.id), 0);
});

test('a decompression bomb is cut off: 413, nothing stored, and the app keeps serving', async () => {
	const k = await kiosk();
	const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20));
	assert.ok(bomb.length < 256 * 1024, `bomb is ${bomb.length} bytes on the wire`);
	await refused(await post(k.cookie, bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413, /too_large/);
	// Just over 2 MB inflated is refused too; the limit is on the inflated size.
	const over = gzipSync(JSON.stringify(report({ stats: { pad: ' ' } })).replace('{', '{' + ' '.repeat(2 * 1024 * 1024)));
	await refused(await post(k.cookie, over, { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413);
	assert.is(await stored(k.account.id), 0);
	assert.is((await post(k.cookie, JSON.stringify(report()))).status, 202);
});

test('malformed bodies: 400 with a reason, nothing stored', async () => {
	const k = await kiosk();
	const cases: [BodyInit, Record<string, string>, RegExp][] = [
		['{"id": ', { 'content-type': 'application/json' }, /bad_json/],
		['[1,2,3]', { 'content-type': 'application/json' }, /invalid_report/],
		[JSON.stringify(report({ message: undefined })), { 'content-type': 'application/json' }, /invalid_report/],
		[JSON.stringify(report({ id: 'not-a-uuid' })), { 'content-type': 'application/json' }, /invalid_report/],
		[JSON.stringify(report({ kind: 'surprise' })), { 'content-type': 'application/json' }, /invalid_report/],
		[JSON.stringify(report({ logs: 'one line' })), { 'content-type': 'application/json' }, /invalid_report/],
		[JSON.stringify(report({ occurredAt: '1999-01-01T00:00:00Z' })), { 'content-type': 'application/json' }, /invalid_report/],
		[JSON.stringify(report({ tenantId: randomUUID() })), { 'content-type': 'application/json' }, /invalid_report/],
		[Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), { 'content-type': 'application/json' }, /bad_json/],
		['not gzip at all', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, /bad_gzip/],
		['', { 'content-type': 'application/json' }, /empty_body|bad_json/]
	];
	for (const [body, headers, code] of cases) await refused(await post(k.cookie, body, headers), 400, code);
	assert.is(await stored(k.account.id), 0);
});

test('wrong content type or encoding: 415, nothing stored', async () => {
	const k = await kiosk();
	const body = JSON.stringify(report());
	const origin = apps.kiosk;
	await refused(await post(k.cookie, body, { 'content-type': 'text/plain', origin }), 415);
	await refused(await post(k.cookie, body, { 'content-type': 'application/x-www-form-urlencoded', origin }), 415);
	await refused(await post(k.cookie, body, { 'content-type': 'application/json', 'content-encoding': 'br', origin }), 415);
	// A form post from another site is stopped earlier by SvelteKit's CSRF check.
	assert.is((await post(k.cookie, body, { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' })).status, 403);
	assert.is(await stored(k.account.id), 0);
});

test('no session, or a session that is not a kiosk session of this app: 401, nothing stored', async () => {
	const k = await kiosk();
	const r = report();
	await refused(await post(null, JSON.stringify(r)), 401);
	await refused(await post('kiosk_session=forged.token', JSON.stringify(r)), 401);
	// Another tenant's admin's console session presented as a kiosk cookie.
	const other = await makeTenant();
	const admin = await makeAccount(other, { role: 'admin' });
	const s = await signIn('console', { loginId: admin.loginId, password: admin.password });
	await refused(await post(`kiosk_session=${s.token}`, JSON.stringify(r)), 401);
	await refused(await post(`console_session=${s.token}`, JSON.stringify(r)), 401);
	const [n] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from crash_reports where id = ${r.id}`;
	assert.is(n!.n, 0);
	void k;
});

test("a kiosk cannot write into another tenant: its reports land in its own tenant, and another tenant's report id is not overwritten", async () => {
	const a = await kiosk();
	const b = await kiosk();
	const rb = report({ message: 'tenant B original' });
	assert.is((await post(b.cookie, JSON.stringify(rb))).status, 202);
	const res = await post(a.cookie, JSON.stringify({ ...rb, message: 'tenant A own report' }));
	assert.is(res.status, 202);
	// Ids are unique per tenant: A stores its own report and learns nothing about B's.
	assert.equal(await res.json(), { id: rb.id, duplicate: false });
	const rows = await ownerDb()<{ tenantId: string; message: string }[]>`select tenant_id as "tenantId", message from crash_reports where id = ${rb.id} order by message`;
	assert.equal(
		[...rows],
		[
			{ tenantId: a.tenant.id, message: 'tenant A own report' },
			{ tenantId: b.tenant.id, message: 'tenant B original' }
		]
	);
	assert.is(await stored(a.account.id), 1);
});

test('a disabled kiosk is refused: 401, nothing stored', async () => {
	const k = await kiosk();
	await ownerDb()`update accounts set disabled_at = now() where id = ${k.account.id}`;
	await refused(await post(k.cookie, JSON.stringify(report())), 401);
	assert.is(await stored(k.account.id), 0);
});

test('reports are rate-limited per kiosk: 429 beyond the burst, and only accepted reports are stored', async () => {
	const k = await kiosk();
	const other = await kiosk(k.tenant);
	const statuses: number[] = [];
	for (let i = 0; i < 30; i++) statuses.push((await post(k.cookie, JSON.stringify(report()))).status);
	const accepted = statuses.filter((s) => s === 202).length;
	assert.ok(statuses.includes(429), String(statuses));
	assert.ok(accepted >= 1 && accepted < 30);
	assert.is(await stored(k.account.id), accepted);
	const res = await post(k.cookie, JSON.stringify(report()));
	if (res.status === 429) await refused(res, 429, /rate_limited/);
	assert.is((await post(other.cookie, JSON.stringify(report()))).status, 202, 'another kiosk is not limited by this one');
});

test('random bodies, headers and encodings never get a 5xx', async () => {
	const kiosks = await Promise.all(Array.from({ length: 10 }, () => kiosk()));
	const types = ['application/json', 'application/json; charset=utf-8', 'text/plain', '', 'application/JSON', 'multipart/form-data; boundary=x'];
	const encodings = [undefined, 'gzip', 'identity', 'deflate', 'GZIP'];
	const values = () => [null, true, 0, -1, 1e308, '', 'x'.repeat(Math.floor(Math.random() * 3000)), [], {}, [1, 'a'], { a: { b: { c: [] } } }, '\u0000', '\ud800'];
	const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
	const fields = ['id', 'kind', 'message', 'stack', 'reason', 'comment', 'appVersion', 'userAgent', 'url', 'occurredAt', 'device', 'logs', 'stats', '__proto__', 'constructor'];
	const failures: string[] = [];
	for (let i = 0; i < 200; i++) {
		let body: Buffer<ArrayBuffer>;
		const mode = i % 5;
		if (mode === 0) body = randomBytes(Math.floor(Math.random() * 4096));
		else if (mode === 1) {
			const r: Record<string, unknown> = report();
			for (let j = 0; j < 3; j++) r[pick(fields)] = pick(values());
			body = Buffer.from(JSON.stringify(r));
		} else if (mode === 2) body = Buffer.from(JSON.stringify(report()).slice(0, Math.floor(Math.random() * 200)));
		else if (mode === 3) body = Buffer.from(JSON.stringify(pick(values())));
		else body = gzipSync(JSON.stringify(report({ device: { [pick(fields)]: pick(values()) } })));
		const enc = mode === 4 ? 'gzip' : pick(encodings);
		const headers: Record<string, string> = { 'content-type': pick(types) };
		if (enc) headers['content-encoding'] = enc;
		const res = await post(kiosks[i % kiosks.length]!.cookie, body, headers);
		if (res.status >= 500) failures.push(`${res.status} mode ${mode} ${JSON.stringify(headers)}: ${await res.text()}`);
		else await res.arrayBuffer();
	}
	assert.equal(failures, []);
});

test.run();
