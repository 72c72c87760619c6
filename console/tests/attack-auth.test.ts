/**
 * Attacks on the console's signed-in account pages (issue 8: items 4, 10, 11, 12, 16):
 * an expired password driving the API and form actions, the change-password form
 * as a password oracle, learning other tenants' login IDs through account creation,
 * malformed form bodies, and audit flooding seen from the admin's page.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps, appLogs } from '../../platform/testing/apps.ts';
import { createTenant } from '../../platform/tenants/tenants.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { get, post, signInHttp, type SignedIn } from '../../platform/testing/http.ts';

const test = suite('account attacks (built console)');

const form = (s: SignedIn, path: string, body: BodyInit, type: string | null = 'application/x-www-form-urlencoded', extra: Record<string, string> = {}) =>
	get(s, path, { method: 'POST', headers: { origin: s.origin, accept: 'text/html', ...(type ? { 'content-type': type } : {}), ...extra }, body });
const exists = async (loginId: string) => (await ownerDb()<{ n: number }[]>`select count(*)::int as n from accounts where login_id = ${loginId}`)[0]!.n > 0;

test('an expired password opens only the change-password page: API 403 password_expired, pages and actions go to the change page', async () => {
	const { console: con } = await startApps();
	const t = await makeTenant({ passwordMaxAgeDays: 30 });
	const admin = await makeAccount(t, { role: 'admin', loginId: `${t.loginPrefix}-admin` });
	const victim = await makeAccount(t, { role: 'kiosk' });
	await ownerDb()`update accounts set password_changed_at = now() - interval '31 days' where id = ${admin.id}`;
	const s = await signInHttp(con, admin.loginId, admin.password);
	const json = (r: Response) => r.json() as Promise<{ code: string }>;

	for (const [method, path, body] of [
		['GET', '/api/me', undefined],
		['GET', '/api/events', undefined],
		['GET', '/api/calls', undefined],
		['POST', '/api/accounts/disable', JSON.stringify({ loginId: victim.loginId })],
		['POST', '/api/accounts/permissions', JSON.stringify({ loginId: victim.loginId, canShareScreen: true })],
		['POST', '/api/presence', JSON.stringify({ available: true })],
		['POST', '/api/no-such-endpoint', '{}']
	] as const) {
		const r = await get(s, path, { method, headers: { 'content-type': 'application/json', origin: con }, body });
		assert.is(r.status, 403, `${method} ${path}`);
		assert.is((await json(r)).code, 'password_expired', `${method} ${path}`);
	}
	const [v] = await ownerDb()<{ disabled: boolean }[]>`select disabled_at is not null as disabled from accounts where id = ${victim.id}`;
	assert.not.ok(v!.disabled, 'the disable did not happen');

	for (const path of ['/', '/admin', '/reports', '/operator', '/nowhere', '/account/password/../../admin']) {
		const r = await get(s, path);
		assert.is(r.status, 303, path);
		assert.is(r.headers.get('location'), '/account/password?expired=1', path);
	}
	// Client-side navigation asks for page data: it gets SvelteKit's redirect, not the data.
	const data = await get(s, '/admin/__data.json');
	const dataBody = await data.text();
	assert.match(dataBody, /"type":"redirect","location":"\/account\/password\?expired=1"/);
	assert.not.match(dataBody, /accounts/);
	// Form actions: a plain post, an enhanced one, and one that wants JSON. None runs.
	const create = (loginId: string) => new URLSearchParams({ loginId, displayName: 'Backdoor', role: 'admin', password: 'Backdoor-pass-123' });
	const plain = await form(s, '/admin?/create', create(`${t.loginPrefix}-backdoor-1`));
	assert.is(plain.status, 303);
	assert.is(plain.headers.get('location'), '/account/password?expired=1');
	const enhanced = await form(s, '/admin?/create', create(`${t.loginPrefix}-backdoor-2`), 'application/x-www-form-urlencoded', {
		accept: 'application/json',
		'x-sveltekit-action': 'true'
	});
	assert.equal(await enhanced.json(), { type: 'redirect', status: 303, location: '/account/password?expired=1' });
	const raw = await form(s, '/admin?/create', create(`${t.loginPrefix}-backdoor-3`), 'application/x-www-form-urlencoded', { accept: '*/*' });
	assert.is(raw.status, 403);
	for (let i = 1; i <= 3; i++) assert.not.ok(await exists(`${t.loginPrefix}-backdoor-${i}`), `backdoor ${i} not created`);

	// What is allowed: the change page, its action, sign-out.
	assert.is((await get(s, '/account/password')).status, 200);
	const changed = await form(s, '/account/password', new URLSearchParams({ current: admin.password, next: 'Fresh-pass-2026x' }));
	assert.is(changed.status, 303);
	assert.is(changed.headers.get('location'), '/login?changed=1');
	const fresh = await signInHttp(con, admin.loginId, 'Fresh-pass-2026x');
	assert.is((await get(fresh, '/api/me')).status, 200, 'a changed password opens everything again');
	assert.is((await form(fresh, '/admin?/create', create(`${t.loginPrefix}-real-1`))).status, 200);
	assert.ok(await exists(`${t.loginPrefix}-real-1`));
});

