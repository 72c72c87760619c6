/**
 * The console follows the signed-in person's language, stored on the account
 * (migration 012), switchable in the header; a bad value is a 400, and one
 * person's choice never changes another's.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { api, signInCookie, signInPage } from '../../kiosk/tests/call-helpers.ts';

const test = suite('console language');

test('the header switch stores the language on the account; the console follows it after a reload', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const tenant = await makeTenant();
	const aiko = await makeAccount(tenant, { role: 'concierge', displayName: 'Aiko' });
	const ben = await makeAccount(tenant, { role: 'concierge', displayName: 'Ben' });
	const ctx = await browser.newContext();
	try {
		const page = await ctx.newPage();
		await signInPage(page, apps.console, aiko.loginId, aiko.password);
		assert.match((await page.textContent('nav'))!, 'Calls', 'English by default');
		await page.selectOption('[data-testid=console-language]', 'ja');
		await page.waitForFunction(`document.querySelector('nav').textContent.includes('通話')`);
		assert.match((await page.textContent('h2'))!, '着信');
		assert.is(await page.evaluate('document.documentElement.lang'), 'ja');
		await page.waitForTimeout(300);
		const [row] = await ownerDb()<{ preferred_locale: string | null }[]>`select preferred_locale from accounts where id = ${aiko.id}`;
		assert.is(row!.preferred_locale, 'ja', 'stored on the account');
		await page.reload({ waitUntil: 'networkidle' });
		assert.match((await page.textContent('nav'))!, '通話', 'still Japanese after a reload (server-rendered from the account)');

		// Bad input is refused with a stable code; another account is untouched.
		const cookie = await signInCookie(apps.console, ben.loginId, ben.password);
		for (const locale of ['fr', '', 42, null, 'ja'.repeat(1000)]) {
			const r = await api(apps.console, cookie, '/api/me/language', { locale });
			assert.is(r.status, 400, `locale ${JSON.stringify(locale).slice(0, 20)} refused`);
			assert.is(r.body.code, 'bad_locale');
		}
		const [other] = await ownerDb()<{ preferred_locale: string | null }[]>`select preferred_locale from accounts where id = ${ben.id}`;
		assert.is(other!.preferred_locale, null, "another person's language is untouched");
	} finally {
		await ctx.close();
	}
});

test.run();
