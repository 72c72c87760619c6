/**
 * The console's "new version" notice (issue 10, item 7), in Chromium against the built
 * console: it appears only when the server really serves another build (an announced
 * version is checked against /_app/version.json), never reloads the page by itself,
 * says so politely in the person's language, and its Reload button reloads.
 * The swap of real builds is kiosk/tests/update-two-builds.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { newContext, signInPage } from '../../kiosk/tests/call-helpers.ts';
import { PAGE_VERSION } from '../../kiosk/tests/update-builds.ts';

const test = suite('console new-version notice');

const announce = (v: string) => `window.dispatchEvent(new CustomEvent('concierge:release', { detail: { version: ${JSON.stringify(v)} } }))`;

test('an announcement alone shows nothing; a new build served shows the notice; the page never reloads by itself; Reload reloads', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const t = await makeTenant();
	const concierge = await makeAccount(t, { role: 'concierge' });
	const ctx = await newContext(browser);
	try {
		const page = await ctx.newPage();
		await signInPage(page, apps.console, concierge.loginId, concierge.password);
		await page.waitForSelector('section[data-status]');
		const mine = (await page.evaluate(PAGE_VERSION)) as string;
		assert.ok(mine, 'the page reports its build');
		await page.evaluate(`window.__sameDocument = true`);

		// The same build announced (every reconnect does it), or another one the server does not serve: no notice.
		await page.evaluate(announce(mine));
		await page.evaluate(announce('9.9.9-not-served'));
		await page.waitForTimeout(1500);
		assert.is(await page.$('[data-testid=new-version]'), null, 'no notice while the server serves this build');

		// The server now serves another build.
		let served = mine;
		await page.route('**/_app/version.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ version: served }) }));
		served = '9.9.10-next';
		await page.evaluate(announce(served));
		await page.waitForSelector('[data-testid=new-version]', { timeout: 10_000 });
		assert.match((await page.textContent('[data-testid=new-version]'))!, 'A new version is available — reload when convenient');
		await page.waitForTimeout(2000);
		assert.is(await page.evaluate(`window.__sameDocument === true`), true, 'no reload under the concierge');
		await screenshot(page, 'update-console-notice-en');

		// In Japanese too.
		await page.selectOption('[data-testid=console-language]', 'ja');
		await page.waitForFunction(`document.querySelector('[data-testid=new-version]')?.textContent.includes('新しいバージョンがあります')`);
		await screenshot(page, 'update-console-notice-ja');
		await page.selectOption('[data-testid=console-language]', 'en');

		// Reload reloads (the route still says "another build" for the new page, which is what it would see mid-deploy).
		await page.unroute('**/_app/version.json');
		await Promise.all([page.waitForEvent('load'), page.click('[data-testid=new-version] button')]);
		assert.is(await page.evaluate(`window.__sameDocument === true`), false, 'reloaded on request');
		await page.waitForSelector('section[data-status]');
		assert.is(await page.$('[data-testid=new-version]'), null, 'the reloaded page is current: no notice');
	} finally {
		await ctx.close();
	}
});

test.run();
