/**
 * Issue 10, item 7, with two real builds: build 1 serves both apps; a kiosk sits on
 * standby, another is in a call with a concierge, an admin has a console page open.
 * Both apps are then swapped for build 2 on the same ports (stopped with SIGTERM and
 * started again, as a deploy does). Then:
 * - the standby kiosk reloads into build 2 within 60 s of build 2 answering;
 * - the kiosk in the call does not reload while the call lasts (it knows of the new
 *   build and waits), reloads into build 2 once the call has ended, and the call
 *   itself survived the swap;
 * - the console shows the "new version" notice and never reloads by itself; its
 *   Reload button waits for the end of the call and then loads build 2;
 * - after the reloads each kiosk has reported build 2 for the fleet view (`?v=`).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { stopApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { newContext, signInPage } from './call-helpers.ts';
import { buildAgain, firstBuild, PAGE_VERSION, serve, type Build, type Served } from './update-builds.ts';

const test = suite('updates without interrupting calls (two builds)');

const KIOSK_PORT = Number(process.env.TEST_KIOSK_PORT ?? 5183);
const CONSOLE_PORT = Number(process.env.TEST_CONSOLE_PORT ?? 5184);

const pageVersion = (p: Page) => p.evaluate(PAGE_VERSION) as Promise<string | null>;
/** A mark on the page's window: gone after any reload. */
const mark = (p: Page) => p.evaluate(`window.__sameDocument = true`);
const marked = (p: Page) => p.evaluate(`window.__sameDocument === true`) as Promise<boolean>;
/** Poll (from here: the page's CSP forbids eval) until the page reports this version; a page mid-reload is asked again. */
async function waitVersion(p: Page, v: string, ms: number): Promise<void> {
	const deadline = Date.now() + ms;
	let last: string | null = null;
	while (Date.now() < deadline) {
		last = await pageVersion(p).catch(() => null);
		if (last === v) return;
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`page still on ${last} after ${ms} ms, expected ${v}`);
}

