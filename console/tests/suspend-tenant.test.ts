/**
 * An operator suspends a tenant with a live call, in the browser, end to end with
 * the real LiveKit and Chromium (issue 11, items 7 and 8): the call ends, the kiosk
 * leaves the room and its screen locks, the concierge is signed out, and sign-in is
 * refused with a clear message until the operator resumes the tenant.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { newContext, signInPage, waitForMedia } from '../../kiosk/tests/call-helpers.ts';
import { roomService } from '../../platform/livekit.server.ts';
import { identityOf } from '../../platform/calls/index.ts';

const test = suite('suspend a tenant with a live call (built apps)');

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn().catch(() => null);
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

async function participants(room: string): Promise<string[]> {
	try {
		return (await roomService().listParticipants(room)).map((p) => p.identity);
	} catch (e) {
		if (/not.?found|does not exist/i.test(String((e as Error).message))) return [];
		throw e;
	}
}

test('suspend ends the live call, locks the kiosk, signs everyone out and refuses sign-in; resume lets them back', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const tenant = await makeTenant({ name: 'Suspended Store' });
	const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Counter kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Ren' });
	const platform = await makeTenant({ name: 'Platform', isPlatform: true });
	const op = await makeAccount(platform, { role: 'operator' });
	const kctx = await newContext(browser);
	const cctx = await newContext(browser);
	const octx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
	try {
		const k = await kctx.newPage();
		const c = await cctx.newPage();
		await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
		await signInPage(c, apps.console, concierge.loginId, concierge.password);
		await c.click('button:has-text("Available")');
		await c.waitForSelector('section[data-status=available]');
		await k.waitForSelector('button.call:not([disabled])');
		await k.click('button.call');
		await c.waitForSelector('li[data-call-id]');
		await c.click('li[data-call-id] button:has-text("Accept")');
		await k.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
		await waitForMedia(k);
		const [call] = await ownerDb()<{ id: string; roomName: string }[]>`select id, room_name as "roomName" from calls where kiosk_account_id = ${kiosk.id} and state = 'accepted'`;
		const identity = identityOf(tenant.id, kiosk.id);
		await until('the kiosk is in the room', async () => (await participants(call!.roomName)).includes(identity));

		const o = await octx.newPage();
		await signInPage(o, apps.console, op.loginId, op.password);
		await o.goto(`${apps.console}/operator/tenants/${tenant.id}`, { waitUntil: 'networkidle' });
		assert.is(await o.locator('[data-testid=live-calls]').innerText(), '1');
		await o.fill('input[name=reason]', 'contract ended');
		await o.click('button:has-text("Suspend service")');
		await o.locator('p.ok').waitFor();
		assert.match(await o.locator('p.ok').innerText(), /2 sessions ended, 1 live calls ended/);
		assert.is(await o.locator('[data-testid=tenant-state]').innerText(), 'suspended');
		await screenshot(o, 'operator-tenant-suspended');

		await k.waitForSelector('main[data-locked=true]', { timeout: 15_000 });
		await screenshot(k, 'kiosk-after-tenant-suspended');
		await until('the kiosk is gone from the room', async () => !(await participants(call!.roomName)).includes(identity), 15_000);
		const [row] = await ownerDb()`select state from calls where id = ${call!.id}`;
		assert.is(row!.state, 'ended');
		assert.is((await k.evaluate(`fetch('/api/me').then((r) => r.status)`)) as number, 401);
		assert.is((await c.evaluate(`fetch('/api/me').then((r) => r.status)`)) as number, 401);

		// Signing in again says why.
		const k2 = await kctx.newPage();
		await k2.goto(apps.kiosk + '/login', { waitUntil: 'networkidle' });
		await k2.fill('input[name=loginId]', kiosk.loginId);
		await k2.fill('input[name=password]', kiosk.password);
		await k2.click('button.submit');
		await k2.locator('.error').waitFor();
		assert.match(await k2.locator('.error').innerText(), /service is suspended/);
		await screenshot(k2, 'kiosk-sign-in-tenant-suspended');

		await o.click('button:has-text("Resume service")');
		await o.locator('[data-testid=tenant-state]:has-text("active")').waitFor();
		await k2.fill('input[name=password]', kiosk.password);
		await k2.click('button.submit');
		await k2.waitForURL(apps.kiosk + '/');
	} finally {
		await kctx.close();
		await cctx.close();
		await octx.close();
	}
});

test('operator pages refuse admins, concierges and bad ids; the platform audit log exports its reads', async () => {
	const apps = await startApps();
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const platform = await makeTenant({ isPlatform: true });
	const op = await makeAccount(platform, { role: 'operator' });
	const { signInHttp, get } = await import('../../platform/testing/http.ts');
	const as = await signInHttp(apps.console, admin.loginId, admin.password);
	const os = await signInHttp(apps.console, op.loginId, op.password);
	for (const p of ['/operator/system', '/operator/audit', '/operator/audit/export', `/operator/tenants/${t.id}`, '/operator?q=ab']) assert.is((await get(as, p)).status, 403, p);
	assert.is((await get(os, '/operator/tenants/not-a-uuid')).status, 404);
	assert.is((await get(os, '/operator?q=x')).status, 400);
	const suspend = await get(as, `/operator/tenants/${t.id}?/suspend`, {
		method: 'POST',
		headers: { origin: apps.console, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: 'suspend=1'
	});
	assert.is(suspend.status, 403);
	assert.is((await ownerDb()`select suspended_at from tenants where id = ${t.id}`)[0]!.suspended_at, null);
	assert.is((await get(os, `/operator/tenants/${t.id}`)).status, 200);
	const csv = await (await get(os, '/operator/audit/export?kind=operator')).text();
	assert.ok(csv.includes('"platform operator read data"'));
	assert.ok(csv.split('\r\n').length >= 2);
});

test.run();
