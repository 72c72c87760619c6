/**
 * Per-concierge share permissions through the console's HTTP endpoint and the
 * admin page's checkboxes, against the built apps.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signInHttp, type SignedIn, post as postTo } from '../../platform/testing/http.ts';

const test = suite('share permissions (built apps)');

const PATH = '/api/accounts/permissions';
const post = (s: SignedIn | string, body: string, type = 'application/json') => postTo(s, PATH, body, type);

const flags = async (id: string) =>
	(await ownerDb()<{ share: boolean; view: boolean }[]>`select can_share_screen as share, can_view_kiosk_screen as view from accounts where id = ${id}`)[0]!;

test('the admin sets a concierge’s permissions; everyone else gets a clear 4xx and nothing changes', async () => {
	const { kiosk, console: con } = await startApps();
	const a = await makeTenant();
	const b = await makeTenant();
	const adminA = await makeAccount(a, { role: 'admin' });
	const conciergeA = await makeAccount(a, { role: 'concierge' });
	const kioskA = await makeAccount(a, { role: 'kiosk' });
	const conciergeB = await makeAccount(b, { role: 'concierge' });
	const as = await signInHttp(con, adminA.loginId, adminA.password);
	const cs = await signInHttp(con, conciergeA.loginId, conciergeA.password);
	const ks = await signInHttp(kiosk, kioskA.loginId, kioskA.password);

	const ok = await post(as, JSON.stringify({ loginId: conciergeA.loginId, canShareScreen: false, canViewKioskScreen: true }));
	assert.is(ok.status, 200);
	assert.equal(await ok.json(), { loginId: conciergeA.loginId, canShareScreen: false, canViewKioskScreen: true, changed: true });
	assert.equal(await flags(conciergeA.id), { share: false, view: true });

	const body = (v: Record<string, unknown>) => JSON.stringify({ loginId: conciergeA.loginId, ...v });
	const cases: [string, Promise<Response>, number][] = [
		['no session', post(con, body({ canShareScreen: true })), 401],
		['kiosk cookie on the console', post({ origin: con, cookie: ks.cookie.replace('kiosk_', 'console_') }, body({ canShareScreen: true })), 401],
		['concierge session', post(cs, body({ canShareScreen: true })), 403],
		["another tenant's login ID", post(as, JSON.stringify({ loginId: conciergeB.loginId, canShareScreen: false })), 404],
		['a kiosk target', post(as, JSON.stringify({ loginId: kioskA.loginId, canShareScreen: true })), 409],
		['form body', post(as, 'loginId=x&canShareScreen=true', 'application/x-www-form-urlencoded'), 415],
		['broken JSON', post(as, '{"loginId":'), 400],
		['array', post(as, '[1,2]'), 400],
		['string flag', post(as, body({ canShareScreen: 'true' })), 400],
		['number flag', post(as, body({ canViewKioskScreen: 1 })), 400],
		['null flag', post(as, body({ canShareScreen: null })), 400],
		['no flag', post(as, body({})), 400],
		['number login', post(as, JSON.stringify({ loginId: 42, canShareScreen: true })), 400]
	];
	for (const [name, p, status] of cases) {
		const r = await p;
		assert.is(r.status, status, name);
		assert.type((await r.json()).message, 'string', `${name}: a message for the person`);
	}
	assert.equal(await flags(conciergeA.id), { share: false, view: true }, 'unchanged by the refused requests');
	assert.equal(await flags(conciergeB.id), { share: true, view: true }, "tenant B's concierge was never touched");
});

test('unticking a checkbox on the admin page persists across a reload', async () => {
	const { console: con } = await startApps();
	const t = await makeTenant({ name: 'Nara Test Store' });
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge', displayName: 'Aiko (concierge)' });
	const browser = await launchBrowser();
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	await page.goto(con + '/login', { waitUntil: 'networkidle' });
	await page.fill('input[name=loginId]', admin.loginId);
	await page.fill('input[name=password]', admin.password);
	await page.click('button[type=submit]');
	await page.waitForURL(con + '/admin');
	const box = page.locator(`tr[data-login-id="${c.loginId}"] input[name=canShareScreen]`);
	assert.is(await box.isChecked(), true);
	const saved = page.waitForResponse((r) => r.url().endsWith(PATH) && r.request().method() === 'POST');
	await box.uncheck();
	assert.is((await saved).status(), 200);
	await page.reload();
	await box.waitFor();
	assert.is(await box.isChecked(), false, 'still unticked after a reload');
	assert.is(await page.locator(`tr[data-login-id="${c.loginId}"] input[name=canViewKioskScreen]`).isChecked(), true);
	assert.equal(await flags(c.id), { share: false, view: true });
	await screenshot(page, 'console-admin-permissions');
	await ctx.close();
});

test.run();
