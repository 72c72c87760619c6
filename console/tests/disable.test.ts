/**
 * Remote disable through the console's HTTP endpoint and admin page, against the
 * built apps: the disabled kiosk's old cookie gets 401 on its next request.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { get, post, signInHttp } from '../../platform/testing/http.ts';

const test = suite('remote disable (built apps)');

test('admin disables a kiosk: its cookie gets 401 at once, sign-in says disabled; enable restores', async () => {
	const { kiosk, console: con } = await startApps();
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const ks = await signInHttp(kiosk, k.loginId, k.password);
	assert.is((await get(ks, '/api/me')).status, 200);
	const as = await signInHttp(con, admin.loginId, admin.password);
	const r = await post(as, '/api/accounts/disable', JSON.stringify({ loginId: k.loginId, reason: 'lost' }));
	assert.is(r.status, 200);
	const body = await r.json();
	assert.is(body.disabled, true);
	assert.is(body.revokedSessions, 1);
	assert.is((await get(ks, '/api/me')).status, 401);
	const page = await fetch(kiosk + '/login', {
		method: 'POST',
		headers: { origin: kiosk, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ loginId: k.loginId, password: k.password })
	});
	assert.is(page.status, 403);
	assert.match(await page.text(), /This account has been disabled/);
	assert.is((await post(as, '/api/accounts/enable', JSON.stringify({ loginId: k.loginId }))).status, 200);
	const again = await signInHttp(kiosk, k.loginId, k.password);
	assert.is((await get(again, '/api/me')).status, 200);
});

test('the endpoint refuses bad input and the wrong people with a clear 4xx', async () => {
	const { kiosk, console: con } = await startApps();
	const a = await makeTenant();
	const b = await makeTenant();
	const adminA = await makeAccount(a, { role: 'admin' });
	const conciergeA = await makeAccount(a, { role: 'concierge' });
	const kioskA = await makeAccount(a, { role: 'kiosk' });
	const kioskB = await makeAccount(b, { role: 'kiosk' });
	const as = await signInHttp(con, adminA.loginId, adminA.password);
	const cs = await signInHttp(con, conciergeA.loginId, conciergeA.password);
	const ks = await signInHttp(kiosk, kioskA.loginId, kioskA.password);
	const kb = await signInHttp(kiosk, kioskB.loginId, kioskB.password);
	const cases: [string, Promise<Response>, number][] = [
		['no session', post(con, '/api/accounts/disable', JSON.stringify({ loginId: kioskA.loginId })), 401],
		[
			'kiosk cookie on the console',
			post({ origin: con, cookie: ks.cookie.replace('kiosk_', 'console_') }, '/api/accounts/disable', JSON.stringify({ loginId: kioskB.loginId })),
			401
		],
		['concierge', post(cs, '/api/accounts/disable', JSON.stringify({ loginId: kioskA.loginId })), 403],
		["another tenant's kiosk", post(as, '/api/accounts/disable', JSON.stringify({ loginId: kioskB.loginId })), 404],
		['form body', post(as, '/api/accounts/disable', 'loginId=x', 'application/x-www-form-urlencoded'), 415],
		['broken JSON', post(as, '/api/accounts/disable', '{"loginId":'), 400],
		['array', post(as, '/api/accounts/disable', '[1,2]'), 400],
		['number login', post(as, '/api/accounts/disable', '{"loginId":42}'), 400],
		['missing login', post(as, '/api/accounts/disable', '{}'), 400],
		['1 MB body', post(as, '/api/accounts/disable', JSON.stringify({ loginId: 'x'.repeat(1024 * 1024) })), 413]
	];
	for (const [name, p, status] of cases) assert.is((await p).status, status, name);
	assert.is((await get(kb, '/api/me')).status, 200, "tenant B's kiosk was never touched");
	assert.is((await get(ks, '/api/me')).status, 200);
});

test('the admin page lists accounts and disables one with a click', async () => {
	const { kiosk, console: con } = await startApps();
	const t = await makeTenant({ name: 'Kyoto Test Store' });
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk', displayName: 'Lost tablet' });
	const ks = await signInHttp(kiosk, k.loginId, k.password);
	const browser = await launchBrowser();
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	await page.goto(con + '/login', { waitUntil: 'networkidle' });
	await page.fill('input[name=loginId]', admin.loginId);
	await page.fill('input[name=password]', admin.password);
	await page.click('button[type=submit]');
	await page.waitForURL(con + '/admin');
	await page.fill('input[type=search]', k.loginId);
	page.once('dialog', (d) => void d.accept());
	await page.locator(`tr[data-login-id="${k.loginId}"] button[data-action=disable]`).click();
	await page.locator(`tr[data-login-id="${k.loginId}"] .pill.bad`).waitFor();
	await page.fill('input[type=search]', '');
	await screenshot(page, 'console-admin-disabled');
	assert.is((await get(ks, '/api/me')).status, 401);
	await ctx.close();
});

test.run();
