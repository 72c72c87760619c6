/**
 * The staff menu's PIN in Chromium against the built kiosk, at the two kiosk screen
 * sizes (1080×1920 portrait, 1920×1080 landscape): a 3 s press on the store name opens
 * the PIN entry, a wrong PIN shows the refusal in the kiosk's language (from
 * kiosk/messages), the right PIN opens the staff functions; every element of each
 * step lies inside the viewport; screenshots of each step.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { setStaffPin } from '../../platform/policies/policies.ts';
import { signInPage } from './call-helpers.ts';

const test = suite('staff PIN in the browser');

const messages = (locale: string) => JSON.parse(readFileSync(new URL(`../messages/${locale}.json`, import.meta.url), 'utf8')) as Record<string, string>;

/** Every matching element is visible and lies fully inside the viewport; no horizontal scroll. */
async function inside(page: Page, selectors: string[], what: string): Promise<void> {
	const vp = page.viewportSize()!;
	for (const sel of selectors) {
		const el = page.locator(sel).first();
		assert.ok(await el.isVisible(), `${what}: ${sel} visible`);
		const b = (await el.boundingBox())!;
		assert.ok(b.width > 0 && b.height > 0, `${what}: ${sel} has a size`);
		assert.ok(
			b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5,
			`${what}: ${sel} inside ${vp.width}×${vp.height}: ${JSON.stringify(b)}`
		);
	}
	const sw = (await page.evaluate('document.documentElement.scrollWidth')) as number;
	assert.ok(sw <= vp.width, `${what}: no horizontal scroll (${sw} > ${vp.width})`);
}

async function longPress(page: Page, selector: string): Promise<void> {
	const b = (await page.locator(selector).boundingBox())!;
	await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
	await page.mouse.down();
	await page.waitForTimeout(3300);
	await page.mouse.up();
}

for (const [width, height, locale] of [
	[1080, 1920, 'ja'],
	[1920, 1080, 'ko']
] as const) {
	test(`${width}×${height} (${locale}): long press, wrong PIN refused in ${locale}, right PIN opens the staff menu`, async () => {
		const apps = await startApps();
		const browser = await launchBrowser();
		const tenant = await makeTenant({ name: 'Ginza Store' });
		await setStaffPin((await makeAccount(tenant, { role: 'admin' })).actor, '482913');
		const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Entrance' });
		const ctx = await browser.newContext({ viewport: { width, height } });
		try {
			const k = await ctx.newPage();
			await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
			await k.waitForSelector('main[data-phase=standby]');
			await k.click(`button[data-locale="${locale}"]`);
			await k.waitForSelector(`main[data-lang="${locale}"]`);

			// A tap opens nothing; a 3 s press opens the PIN entry, focused.
			await k.click('[data-testid=store-name]');
			assert.is(await k.$('[data-testid=staff-menu]'), null, 'a tap opens nothing');
			await longPress(k, '[data-testid=store-name]');
			await k.waitForSelector('[data-testid=staff-menu]');
			assert.is(await k.evaluate('document.activeElement && document.activeElement.id'), 'staff-pin', 'the PIN field has the focus');
			assert.is(await k.$('[data-testid=staff-sign-out]'), null, 'no staff function before the PIN');
			await inside(k, ['[data-testid=staff-menu]', '[data-testid=staff-pin]', '[data-testid=pin-unlock]'], 'PIN entry');
			await screenshot(k, `kiosk-staff-pin-${width}x${height}-entry`);

			// A wrong PIN: refused, in the kiosk's language (with English beside it).
			await k.fill('[data-testid=staff-pin]', '000000');
			await k.click('[data-testid=pin-unlock]');
			await k.waitForSelector('[data-testid=pin-error]');
			const err = (await k.textContent(`[data-testid=pin-error] [lang="${locale}"]`))?.trim();
			assert.is(err, messages(locale).pin_wrong, `the refusal in ${locale}`);
			assert.is.not(err, messages('en').pin_wrong);
			assert.is((await k.textContent('[data-testid=pin-error] [lang=en]'))?.trim(), messages('en').pin_wrong);
			assert.is(await k.$('[data-testid=staff-sign-out]'), null, 'a wrong PIN opens nothing');
			await inside(k, ['[data-testid=staff-menu]', '[data-testid=staff-pin]', '[data-testid=pin-error]', '[data-testid=pin-unlock]'], 'wrong PIN');
			await screenshot(k, `kiosk-staff-pin-${width}x${height}-wrong`);

			// The right PIN: the staff functions.
			await k.fill('[data-testid=staff-pin]', '482913');
			await k.click('[data-testid=pin-unlock]');
			await k.waitForSelector('[data-testid=staff-sign-out]');
			assert.is(await k.$('[data-testid=pin-error]'), null);
			assert.match((await k.textContent('[data-testid=staff-sign-out]'))!, messages(locale).sign_out!);
			await inside(k, ['[data-testid=staff-menu]', '[data-testid=staff-sign-out]', '[data-testid=default-language]'], 'staff menu');
			await screenshot(k, `kiosk-staff-pin-${width}x${height}-open`);
		} finally {
			await ctx.close();
		}
	});
}

test.run();