test('sign-out works with an expired password', async () => {
	const { console: con } = await startApps();
	const t = await makeTenant({ passwordMaxAgeDays: 10 });
	const c = await makeAccount(t);
	await ownerDb()`update accounts set password_changed_at = now() - interval '11 days' where id = ${c.id}`;
	const s = await signInHttp(con, c.loginId, c.password);
	const out = await form(s, '/logout', '');
	assert.is(out.status, 303);
	assert.is(out.headers.get('location'), '/login');
	assert.is((await get(s, '/api/me')).status, 401, 'the session is gone');
});

test('change password is no oracle: wrong "current" answers count toward the lockout, then even the right one is refused', async () => {
	const { console: con } = await startApps();
	const t = await makeTenant();
	const c = await makeAccount(t);
	const s = await signInHttp(con, c.loginId, c.password);
	const attempt = (current: string) => form(s, '/account/password', new URLSearchParams({ current, next: 'Other-pass-2026' }));
	const statuses = [];
	for (let i = 0; i < 3; i++) statuses.push((await attempt(`Guess-${i}-xyz`)).status);
	assert.equal(statuses, [400, 400, 429]);
	const right = await attempt(c.password);
	assert.is(right.status, 429, 'no longer checked from this address');
	assert.match(await right.text(), /Too many/);
	// The same lock holds at the sign-in form, answered like a wrong password.
	const r = await fetch(con + '/login', {
		method: 'POST',
		redirect: 'manual',
		headers: { origin: con, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ loginId: c.loginId, password: c.password })
	});
	assert.is(r.status, 401);
	assert.match(await r.text(), /incorrect/);
	const [row] = await ownerDb()<{ n: number }[]>`select coalesce(sum((detail->>'count')::int), 0)::int as n from audit_log where target_id = ${c.id} and action = 'signin.failed'`;
	assert.is(row!.n, 3, 'three wrong current passwords were checked and counted');
});

test('change password: 20 concurrent guesses of the current password check at most 3', async () => {
	const { console: con } = await startApps();
	const t = await makeTenant();
	const c = await makeAccount(t);
	const s = await signInHttp(con, c.loginId, c.password);
	const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => form(s, '/account/password', new URLSearchParams({ current: `Guess-${i}-xyz`, next: 'Other-pass-2026' }))));
	assert.ok(
		rs.every((r) => r.status === 400 || r.status === 429),
		rs.map((r) => r.status).join()
	);
	const [row] = await ownerDb()<{ n: number }[]>`select coalesce(sum((detail->>'count')::int), 0)::int as n from audit_log where target_id = ${c.id} and action = 'signin.failed'`;
	assert.is(row!.n, 3);
});

