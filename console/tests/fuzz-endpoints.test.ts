/**
 * Fuzzing every JSON endpoint and every form action of both apps (issue 8,
 * "Done means"): each gets a few hundred random bodies, signed in with the role
 * it serves, and must answer without a 5xx and within a bounded time.
 *
 * The endpoints are enumerated from kiosk/src/routes and console/src/routes
 * (every +server.ts POST handler and every +page.server.ts action); the first
 * test fails when a route file appears that this list does not know, so a new
 * endpoint cannot escape the fuzzer.
 *
 * Bodies: random bytes, truncated and deeply nested JSON, huge strings, valid
 * JSON with wrong types, multipart garbage (missing or wrong boundaries, broken
 * parts), url-encoded garbage (bad percent escapes, NULs, repeated fields),
 * text/plain, and random or missing content types.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startApps, type Apps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { signIn } from '../../platform/accounts/sign-in.ts';

const test = suite('fuzz every endpoint');
let apps: Apps;
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Per request: anything slower than this is a hang. */
const REQUEST_MS = 10_000;
const BODIES = Number(process.env.FUZZ_BODIES ?? 300);

type App = 'kiosk' | 'console';
type Role = 'kiosk' | 'admin' | 'concierge' | 'operator' | null;
interface Target {
	app: App;
	/** The route file it comes from, relative to src/routes. */
	route: string;
	/** The concrete path posted to. */
	path: string;
	role: Role;
	kind: 'json' | 'form';
	/** Fields the handler reads, so some random bodies are almost right. */
	fields: string[];
	/** Fewer bodies for the many variants of one route. */
	bodies?: number;
}

const KIOSK_CALL_ACTIONS = ['cancel', 'hangup', 'token', 'consent', 'share', 'blinder', 'unknown'];
const CONSOLE_CALL_ACTIONS = ['accept', 'hangup', 'token', 'request-screen', 'share', 'unknown'];

