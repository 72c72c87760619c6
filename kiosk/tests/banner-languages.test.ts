/**
 * The "remote support" banner (SupportBanner.svelte) in every language the kiosk
 * offers, in Chromium against the built kiosk: the shopper picks a language on
 * standby, the call is accepted, and the banner says "remote support in progress"
 * in that language (from kiosk/messages/<locale>.json), with English beside it;
 * in ja, zh-Hans and ko the main text is not the English one.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { post, signInHttp } from '../../platform/testing/http.ts';
import { newContext, signInPage } from './call-helpers.ts';

const test = suite('support banner languages');

const settings = JSON.parse(readFileSync(new URL('../project.inlang/settings.json', import.meta.url), 'utf8')) as { locales: string[] };
const messages = (locale: string) => JSON.parse(readFileSync(new URL(`../messages/${locale}.json`, import.meta.url), 'utf8')) as Record<string, string>;

test('the banner is in the language the shopper chose, for every kiosk language', async () => {
	assert.equal([...settings.locales].sort(), ['en', 'ja', 'ko', 'zh-Hans'], 'the kiosk offers ja, en, zh-Hans and ko');
	const apps = await startApps();
	const browser = await launchBrowser();
	const tenant = await makeTenant({ name: 'Ginza Store' });
	const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Entrance' });
	const ctx = await newContext(browser);
	try {
		const k = await ctx.newPage();
		await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
		const english = messages('en');
		for (const locale of settings.locales) {
			const text = messages(locale);
			for (const key of ['support_in_progress', 'sharing_live', 'sharing_paused']) assert.ok(text[key], `${locale} has ${key}`);
			// A concierge per call (over HTTP): one that has just hung up may still be busy.
			const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Aiko' });
			const cs = await signInHttp(apps.console, concierge.loginId, concierge.password);
			assert.is((await post(cs, '/api/presence', JSON.stringify({ status: 'available' }))).status, 200);
			await k.waitForSelector('main[data-phase=standby] button.call:not([disabled])', { timeout: 15_000 });
			await k.click(`button[data-locale="${locale}"]`);
			await k.waitForSelector(`main[data-lang="${locale}"]`);
			await k.click('button.call');
			await k.waitForSelector('main[data-phase=ringing]');
			const [row] = await ownerDb()<{ id: string }[]>`select id from calls where kiosk_account_id = ${kiosk.id} and state = 'ringing' order by created_at desc limit 1`;
			const accepted = await post(cs, `/api/calls/${row!.id}/accept`, '{}');
			assert.is(accepted.status, 200, `accept (${locale}): ${await accepted.clone().text()}`);
			await k.waitForSelector('[data-testid=support-banner]:popover-open', { timeout: 20_000 });
			const main = await k.textContent(`[data-testid=support-text] [lang="${locale}"]`);
			assert.is(main?.trim(), text.support_in_progress, `${locale}: the banner's text`);
			if (locale !== 'en') {
				assert.is.not(main?.trim(), english.support_in_progress, `${locale}: not English`);
				assert.ok(/[^\x00-\x7f]/.test(main ?? ''), `${locale}: written in its own script`);
				assert.is((await k.textContent('[data-testid=support-text] [lang=en]'))?.trim(), english.support_in_progress, `${locale}: English beside it`);
			} else assert.is((await k.$$('[data-testid=support-text] span')).length, 1, 'in English, English once');
			await screenshot(k, `kiosk-banner-${locale}`);
			await k.click('button.hangup');
			await k.waitForSelector('main[data-phase=standby]', { timeout: 20_000 });
		}
	} finally {
		await ctx.close();
	}
});

test.run();