test("creating an account never reveals another tenant's login IDs", async () => {
	const { console: con } = await startApps();
	const ginza = await createTenant(ownerDb(), { slug: `ginza-${crypto.randomUUID().slice(0, 6)}`, name: 'Ginza', loginPrefix: `gz${crypto.randomUUID().slice(0, 6)}` });
	const osaka = await makeTenant();
	const ginzaAdmin = await makeAccount(ginza, { role: 'admin', loginId: `${ginza.loginPrefix}-admin` });
	const osakaAdmin = await makeAccount(osaka, { role: 'admin', loginId: `${osaka.loginPrefix}-admin` });
	const s = await signInHttp(con, osakaAdmin.loginId, osakaAdmin.password);
	const create = (loginId: string) => form(s, '/admin?/create', new URLSearchParams({ loginId, displayName: 'Probe', role: 'kiosk', password: 'Probe-pass-12345' }));
	const taken = await create(ginzaAdmin.loginId);
	const free = await create(`${ginza.loginPrefix}-nobody-here`);
	assert.is(taken.status, 400);
	assert.is(free.status, 400);
	const [a, b] = [await taken.text(), await free.text()];
	assert.not.match(a, /in use/);
	assert.match(a, new RegExp(`start with &quot;${osaka.loginPrefix}-&quot;|start with "${osaka.loginPrefix}-"`));
	const message = (page: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(page)?.[1];
	assert.ok(message(a));
	assert.is(message(a), message(b), 'taken and free IDs of another tenant answer alike');
	assert.is((await create(`${osaka.loginPrefix}-kiosk-1`)).status, 200);
	assert.is((await create(`${osaka.loginPrefix}-kiosk-1`)).status, 409, 'a duplicate in the own tenant is "in use"');
});

test('malformed bodies on /account/password and /admin?/create answer 400, never 500; fuzz of 150 each sees no 5xx', async () => {
	const { console: con } = await startApps();
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const s = await signInHttp(con, admin.loginId, admin.password);
	const bodies: [string, BodyInit, string | null][] = [
		['text/plain', 'current=a&next=b', 'text/plain'],
		['multipart without boundary', 'x', 'multipart/form-data'],
		['truncated multipart', '--b\r\nContent-Disposition: form-data; name="current"\r\n\r\nabc', 'multipart/form-data; boundary=b'],
		['multipart garbage', '\u0000--b--', 'multipart/form-data; boundary=b'],
		['no content type', 'current=a', null],
		['json', '{}', 'application/json']
	];
	for (const path of ['/account/password', '/admin?/create']) {
		for (const [name, body, type] of bodies) {
			const r = await form(s, path, body, type);
			// SvelteKit itself answers 415 to a JSON body on a form action; the rest reach readForm.
			assert.is(r.status, type === 'application/json' ? 415 : 400, `${path} ${name}: ${r.status}`);
		}
		const file = new FormData();
		file.set('current', new Blob(['x']), 'x.txt');
		file.set('loginId', new Blob(['x']), 'x.txt');
		const f = await form(s, path, file, null);
		assert.ok(f.status >= 400 && f.status < 500, `${path} file fields: ${f.status}`);
	}
	const types = [
		'text/plain',
		'multipart/form-data; boundary=b',
		'multipart/form-data',
		'application/x-www-form-urlencoded',
		'multipart/form-data; boundary="',
		'text/plain; charset=shift_jis'
	];
	const chunks = [
		'--b',
		'\r\n',
		'Content-Disposition: form-data; name="current"',
		'name="loginId"; filename="x"',
		'=',
		'&',
		'%',
		'%zz',
		'\u0000',
		'店',
		'next',
		'role=admin',
		'x'.repeat(300),
		'--b--',
		'\ud800'
	];
	for (const path of ['/account/password', '/admin?/create']) {
		for (let i = 0; i < 150; i++) {
			let body = '';
			for (let j = 0, n = Math.floor(Math.random() * 12); j < n; j++) body += chunks[Math.floor(Math.random() * chunks.length)];
			const type = types[Math.floor(Math.random() * types.length)]!;
			const r = await form(s, path, body, type);
			assert.ok(r.status < 500, `${path} ${type} ${JSON.stringify(body).slice(0, 200)}: ${r.status}`);
			await r.arrayBuffer();
		}
	}
	// The admin is still signed in: none of this counted as a wrong password.
	assert.is((await get(s, '/api/me')).status, 200);
});

test("58 anonymous refused sign-ins do not push real entries off the admin's audit page", async () => {
	const { console: con } = await startApps();
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const victim = await makeAccount(t);
	const s = await signInHttp(con, admin.loginId, admin.password);
	await post(s, '/api/accounts/disable', JSON.stringify({ loginId: victim.loginId, reason: 'marker' }));
	await Promise.all(
		Array.from({ length: 58 }, () =>
			fetch(con + '/login', {
				method: 'POST',
				redirect: 'manual',
				headers: { origin: con, 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ loginId: admin.loginId, password: 'Wrong-pass-1' })
			})
		)
	);
	const [rows] = await ownerDb()<{ n: number; total: number }[]>`
		select count(*)::int as n, coalesce(sum((detail->>'count')::int), 0)::int as total from audit_log
		where target_id = ${admin.id} and action in ('signin.failed', 'signin.refused_locked')`;
	assert.ok(rows!.n <= 4, `${rows!.n} rows`);
	assert.is(rows!.total, 58, 'every refusal is counted');
	const page = await (await get(s, '/admin')).text();
	assert.match(page, /account\.disabled/, 'the real entry is still on the first page');
	assert.match(page, /×\d+/, 'the count is shown');
});

test('no request in this file produced a server error in the app logs', async () => {
	const logs = (appLogs.console ?? []).filter((l) => l.includes('"level":"error"'));
	assert.equal(logs, []);
});

test.run();