function targets(ids: { kioskCall: string; consoleCall: string }): Target[] {
	return [
		{ app: 'kiosk', route: 'api/calls/+server.ts', path: '/api/calls', role: 'kiosk', kind: 'json', fields: [] },
		...KIOSK_CALL_ACTIONS.flatMap((a) =>
			[ids.kioskCall, randomUUID(), 'not-a-uuid'].map((id, i): Target => ({
				app: 'kiosk',
				route: 'api/calls/[id]/[action]/+server.ts',
				path: `/api/calls/${id}/${a}`,
				role: 'kiosk',
				kind: 'json',
				fields: ['consent', 'allowMore', 'state', 'regions'],
				bodies: i === 0 ? 120 : 40
			}))
		),
		{
			app: 'kiosk',
			route: 'api/reports/+server.ts',
			path: '/api/reports',
			role: 'kiosk',
			kind: 'json',
			fields: ['id', 'kind', 'message', 'stack', 'appVersion', 'userAgent', 'occurredAt', 'device', 'logs', 'stats']
		},
		{ app: 'kiosk', route: 'login/+page.server.ts', path: '/login', role: null, kind: 'form', fields: ['loginId', 'password', 'next'] },
		{ app: 'kiosk', route: 'api/staff/pin/+server.ts', path: '/api/staff/pin', role: 'kiosk', kind: 'json', fields: ['pin'] },
		{ app: 'kiosk', route: 'logout/+page.server.ts', path: '/logout', role: 'kiosk', kind: 'form', fields: [] },
		...CONSOLE_CALL_ACTIONS.flatMap((a) =>
			[ids.consoleCall, randomUUID(), 'not-a-uuid'].map((id, i): Target => ({
				app: 'console',
				route: 'api/calls/[id]/[action]/+server.ts',
				path: `/api/calls/${id}/${a}`,
				role: 'concierge',
				kind: 'json',
				fields: ['state'],
				bodies: i === 0 ? 120 : 40
			}))
		),
		{ app: 'console', route: 'api/presence/+server.ts', path: '/api/presence', role: 'concierge', kind: 'json', fields: ['status'] },
		{ app: 'console', route: 'api/me/language/+server.ts', path: '/api/me/language', role: 'concierge', kind: 'json', fields: ['locale'] },
		{ app: 'console', route: 'api/accounts/disable/+server.ts', path: '/api/accounts/disable', role: 'admin', kind: 'json', fields: ['loginId', 'reason'] },
		{ app: 'console', route: 'api/accounts/enable/+server.ts', path: '/api/accounts/enable', role: 'operator', kind: 'json', fields: ['loginId'] },
		{
			app: 'console',
			route: 'api/accounts/permissions/+server.ts',
			path: '/api/accounts/permissions',
			role: 'admin',
			kind: 'json',
			fields: ['loginId', 'canShareScreen', 'canViewKioskScreen']
		},
		{
			app: 'console',
			route: 'api/livekit/webhook/+server.ts',
			path: '/api/livekit/webhook',
			role: null,
			kind: 'json',
			fields: ['event', 'room', 'participant', 'id', 'createdAt']
		},
		{ app: 'console', route: 'login/+page.server.ts', path: '/login', role: null, kind: 'form', fields: ['loginId', 'password', 'next'] },
		{ app: 'console', route: 'logout/+page.server.ts', path: '/logout', role: 'concierge', kind: 'form', fields: [] },
		// Owned by the form-reading helper being added to platform/web/http.ts (readForm, issue 8 item 10): these
		// answered 500 to multipart/text-plain garbage before it; the assertions stay and pass once it is merged.
		{ app: 'console', route: '(app)/admin/+page.server.ts', path: '/admin?/create', role: 'admin', kind: 'form', fields: ['loginId', 'displayName', 'role', 'password'] },
		{ app: 'console', route: '(app)/account/password/+page.server.ts', path: '/account/password', role: 'concierge', kind: 'form', fields: ['current', 'next'] },
		// Issue 11 (admin and operator pages).
		{ app: 'console', route: '(app)/admin/+page.server.ts', path: '/admin?/issueCode', role: 'admin', kind: 'form', fields: ['accountId'], bodies: 40 },
		{
			app: 'console',
			route: '(app)/admin/accounts/[id]/+page.server.ts',
			path: `/admin/accounts/${randomUUID()}?/rename`,
			role: 'admin',
			kind: 'form',
			fields: ['displayName'],
			bodies: 60
		},
		{
			app: 'console',
			route: '(app)/admin/accounts/[id]/+page.server.ts',
			path: `/admin/accounts/${randomUUID()}?/reset`,
			role: 'admin',
			kind: 'form',
			fields: ['password'],
			bodies: 60
		},
		{ app: 'console', route: '(app)/admin/fleet/+page.server.ts', path: '/admin/fleet?/command', role: 'admin', kind: 'form', fields: ['accountId', 'command'] },
		{
			app: 'console',
			route: '(app)/admin/settings/+page.server.ts',
			path: '/admin/settings?/save',
			role: 'admin',
			kind: 'form',
			fields: ['passwordMinLength', 'lockoutThreshold', 'ipAllowList', 'timeZone', 'open1', 'close1', 'holidays']
		},
		{ app: 'console', route: '(app)/admin/settings/+page.server.ts', path: '/admin/settings?/pin', role: 'admin', kind: 'form', fields: ['pin'], bodies: 40 },
		{ app: 'console', route: '(app)/reports/[groupId]/+page.server.ts', path: `/reports/${randomUUID()}?/status`, role: 'admin', kind: 'form', fields: ['status'] },
		{
			app: 'console',
			route: '(app)/operator/+page.server.ts',
			path: '/operator?/createTenant',
			role: 'operator',
			kind: 'form',
			fields: ['slug', 'name', 'adminLoginId', 'adminName', 'adminPassword']
		},
		{
			app: 'console',
			route: '(app)/operator/tenants/[id]/+page.server.ts',
			path: `/operator/tenants/${randomUUID()}?/suspend`,
			role: 'operator',
			kind: 'form',
			fields: ['suspend', 'reason']
		},
		{ app: 'console', route: '(app)/admin/blinder/+page.server.ts', path: '/admin/blinder?/save', role: 'admin', kind: 'form', fields: ['regions', 'e2ee'] },
		{ app: 'console', route: '(app)/admin/groups/+page.server.ts', path: '/admin/groups?/create', role: 'admin', kind: 'form', fields: ['name', 'overflowSeconds'] },
		{ app: 'console', route: '(app)/admin/groups/+page.server.ts', path: '/admin/groups?/update', role: 'admin', kind: 'form', fields: ['groupId', 'name', 'overflowSeconds'] },
		{ app: 'console', route: '(app)/admin/groups/+page.server.ts', path: '/admin/groups?/delete', role: 'admin', kind: 'form', fields: ['groupId'] },
		{ app: 'console', route: '(app)/admin/groups/+page.server.ts', path: '/admin/groups?/members', role: 'admin', kind: 'form', fields: ['groupId', 'conciergeId'] },
		{ app: 'console', route: '(app)/admin/groups/+page.server.ts', path: '/admin/groups?/kiosk', role: 'admin', kind: 'form', fields: ['kioskId', 'groupId'] }
	];
}

