/**
 * Sign-in through the real built apps: bad input from outside gets a clear 4xx,
 * never a 500; cookies are app-bound; and a kiosk and a concierge sign in through
 * the real pages in Chromium.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps, appLogs } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { get, signInHttp } from '../../platform/testing/http.ts';

const test = suite('sign-in (built apps)');

const form = (origin: string, body: BodyInit, type = 'application/x-www-form-urlencoded', extra: Record<string, string> = {}) =>
	fetch(origin + '/login', { method: 'POST', redirect: 'manual', headers: { origin, accept: 'text/html', 'content-type': type, ...extra }, body });

test('missing fields, wrong types and wrong content types get a 4xx with a message', async () => {
	const { kiosk, console: con } = await startApps();
	for (const origin of [kiosk, con]) {
		const cases: [string, Response][] = [
			['no fields', await form(origin, '')],
			['no password', await form(origin, 'loginId=someone')],
			['empty', await form(origin, 'loginId=&password=')],
			['json body', await form(origin, JSON.stringify({ loginId: 'a', password: 'b' }), 'application/json')],
			['text body', await form(origin, 'hello', 'text/plain')],
			[
				'multipart file as password',
				await form(
					origin,
					(() => {
						const f = new FormData();
						f.set('loginId', 'abc');
						f.set('password', new Blob(['x']), 'p.txt');
						return f;
					})(),
					undefined as never
				)
			]
		];
		for (const [name, r] of cases) {
			assert.ok(r.status >= 400 && r.status < 500, `${origin} ${name}: ${r.status}`);
		}
		const page = await (await form(origin, 'loginId=someone')).text();
		assert.match(page, /Enter your password/);
	}
});

test('cross-site form posts are refused (CSRF origin check)', async () => {
	const { kiosk } = await startApps();
	const r = await form(kiosk, 'loginId=a&password=b', undefined, { origin: 'https://evil.example' });
	assert.is(r.status, 403);
});

test('a 1 MB body is refused with 413 before it is read', async () => {
	const { kiosk, console: con } = await startApps();
	for (const origin of [kiosk, con]) {
		const r = await form(origin, 'loginId=a&password=' + 'x'.repeat(1024 * 1024));
		assert.is(r.status, 413, origin);
	}
});

test('malformed and foreign cookies are treated as signed out, never a 500', async () => {
	const { kiosk, console: con } = await startApps();
	const t = await makeTenant();
	const c = await makeAccount(t, { role: 'concierge' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const consoleSession = await signInHttp(con, c.loginId, c.password);
	const kioskSession = await signInHttp(kiosk, k.loginId, k.password);
	const junk = [
		'kiosk_session=',
		'kiosk_session=%%%',
		'kiosk_session=' + 'a'.repeat(5000),
		'kiosk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
		'kiosk_session="\\u0000"',
		'kiosk_session=abc; kiosk_session=def',
		consoleSession.cookie.replace('console_', 'kiosk_')
	];
	for (const cookie of junk) {
		const r = await fetch(kiosk + '/', { redirect: 'manual', headers: { cookie } });
		assert.is(r.status, 303, cookie.slice(0, 40));
		assert.match(r.headers.get('location') ?? '', /^\/login/);
	}
	// The kiosk's own cookie sent to the console is not a console session.
	const r = await fetch(con + '/', { redirect: 'manual', headers: { cookie: kioskSession.cookie.replace('kiosk_', 'console_') } });
	assert.is(r.status, 303);
	// And the real ones work.
	assert.is((await get(kioskSession, '/')).status, 200);
	assert.is((await get(consoleSession, '/')).status, 200);
});

test('signing out kills the cookie for good', async () => {
	const { kiosk } = await startApps();
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const s = await signInHttp(kiosk, k.loginId, k.password);
	const out = await get(s, '/logout', { method: 'POST', headers: { origin: kiosk, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
	assert.is(out.status, 303);
	const after = await get(s, '/');
	assert.is(after.status, 303, 'the old cookie no longer opens the standby screen');
});

test('a kiosk and a concierge sign in through the real pages in Chromium', async () => {
	const { kiosk, console: con } = await startApps();
	const t = await makeTenant({ name: 'Shibuya Test Store' });
	const k = await makeAccount(t, { role: 'kiosk', displayName: 'Front door kiosk' });
	const c = await makeAccount(t, { role: 'concierge', displayName: 'Concierge Ito' });
	const browser = await launchBrowser();

	const kctx = await browser.newContext({ viewport: { width: 1024, height: 768 } });
	const kp = await kctx.newPage();
	await kp.goto(kiosk + '/', { waitUntil: 'networkidle' });
	assert.match(kp.url(), /\/login/);
	await kp.fill('input[name=loginId]', k.loginId);
	await kp.fill('input[name=password]', 'wrong-Password-1');
	await kp.click('button[type=submit]');
	await kp.getByRole('alert').waitFor();
	assert.match(await kp.getByRole('alert').innerText(), /incorrect/);
	await screenshot(kp, 'kiosk-sign-in-error');
	await kp.fill('input[name=password]', k.password);
	await kp.click('button[type=submit]');
	await kp.waitForURL(kiosk + '/');
	assert.match(await kp.locator('body').innerText(), /Shibuya Test Store/);
	await screenshot(kp, 'kiosk-standby');

	const cctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const cp = await cctx.newPage();
	await cp.goto(con + '/login', { waitUntil: 'networkidle' });
	await cp.fill('input[name=loginId]', c.loginId);
	await cp.fill('input[name=password]', c.password);
	await cp.click('button[type=submit]');
	await cp.waitForURL(con + '/');
	assert.match(await cp.locator('nav').innerText(), /Concierge Ito/);
	await screenshot(cp, 'console-concierge-home');

	// A kiosk account on the console is refused with a message for the person.
	const xp = await cctx.newPage();
	await cctx.clearCookies();
	await xp.goto(con + '/login', { waitUntil: 'networkidle' });
	await xp.fill('input[name=loginId]', k.loginId);
	await xp.fill('input[name=password]', k.password);
	await xp.click('button[type=submit]');
	await xp.getByRole('alert').waitFor();
	assert.match(await xp.getByRole('alert').innerText(), /Kiosk accounts cannot sign in to the console/);
	await kctx.close();
	await cctx.close();
});

test('no request in this file produced a server error in the app logs', async () => {
	const logs = [...(appLogs.kiosk ?? []), ...(appLogs.console ?? [])].filter((l) => l.includes('"level":"error"'));
	assert.equal(logs, []);
});

test.run();