test('standby kiosk reloads into build 2 within a minute; the kiosk in a call only after it; the console shows a notice and never reloads', async () => {
	const one = firstBuild();
	const v2 = `two-${Date.now().toString(36)}`;
	const two: Build = await buildAgain(v2);
	assert.equal(two.version, { kiosk: v2, console: v2 }, 'build 2 carries APP_VERSION in both apps');
	assert.is.not(one.version.kiosk, v2);
	assert.is.not(one.version.console, v2);
	// This test serves the apps itself on the test ports: later tests start build 1 again (startApps).
	await stopApps();
	let kioskApp: Served = await serve('kiosk', one, KIOSK_PORT);
	let consoleApp: Served = await serve('console', one, CONSOLE_PORT);
	const browser = await launchBrowser();
	const tenant = await makeTenant({ name: 'Release Store' });
	const standby = await makeAccount(tenant, { role: 'kiosk', displayName: 'Standby kiosk' });
	const caller = await makeAccount(tenant, { role: 'kiosk', displayName: 'Calling kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Ren' });
	const admin = await makeAccount(tenant, { role: 'admin' });
	const contexts = await Promise.all([newContext(browser), newContext(browser), newContext(browser), newContext(browser)]);
	try {
		const [ks, kc, c, a] = await Promise.all(contexts.map((x) => x.newPage()));
		await signInPage(ks!, kioskApp.origin, standby.loginId, standby.password);
		await signInPage(kc!, kioskApp.origin, caller.loginId, caller.password);
		await signInPage(c!, consoleApp.origin, concierge.loginId, concierge.password);
		await signInPage(a!, consoleApp.origin, admin.loginId, admin.password);
		// A page that does not refresh its own data: the fleet page re-loads its data every 5 s, and after a deploy
		// SvelteKit answers a failed data load by loading the page afresh (its own version-skew handling).
		await a!.goto(consoleApp.origin + '/account/password', { waitUntil: 'networkidle' });
		const adminLoadedAt = Date.now();

		// A call on build 1.
		await c!.click('button:has-text("Available")');
		await c!.waitForSelector('section[data-status=available]');
		await kc!.waitForSelector('button.call:not([disabled])');
		await kc!.click('button.call');
		await c!.waitForSelector('li[data-call-id]');
		await c!.click('li[data-call-id] button:has-text("Accept")');
		await kc!.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
		await c!.waitForSelector('section[data-phase=incall]', { timeout: 20_000 });
		await ks!.waitForSelector('main[data-phase=standby][data-update=current]');

		for (const [p, app] of [
			[ks!, 'kiosk'],
			[kc!, 'kiosk'],
			[c!, 'console'],
			[a!, 'console']
		] as const) {
			assert.is(await pageVersion(p), one.version[app], `build 1 everywhere (${app})`);
			await mark(p);
		}
		const seen = async () =>
			Object.fromEntries(
				(
					await ownerDb()<
						{ account_id: string; app_version: string | null }[]
					>`select account_id, app_version from kiosk_presence where account_id in ${ownerDb()([standby.id, caller.id])}`
				).map((r) => [r.account_id, r.app_version])
			);
		assert.equal(await seen(), { [standby.id]: one.version.kiosk, [caller.id]: one.version.kiosk }, 'each kiosk reported build 1 on its stream (?v=)');

		// The deploy: both apps stopped (SIGTERM) and started again with build 2 on the same ports.
		await Promise.all([kioskApp.stop(), consoleApp.stop()]);
		[kioskApp, consoleApp] = await Promise.all([serve('kiosk', two, KIOSK_PORT), serve('console', two, CONSOLE_PORT)]);
		const upAt = Date.now();
		/** What each page and app was doing, for a failure's message (this machine is shared and often loaded). */
		const diagnose = async () => {
			const state = async (p: Page) =>
				p
					.evaluate(
						`JSON.stringify({ url: location.pathname, main: document.querySelector('main')?.dataset, version: ${PAGE_VERSION}, sameDocument: window.__sameDocument === true })`
					)
					.catch((e: Error) => e.message);
			return [
				`after ${Date.now() - upAt} ms`,
				`standby kiosk: ${await state(ks!)}`,
				`kiosk in call: ${await state(kc!)}`,
				`console: ${await state(c!)}`,
				`kiosk app: ${kioskApp.log.slice(-15).join('\n')}`,
				`console app: ${consoleApp.log.slice(-15).join('\n')}`
			].join('\n');
		};

		// The kiosk in a call learns of build 2 (its stream reconnected) and waits.
		await kc!.waitForSelector('main[data-update=waiting]', { timeout: 60_000 }).catch(async (e: Error) => {
			throw new Error(`${e.message}\n${await diagnose()}`);
		});
		console.log(`  kiosk in the call knew of build 2 ${Date.now() - upAt} ms after build 2 answered, and waits`);
		// The console says so, and offers a Reload that waits for the end of the call.
		await c!.waitForSelector('[data-testid=new-version]', { timeout: 30_000 });
		assert.match((await c!.textContent('[data-testid=new-version]'))!, 'A new version is available');
		assert.ok(await c!.isDisabled('[data-testid=new-version] button'), 'Reload waits for the end of the call');

		// The standby kiosk reloads into build 2 within a minute.
		await waitVersion(ks!, v2, 60_000 - (Date.now() - upAt));
		const standbyAfter = Date.now() - upAt;
		assert.ok(standbyAfter < 60_000, `standby kiosk on build 2 after ${standbyAfter} ms`);
		console.log(`  standby kiosk on build 2 ${standbyAfter} ms after build 2 answered`);
		assert.is(await marked(ks!), false, 'it reloaded');
		await ks!.waitForSelector('main[data-phase=standby]');
		await screenshot(ks!, 'update-standby-kiosk-on-build-2');

		// Meanwhile the kiosk in the call kept its page and its call, and the console never reloaded.
		assert.is(await marked(kc!), true, 'the kiosk in a call did not reload');
		assert.is(await pageVersion(kc!), one.version.kiosk);
		assert.ok(await kc!.isVisible('main[data-phase=incall]'), 'still in the call');
		assert.is(await marked(c!), true, 'the console did not reload');
		assert.ok(await c!.isVisible('section[data-phase=incall]'));
		const [live] = await ownerDb()<{ state: string }[]>`select state from calls where kiosk_account_id = ${caller.id}`;
		assert.is(live!.state, 'accepted', 'the call survived the deploy');
		await screenshot(kc!, 'update-kiosk-in-call-waits');
		await screenshot(c!, 'update-console-notice-in-call');
		// Another 10 s in the call: still no reload.
		await kc!.waitForTimeout(10_000);
		assert.is(await marked(kc!), true);

		// The call ends: the kiosk shows its end notice, then reloads into build 2, within a minute.
		await kc!.click('button:has-text("Hang up")');
		const hungUpAt = Date.now();
		await kc!.waitForSelector('main[data-phase=standby]');
		await waitVersion(kc!, v2, 60_000);
		const afterCall = Date.now() - hungUpAt;
		assert.ok(afterCall < 60_000, `kiosk on build 2 ${afterCall} ms after the hang-up`);
		console.log(`  kiosk that was in the call on build 2 ${afterCall} ms after its hang-up`);
		assert.is(await marked(kc!), false);
		await kc!.waitForSelector('main[data-phase=standby]');

		// The console still has not reloaded; after the call its Reload button works and loads build 2.
		await c!.waitForSelector('section[data-phase=idle]', { timeout: 10_000 });
		assert.is(await marked(c!), true, 'the console never reloads by itself');
		assert.is(await pageVersion(c!), one.version.console);
		await c!.waitForSelector('[data-testid=new-version] button:not([disabled])');
		assert.match((await c!.textContent('[data-testid=new-version]'))!, 'reload when convenient');
		await screenshot(c!, 'update-console-notice');
		await c!.click('[data-testid=new-version] button');
		await waitVersion(c!, v2, 20_000);
		assert.is(await c!.$('[data-testid=new-version]'), null, 'no notice on build 2');

		// The admin's page, with no event stream, hears of it from SvelteKit's poll (every 60 s from its load) and does not
		// reload. A poll that fell while the apps were being swapped failed, so allow two polls.
		await a!.waitForSelector('[data-testid=new-version]', { timeout: Math.max(5_000, 135_000 - (Date.now() - adminLoadedAt)) });
		console.log(`  admin page showed the notice ${Date.now() - adminLoadedAt} ms after it was loaded`);
		assert.is(await marked(a!), true, 'the admin page did not reload');

		// Each kiosk reported build 2 when it reopened its stream; the fleet page shows it.
		const deadline = Date.now() + 10_000;
		while (Date.now() < deadline && Object.values(await seen()).some((v) => v !== v2)) await new Promise((r) => setTimeout(r, 250));
		assert.equal(await seen(), { [standby.id]: v2, [caller.id]: v2 });
		await a!.goto(consoleApp.origin + '/admin/fleet', { waitUntil: 'networkidle' });
		assert.match((await a!.textContent('main'))!, v2);
	} finally {
		await Promise.all(contexts.map((x) => x.close()));
		await Promise.all([kioskApp.stop(), consoleApp.stop()]);
	}
});

test.run();
