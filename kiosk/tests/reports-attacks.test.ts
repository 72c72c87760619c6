/**
 * Attacks on the report upload (issue 8, items 5, 10 and 19), from the kiosk's
 * side over real HTTP against the built app: reserved keys that would make a
 * report group unreadable, bodies nested deep enough to break a recursive walk,
 * and another tenant's report id.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { startApps, type Apps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signIn } from '../../platform/accounts/sign-in.ts';

const test = suite('report upload attacks');
let apps: Apps;

test.before(async () => {
	apps = await startApps();
});

async function kiosk() {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const s = await signIn('kiosk', { loginId: k.loginId, password: k.password });
	return { tenant: t, account: k, cookie: `kiosk_session=${s.token}` };
}

const reportText = (id: string, extra: string) =>
	`{"id":"${id}","kind":"error","message":"TypeError: x","appVersion":"1.0.0","userAgent":"Mozilla/5.0 test","occurredAt":"${new Date().toISOString()}"${extra}}`;

function post(cookie: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) {
	return fetch(`${apps.kiosk}/api/reports`, { method: 'POST', body, headers: { cookie, ...headers }, signal: AbortSignal.timeout(10_000) });
}

async function storedCount(accountId: string): Promise<number> {
	const [r] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from crash_reports where kiosk_account_id = ${accountId}`;
	return r!.n;
}

test('"__proto__", "constructor" and "prototype" keys anywhere in a report: 400 naming the field, nothing stored', async () => {
	const k = await kiosk();
	const cases: [string, string][] = [
		[',"device":{"__proto__":"x"}', 'device.__proto__'],
		[',"device":{"constructor":"x"}', 'device.constructor'],
		[',"device":{"prototype":null}', 'device.prototype'],
		[',"stats":{"__proto__":{"isAdmin":true}}', 'stats.__proto__'],
		[',"stats":{"outbound":[{"constructor":{"prototype":{"x":1}}}]}', 'stats.outbound.[0].constructor'],
		// The same key written with JSON escapes, or in full-width look-alike letters.
		[',"stats":{"\\u005f\\u005fproto\\u005f\\u005f":1}', 'stats.__proto__'],
		[',"device":{"\uff3f\uff3fproto\uff3f\uff3f":1}', 'device.\uff3f\uff3fproto\uff3f\uff3f'],
		[',"__proto__":{}', '__proto__']
	];
	for (const [extra, path] of cases) {
		for (const gzip of [false, true]) {
			const text = reportText(randomUUID(), extra);
			const res = gzip ? await post(k.cookie, gzipSync(text), { 'content-type': 'application/json', 'content-encoding': 'gzip' }) : await post(k.cookie, text);
			const body = (await res.json()) as { message: string; code: string };
			assert.is(res.status, 400, `${extra}: ${JSON.stringify(body)}`);
			assert.is(body.code, 'invalid_report');
			assert.ok(body.message.includes(`"${path}"`), `${body.message} names ${path}`);
		}
	}
	assert.is(await storedCount(k.account.id), 0);
});

test('a report nested 10,000 deep in stats, device or logs is a 400, and the app keeps serving', async () => {
	const k = await kiosk();
	for (const [field, open, close] of [
		['stats', '{"a":', '}'],
		['stats', '[', ']'],
		['device', '{"a":', '}'],
		['logs', '[', ']']
	] as const) {
		for (const n of [10_000, 40_000]) {
			const text = reportText(randomUUID(), `,"${field}":${open.repeat(n)}1${close.repeat(n)}`);
			const res = await post(k.cookie, text);
			const body = (await res.json()) as { message: string; code: string };
			assert.is(res.status, 400, `${field} ${open} ${n}: ${JSON.stringify(body)}`);
			assert.match(body.message, field);
		}
	}
	assert.is(await storedCount(k.account.id), 0);
	const ok = await post(k.cookie, reportText(randomUUID(), ',"stats":{"a":{"b":{"c":1}}}'));
	assert.is(ok.status, 202);
});

test("a kiosk of tenant B re-sending tenant A's report id stores its own report and is not told it is a duplicate", async () => {
	const a = await kiosk();
	const b = await kiosk();
	const id = randomUUID();
	const first = await post(a.cookie, reportText(id, ',"comment":"from A"'));
	assert.equal(await first.json(), { id, duplicate: false });
	// The attacker guesses or learns A's id and sends it: no "duplicate" answer that confirms A's report exists.
	const probe = await post(b.cookie, reportText(id, ',"comment":"from B"'));
	assert.is(probe.status, 202);
	assert.equal(await probe.json(), { id, duplicate: false });
	// Idempotency still holds inside each tenant.
	assert.equal(await (await post(b.cookie, reportText(id, ',"comment":"from B again"'))).json(), { id, duplicate: true });
	assert.equal(await (await post(a.cookie, reportText(id, ',"comment":"from A again"'))).json(), { id, duplicate: true });
	const rows = await ownerDb()<
		{ tenantId: string; comment: string }[]
	>`select tenant_id as "tenantId", body->>'comment' as comment from crash_reports where id = ${id} order by comment`;
	assert.equal(
		[...rows],
		[
			{ tenantId: a.tenant.id, comment: 'from A' },
			{ tenantId: b.tenant.id, comment: 'from B' }
		]
	);
});

test.run();