/** Every route file with a POST handler or form actions, as "app:route". */
function routeFiles(app: App): string[] {
	const base = `${root}${app}/src/routes/`;
	const out: string[] = [];
	const walk = (dir: string) => {
		for (const name of readdirSync(dir)) {
			const p = dir + name;
			if (statSync(p).isDirectory()) walk(p + '/');
			else if (name === '+server.ts' && /export const (POST|PUT|PATCH|DELETE)\b/.test(readFileSync(p, 'utf8'))) out.push(p.slice(base.length));
			else if (name === '+page.server.ts' && /export const actions\b/.test(readFileSync(p, 'utf8'))) out.push(p.slice(base.length));
		}
	};
	walk(base);
	return out.map((r) => `${app}:${r}`);
}

// ---- random bodies -------------------------------------------------------------

const rnd = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;

const CONTENT_TYPES = [
	'application/json',
	'application/json; charset=utf-8',
	'application/json-seq',
	'application/jsonx',
	'application/webhook+json',
	'text/plain',
	'text/plain; charset=utf-8',
	'application/x-www-form-urlencoded',
	'multipart/form-data',
	'multipart/form-data; boundary=',
	'multipart/form-data; boundary=XyZ',
	'multipart/form-data; boundary="a b"',
	'application/octet-stream',
	'text/html',
	'application/xml',
	'',
	'*/*',
	'application/json; charset=latin1',
	'multipart/mixed; boundary=XyZ',
	'x'.repeat(300)
];

const odd = (): unknown =>
	pick([
		null,
		true,
		false,
		0,
		-1,
		1e308,
		-0,
		3.14,
		'',
		' ',
		'\u0000',
		'\ud800',
		'\u202e',
		'x'.repeat(rnd(70_000)),
		'<script>alert(1)</script>',
		"' or 1=1 --",
		'../../etc/passwd',
		'%00',
		'a\r\nb',
		[],
		{},
		[1, 'a', null],
		{ a: { b: { c: [] } } },
		{ __proto__: null },
		randomUUID(),
		'available',
		'away',
		'live',
		'paused',
		'off',
		'true',
		new Date().toISOString()
	]);

/** String() that cannot throw (an object without a prototype has no toString). */
const text = (v: unknown): string => {
	try {
		return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
	} catch {
		return '[object]';
	}
};
/** encodeURIComponent that cannot throw (a lone surrogate is not encodable): the raw string then. */
const enc = (s: string): string => {
	try {
		return encodeURIComponent(s);
	} catch {
		return s;
	}
};

function nested(depth: number, open: string, close: string, inner = '1'): string {
	return open.repeat(depth) + inner + close.repeat(depth);
}

