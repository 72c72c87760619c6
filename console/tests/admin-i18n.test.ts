/**
 * The admin pages in Japanese (issue 9, item 4: the console follows the signed-in
 * person's language). In Chromium against the built console, an admin who chose 日本語
 * opens every admin page: no heading, column, legend, label, link or button (the
 * navigation's included) is one of the
 * admin pages' English texts (console/messages/en.json), and the page's main heading
 * is the Japanese one.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { signInPage } from '../../kiosk/tests/call-helpers.ts';

const test = suite('admin pages in Japanese');

const en = JSON.parse(readFileSync(new URL('../messages/en.json', import.meta.url), 'utf8')) as Record<string, string>;
const ja = JSON.parse(readFileSync(new URL('../messages/ja.json', import.meta.url), 'utf8')) as Record<string, string>;
/** The admin pages' (and the admin's navigation's) English texts that have a different Japanese text ("IP", "CSV" and the like are the same in both). */
const english = Object.entries(en)
	.filter(([k, v]) => (k.startsWith('adm_') || k.startsWith('nav_')) && ja[k] !== v)
	.map(([, v]) => v);

test('every admin page in ja: no English heading, column, label or button left', async () => {
	assert.ok(english.length > 100, `the admin pages' messages (${english.length})`);
	const apps = await startApps();
	const browser = await launchBrowser();
	const tenant = await makeTenant({ name: 'Ginza Store' });
	const admin = await makeAccount(tenant, { role: 'admin', displayName: 'Sato' });
	const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Aiko' });
	await makeAccount(tenant, { role: 'kiosk', displayName: 'Entrance' });
	const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	try {
		const page = await ctx.newPage();
		await signInPage(page, apps.console, admin.loginId, admin.password);
		await page.goto(apps.console + '/admin', { waitUntil: 'networkidle' });
		await page.selectOption('[data-testid=console-language]', 'ja');
		await page.waitForFunction(() => document.documentElement.lang === 'ja');
		await page.waitForTimeout(500);
		const pages: [string, string][] = [
			['/admin', ja.adm_accounts!],
			['/admin/calls', ja.adm_call_history!],
			['/admin/calls?outcome=missed', ja.adm_missed_calls!],
			['/admin/dashboard', ja.adm_dashboard!],
			['/admin/audit', ja.adm_audit_log!],
			['/admin/fleet', ja.adm_kiosks!],
			['/admin/settings', ja.adm_org_settings!],
			['/admin/blinder', ja.adm_privacy_h1!],
			[`/admin/accounts/${concierge.id}`, concierge.loginId]
		];
		for (const [path, heading] of pages) {
			// A full load: the server renders the page in the account's stored language.
			await page.goto(apps.console + path, { waitUntil: 'networkidle' });
			assert.match((await page.textContent('h1'))!, heading, `${path}: the heading`);
			const texts = (await page.evaluate(() =>
				[
					...document.querySelectorAll('main h1, main h2, main h3, main legend, main th, main label, main button, main a, main option, main figcaption, title, nav a, nav button')
				].map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim())
			)) as string[];
			const left = texts.filter((x) => x && english.some((s) => x === s || (s.length >= 8 && !s.includes('{') && x.includes(s))));
			assert.equal(left, [], `${path}: English left`);
			const body = (await page.evaluate(() => document.querySelector('main')?.innerText ?? '')) as string;
			const sentences = english.filter((s) => s.length >= 20 && !s.includes('{') && body.includes(s));
			assert.equal(sentences, [], `${path}: English sentences left`);
			await screenshot(page, `console-admin-ja${path.replaceAll(/[/?=]/g, '-')}`);
		}
	} finally {
		await ctx.close();
	}
});

test.run();
