/**
 * The kiosk's call button follows the tenant's business hours (issue 11, item 4): out of
 * hours it is off before anyone presses it and shows the tenant's message; the server
 * refuses a call all the same; an administrator's change reaches the open kiosk at
 * once; and when the store opens the button turns on by itself, without a reload (a
 * timer to the next opening, then the server's word).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { updatePolicies } from '../../platform/policies/policies.ts';
import { api, newContext, openStream, signInCookie, signInPage } from './call-helpers.ts';

const test = suite('business hours on the kiosk');

const hhmm = (d: Date) => d.toISOString().slice(11, 16);

test('out of hours the button is off with the tenant’s message; it turns on when the store opens, without a reload', async () => {
	const apps = await startApps();
	const tenant = await makeTenant({ name: 'Hours Store' });
	const admin = await makeAccount(tenant, { role: 'admin' });
	const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Lobby' });
	const concierge = await makeAccount(tenant, { role: 'concierge' });
	// A concierge is available, so only the hours keep the button off.
	const cCookie = await signInCookie(apps.console, concierge.loginId, concierge.password);
	const cStream = await openStream(apps.console, cCookie);
	await cStream.waitFor((e) => e.type === 'snapshot');
	assert.is((await api(apps.console, cCookie, '/api/presence', { status: 'available' })).status, 200);

	// The store opens (UTC) at the next whole minute at least 20 s away, until midnight.
	let opensAt = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
	if (opensAt.getTime() - Date.now() < 20_000) opensAt = new Date(opensAt.getTime() + 60_000);
	const day = String(opensAt.getUTCDay());
	const input: Record<string, string> = {
		passwordMinLength: '10',
		passwordMinClasses: '3',
		passwordMaxAgeDays: '0',
		lockoutThreshold: '3',
		lockoutMinutes: '15',
		sessionHours: '',
		ringTimeoutSeconds: '',
		ipAllowList: '',
		timeZone: 'UTC',
		holidays: '',
		closedMessage: 'Closed until the doors open.',
		[`open${day}`]: hhmm(opensAt),
		[`close${day}`]: '24:00'
	};
	await updatePolicies(admin.actor, input);

	const browser = await launchBrowser();
	const ctx = await newContext(browser);
	const page = await ctx.newPage();
	await signInPage(page, apps.kiosk, kiosk.loginId, kiosk.password);
	await page.waitForSelector('main[data-button-mode=closed]', { timeout: 15_000 });
	await page.evaluate('window.__notReloaded = true');
	assert.ok(await page.isDisabled('button.call'), 'the button is off before anyone presses it');
	assert.is((await page.innerText('[data-testid=closed-note]')).trim(), 'Closed until the doors open.');
	await screenshot(page, 'kiosk-closed');

	// The server refuses all the same.
	const kCookie = await signInCookie(apps.kiosk, kiosk.loginId, kiosk.password);
	const refused = await api(apps.kiosk, kCookie, '/api/calls', {});
	assert.is(refused.status, 409);
	assert.is(refused.body.code, 'closed');
	assert.is(refused.body.message, 'Closed until the doors open.');

	// The administrator changes the message: the open kiosk shows it at once.
	await updatePolicies(admin.actor, { ...input, closedMessage: 'Opening in a moment.' });
	await page.locator('[data-testid=closed-note]', { hasText: 'Opening in a moment.' }).waitFor({ timeout: 5_000 });
	assert.ok(await page.isDisabled('button.call'));

	// Opening time: the button turns on by itself, within a few seconds of it.
	const wait = opensAt.getTime() - Date.now();
	assert.ok(wait > 0, 'still before opening');
	await page.waitForSelector('main[data-button-mode=call] button.call:not([disabled])', { timeout: wait + 8_000 });
	const late = Date.now() - opensAt.getTime();
	assert.ok(late >= 0 && late < 8_000, `turned on ${late} ms after opening`);
	assert.is(await page.evaluate('window.__notReloaded === true'), true, 'not reloaded');
	assert.is(await page.locator('[data-testid=closed-note]').count(), 0);
	await screenshot(page, 'kiosk-opened');

	// And now the server places the call.
	await page.click('button.call');
	await page.waitForSelector('main[data-phase=ringing]', { timeout: 10_000 });
	const ringing = await ownerDb()<{ id: string }[]>`select id from calls where kiosk_account_id = ${kiosk.id} and state = 'ringing'`;
	assert.is(ringing.length, 1);
	assert.is((await api(apps.kiosk, kCookie, `/api/calls/${ringing[0]!.id}/cancel`, {})).status, 200);
	cStream.close();
	await ctx.close();
});

test.run();