function jsonBody(fields: string[]): string | Buffer {
	switch (rnd(12)) {
		case 0:
			return randomBytes(rnd(4096));
		case 1: {
			const o: Record<string, unknown> = {};
			for (const f of fields) if (Math.random() < 0.7) o[f] = odd();
			return JSON.stringify(o).slice(0, rnd(200));
		}
		case 2:
			return nested(pick([100, 1_000, 10_000, 50_000]), '[', ']');
		case 3:
			return `{"${pick(fields.length ? fields : ['a'])}":${nested(pick([100, 10_000, 40_000]), '{"a":', '}')}}`;
		case 4:
			return JSON.stringify({ [pick(fields.length ? fields : ['x'])]: 'y'.repeat(pick([1_000, 100_000, 400_000])) });
		case 5:
			return JSON.stringify(odd());
		case 6:
			return JSON.stringify(Object.fromEntries(fields.map((f) => [f, odd()])));
		case 7:
			// Reserved keys, in plain and escaped form.
			return `{"__proto__":{"admin":true},"constructor":{"prototype":{}},"\\u005f_proto__":1${fields.map((f) => `,"${f}":${JSON.stringify(odd())}`).join('')}}`;
		case 8:
			return JSON.stringify(Array.from({ length: rnd(5_000) }, () => odd()));
		case 9:
			return '\ufeff' + JSON.stringify(Object.fromEntries(fields.map((f) => [f, odd()])));
		case 10:
			return `{"a":1}${pick(['', '\n{"b":2}', '\u001e{"c":3}', ' garbage', '}'])}`;
		default:
			return Buffer.from(JSON.stringify({ x: odd() }), 'utf16le');
	}
}

function formBody(fields: string[]): { body: string | Buffer; type?: string } {
	const names = [...fields, 'x', '', '__proto__', '/create'];
	switch (rnd(8)) {
		case 0: {
			// url-encoded with bad escapes, NULs, repeats, huge values
			const parts = Array.from(
				{ length: rnd(8) + 1 },
				() => `${enc(pick(names))}=${pick(['%zz', '%', '%E0%A4', '%00', 'a'.repeat(rnd(100_000)), enc(text(odd())), '+++', '&&&'])}`
			);
			return { body: parts.join('&'), type: 'application/x-www-form-urlencoded' };
		}
		case 1: {
			// multipart with a boundary that never appears, or broken parts
			const b = 'B' + randomUUID();
			const bodies = [
				`--${b}\r\nContent-Disposition: form-data; name="${pick(names)}"\r\n\r\nvalue`,
				`--${b}\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--${b}--`,
				`--${b}\r\nno headers at all\r\n--${b}--\r\n`,
				`--other\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--other--`,
				`--${b}\r\nContent-Disposition: form-data; name="${pick(names)}"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n${'z'.repeat(rnd(50_000))}\r\n--${b}--\r\n`,
				randomBytes(rnd(2048)).toString('binary')
			];
			return {
				body: Buffer.from(pick(bodies), 'binary'),
				type: pick([`multipart/form-data; boundary=${b}`, 'multipart/form-data', 'multipart/form-data; boundary=', `multipart/form-data; boundary="${b}"`])
			};
		}
		case 2:
			return { body: `${pick(names)}=${text(odd())}`, type: pick(['text/plain', 'text/plain; charset=utf-8']) };
		case 3:
			return { body: randomBytes(rnd(4096)), type: pick(CONTENT_TYPES) };
		case 4: {
			// almost right: the real fields with odd values
			const p = new URLSearchParams();
			for (const f of fields) p.append(f, text(odd()).slice(0, 5_000));
			if (Math.random() < 0.3) p.append(pick(names), 'dup');
			return { body: p.toString(), type: 'application/x-www-form-urlencoded' };
		}
		case 5: {
			const fd = new FormData();
			for (const f of fields) fd.append(f, Math.random() < 0.3 ? new Blob([randomBytes(rnd(1000))]) : text(odd()).slice(0, 5_000));
			return { body: fd as unknown as string };
		}
		case 6:
			return { body: '', type: pick(CONTENT_TYPES) };
		default:
			return { body: jsonBody(fields), type: pick(CONTENT_TYPES) };
	}
}

// ---- running -----------------------------------------------------------------

const sessions = new Map<string, string>();

async function cookieFor(app: App, role: Role, tenant: { id: string }, platform: { id: string }, fresh = false): Promise<string> {
	if (!role) return '';
	const key = `${app}:${role}`;
	if (!fresh && sessions.has(key)) return sessions.get(key)!;
	const a = await makeAccount(role === 'operator' ? platform : tenant, { role });
	const s = await signIn(app, { loginId: a.loginId, password: a.password });
	const cookie = `${app}_session=${s.token}`;
	// A fresh session is for sign-out, which ends it: never hand it to another route.
	if (!fresh) sessions.set(key, cookie);
	return cookie;
}

async function fire(origin: string, path: string, cookie: string, body: BodyInit, type: string | undefined): Promise<{ status: number; ms: number; error?: string }> {
	const headers: Record<string, string> = { origin, accept: pick(['application/json', 'text/html', '*/*', 'text/x-sveltekit-action']) };
	if (cookie) headers.cookie = cookie;
	if (type !== undefined) headers['content-type'] = type;
	if (Math.random() < 0.1) headers['x-sveltekit-action'] = 'true';
	const started = Date.now();
	try {
		const res = await fetch(origin + path, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_MS) });
		await res.arrayBuffer();
		return { status: res.status, ms: Date.now() - started };
	} catch (e) {
		const cause = (e as { cause?: { code?: string; message?: string } }).cause;
		return { status: 0, ms: Date.now() - started, error: `${(e as Error).name}: ${(e as Error).message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}` };
	}
}

async function fuzz(t: Target, tenant: { id: string }, platform: { id: string }): Promise<string[]> {
	const origin = t.app === 'kiosk' ? apps.kiosk : apps.console;
	const failures: string[] = [];
	const n = t.bodies ?? BODIES;
	// A few at a time: quicker, and concurrent garbage is part of the attack.
	const queue = Array.from({ length: n }, (_, i) => i);
	const worker = async () => {
		for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
			// Sign-out ends its session: give each body its own.
			const cookie = t.route.startsWith('logout') ? await cookieFor(t.app, t.role, tenant, platform, true) : await cookieFor(t.app, t.role, tenant, platform);
			let body: string | Buffer;
			let type: string | undefined;
			if (t.kind === 'json' && Math.random() < 0.75) {
				body = jsonBody(t.fields);
				type = Math.random() < 0.6 ? pick(['application/json', 'application/json; charset=utf-8']) : pick(CONTENT_TYPES);
			} else {
				const f = formBody(t.fields);
				body = f.body;
				type = f.type;
			}
			const r = await fire(origin, t.path, cookie, typeof body === 'string' ? body : new Uint8Array(body), type);
			const size = typeof body === 'string' ? body.length : body instanceof Buffer ? body.length : -1;
			if (r.status >= 500 || r.status === 0)
				failures.push(`#${i} ${type ?? '(none)'} ${size} bytes ${typeof body === 'string' ? body.slice(0, 80) : '(binary)'} → ${r.status || r.error} in ${r.ms} ms`);
		}
	};
	await Promise.all([worker(), worker(), worker(), worker()]);
	return failures;
}

let tenant: { id: string };
let platform: { id: string };
let all: Target[] = [];

test.before(async () => {
	apps = await startApps();
	tenant = await makeTenant();
	platform = await makeTenant({ isPlatform: true });
	// Real call ids of the signed-in kiosk and concierge, so the call actions get past "not found" sometimes.
	const kioskCookie = await cookieFor('kiosk', 'kiosk', tenant, platform);
	const conciergeCookie = await cookieFor('console', 'concierge', tenant, platform);
	await fetch(apps.console + '/api/presence', {
		method: 'POST',
		headers: { cookie: conciergeCookie, 'content-type': 'application/json', origin: apps.console },
		body: '{"status":"available"}'
	});
	const res = await fetch(apps.kiosk + '/api/calls', { method: 'POST', headers: { cookie: kioskCookie, 'content-type': 'application/json', origin: apps.kiosk }, body: '{}' });
	const call = (await res.json().catch(() => ({}))) as { id?: string; call?: { id?: string } };
	const callId = call.id ?? call.call?.id ?? randomUUID();
	all = targets({ kioskCall: callId, consoleCall: callId });
});

test('the fuzzer knows every POST endpoint and form action of both apps', () => {
	const known = new Set(all.map((t) => `${t.app}:${t.route}`));
	const found = [...routeFiles('kiosk'), ...routeFiles('console')];
	assert.equal(
		found.filter((f) => !known.has(f)),
		[],
		'route files with POST handlers or actions the fuzzer does not cover'
	);
	assert.ok(found.length >= 14, `found ${found.length}`);
});

// One test per route file, so a failure names its route; the route list is static (ids are filled in at run time).
const ROUTES = [...new Map(targets({ kioskCall: 'x', consoleCall: 'x' }).map((t) => [`${t.app}:${t.route}`, t])).values()];
const only = process.env.FUZZ_ROUTES ? new RegExp(process.env.FUZZ_ROUTES) : null;
for (const r of ROUTES.filter((x) => !only || only.test(`${x.app}:${x.route}`))) {
	// console (app)/admin and (app)/account/password: see the note in targets(); they may fail until readForm is merged.
	test(`${r.app} POST ${r.route.replace(/\/\+(server|page\.server)\.ts$/, '')}: no 5xx and no hang for random bodies`, async () => {
		const report: string[] = [];
		let sent = 0;
		for (const t of all.filter((x) => x.app === r.app && x.route === r.route)) {
			const failures = await fuzz(t, tenant, platform);
			sent += t.bodies ?? BODIES;
			if (failures.length) report.push(`${t.app} POST ${t.path}: ${failures.length} of ${t.bodies ?? BODIES} failed, e.g.\n    ${failures.slice(0, 3).join('\n    ')}`);
		}
		assert.ok(sent >= Math.min(BODIES, 120), `sent ${sent}`);
		assert.equal(report, [], report.join('\n'));
	});
}

/** Path segments and query strings an attacker might try on the read side. */
const oddSegment = () =>
	pick([
		randomUUID(),
		randomUUID().toUpperCase(),
		'not-a-uuid',
		'%00',
		'%zz',
		'%E0%A4',
		'..%2F..%2Fetc%2Fpasswd',
		'x'.repeat(rnd(5_000)),
		'%F0%9F%98%80',
		"'%20or%201=1--",
		'00000000-0000-0000-0000-000000000000',
		'__proto__',
		'constructor',
		encodeURIComponent('\u202e'),
		'%EF%BC%90'
	]);

test('GET pages and endpoints with random ids and query strings: no 5xx, no hang', async () => {
	const failures: string[] = [];
	const cases: [App, Role, (seg: string) => string][] = [
		['console', 'admin', (x) => `/reports/${x}`],
		['console', 'admin', (x) => `/reports/${x}/__data.json`],
		['console', 'operator', (x) => `/operator/reports/${x}`],
		['console', 'operator', (x) => `/operator/reports/${x}/__data.json`],
		['console', 'admin', (x) => `/reports?${x}=${x}`],
		['console', 'operator', (x) => `/operator?loginId=${x}`],
		['console', 'concierge', (x) => `/api/calls?${x}`],
		['console', 'admin', (x) => `/api/me?x=${x}`],
		['kiosk', 'kiosk', (x) => `/api/me?${x}`],
		['kiosk', 'kiosk', (x) => `/?${x}=1`],
		['console', 'admin', (x) => `/${x}`],
		['kiosk', 'kiosk', (x) => `/api/calls/${x}/token`]
	];
	for (const [app, role, path] of cases) {
		const origin = app === 'kiosk' ? apps.kiosk : apps.console;
		const cookie = await cookieFor(app, role, tenant, platform);
		for (let i = 0; i < 40; i++) {
			const url = origin + path(oddSegment());
			const started = Date.now();
			try {
				const post = url.includes('/api/calls/');
				const res = await fetch(url, {
					method: post ? 'POST' : 'GET',
					headers: { cookie, origin, accept: pick(['text/html', 'application/json', '*/*']), ...(post ? { 'content-type': 'application/json' } : {}) },
					body: post ? '{}' : undefined,
					redirect: 'manual',
					signal: AbortSignal.timeout(REQUEST_MS)
				});
				await res.arrayBuffer();
				if (res.status >= 500) failures.push(`${url.slice(0, 120)} → ${res.status}`);
			} catch (e) {
				failures.push(`${url.slice(0, 120)} → ${(e as Error).message} after ${Date.now() - started} ms`);
			}
		}
	}
	assert.equal(failures, []);
});

test.run();
