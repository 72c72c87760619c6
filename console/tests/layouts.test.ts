/**
 * Layouts on real screen sizes (issue 9): one call driven through every phase
 * (standby, ringing, in call, the concierge sharing, consent, the kiosk sharing,
 * paused, ended); at each phase the kiosk is measured at 1080×1920 and 1920×1080
 * and the console at 1366×768, 1440×900, 1920×1080 and 390×844, in Chromium:
 * no horizontal scroll, every visible control inside the viewport, the main
 * video inside the viewport and large, a share never overlapped by the self-view,
 * and a screenshot of each under test-results/screenshots/layout-*.png.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { startApps } from '../../platform/testing/apps.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { newContext, signInPage, waitForMedia, waitForVideo } from '../../kiosk/tests/call-helpers.ts';

const test = suite('layouts');

const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

/** axe-core, injected through the DevTools protocol (the pages' CSP blocks script tags): serious and critical violations. */
async function axe(page: Page, where: string): Promise<void> {
	if (!(await page.evaluate(`'axe' in window`))) await page.evaluate(AXE);
	const found = (await page.evaluate(
		`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')))`
	)) as string[];
	assert.equal(found, [], `${where}: axe-core finds no serious or critical violation`);
}

const KIOSK_SIZES = [
	{ width: 1080, height: 1920 },
	{ width: 1920, height: 1080 }
];
const CONSOLE_SIZES = [
	{ width: 1366, height: 768 },
	{ width: 1440, height: 900 },
	{ width: 1920, height: 1080 },
	{ width: 390, height: 844 }
];

interface Box {
	left: number;
	top: number;
	right: number;
	bottom: number;
	width: number;
	height: number;
}
interface Geometry {
	vw: number;
	vh: number;
	scrollWidth: number;
	outside: string[];
	main: Box | null;
	share: Box | null;
	self: Box | null;
	preview: Box | null;
}

/** Measured in the page; a string expression (tsx would wrap a function with __name). */
const MEASURE = `(() => {
	const vw = window.innerWidth, vh = window.innerHeight;
	const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height } : null; };
	const outside = [];
	for (const el of document.querySelectorAll('button, select, a[href], input, textarea, [role=alertdialog]')) {
		const b = box(el);
		if (!b || getComputedStyle(el).visibility === 'hidden') continue;
		if (b.left < -0.5 || b.top < -0.5 || b.right > vw + 0.5 || b.bottom > vh + 0.5) outside.push((el.textContent || el.tagName).trim().slice(0, 40) + ' ' + JSON.stringify([Math.round(b.left), Math.round(b.top), Math.round(b.right), Math.round(b.bottom)]));
	}
	return {
		vw, vh,
		scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
		outside,
		main: box(document.querySelector('.tile.main')),
		share: box(document.querySelector('.tile.screen')),
		self: box(document.querySelector('.tile.self')),
		preview: box(document.querySelector('.tile.my-screen'))
	};
})()`;

function inside(b: Box, g: Geometry): boolean {
	return b.left >= -0.5 && b.top >= -0.5 && b.right <= g.vw + 0.5 && b.bottom <= g.vh + 0.5;
}
function overlap(a: Box, b: Box): boolean {
	return a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
}

/**
 * Measure one page at each size. `video`: a main video is expected (a call phase);
 * `share`: a received share is expected on the main stage; `preview`: the concierge's own share preview.
 */
async function check(
	page: Page,
	app: 'kiosk' | 'console',
	phase: string,
	sizes: { width: number; height: number }[],
	expect: { video?: boolean; share?: boolean; preview?: boolean; scrollsVertically?: boolean } = {}
): Promise<void> {
	for (const size of sizes) {
		await page.setViewportSize(size);
		await page.waitForTimeout(350);
		const name = `layout-${app}-${phase}-${size.width}x${size.height}`;
		await screenshot(page, name);
		const g = (await page.evaluate(MEASURE)) as Geometry;
		const where = `${app} ${phase} at ${size.width}×${size.height}`;
		assert.ok(g.scrollWidth <= g.vw, `${where}: no horizontal scroll (scrollWidth ${g.scrollWidth} > ${g.vw})`);
		// Long pages (the admin's lists) scroll vertically; only the sides are checked there.
		const outside = expect.scrollsVertically
			? g.outside.filter((o) => {
					const [l, , r] = JSON.parse(o.slice(o.lastIndexOf('['))) as number[];
					return l! < -0.5 || r! > g.vw + 0.5;
				})
			: g.outside;
		assert.equal(outside, [], `${where}: every control inside the viewport`);
		if (expect.video) {
			assert.ok(g.main, `${where}: a main video`);
			assert.ok(inside(g.main!, g), `${where}: the main video is fully visible ${JSON.stringify(g.main)}`);
			assert.ok(g.main!.width >= g.vw * 0.45 && g.main!.height >= 150, `${where}: the main video is large ${JSON.stringify(g.main)}`);
			assert.ok(g.self && inside(g.self, g), `${where}: the self-view is visible`);
		}
		if (expect.share) {
			assert.ok(g.share, `${where}: the received share is shown`);
			assert.equal(g.share, g.main, `${where}: the received share takes the main stage`);
			assert.ok(!overlap(g.share!, g.self!), `${where}: the self-view never covers the share`);
		} else if (expect.video) {
			assert.is(g.share, null, `${where}: no share on the stage`);
		}
		if (size === sizes[0]) await axe(page, where);
		if (expect.preview) {
			assert.ok(g.preview && inside(g.preview, g), `${where}: the concierge sees a preview of its share`);
			if (g.share) assert.ok(!overlap(g.share, g.preview), `${where}: the preview does not cover the received share`);
		}
	}
}

test('kiosk and console fit every phase on real screen sizes', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const tenant = await makeTenant({ name: 'Ginza Flagship Store' });
	const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Entrance kiosk, 1st floor by the escalators' });
	const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Aiko Tanaka' });
	const kctx = await newContext(browser);
	const cctx = await newContext(browser);
	try {
		const k = await kctx.newPage();
		const c = await cctx.newPage();
		await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
		await signInPage(c, apps.console, concierge.loginId, concierge.password);

		await c.click('button:has-text("Available")');
		await k.waitForSelector('button.call:not([disabled])');
		await check(k, 'kiosk', 'standby', KIOSK_SIZES);
		await check(c, 'console', 'standby', CONSOLE_SIZES);
		// A single tap on the store name does nothing: no staff function is one tap away.
		await k.click('[data-testid=store-name]');
		assert.is(await k.$('[data-testid=staff-menu]'), null, 'a tap does not open the staff menu');
		assert.is(await k.$('form[action="/logout"]'), null, 'no sign-out on the shopper screen');

		// One touch switches the language (each half of a mixed text carries its lang).
		await k.click('button[data-locale=ko]');
		await k.waitForSelector('main[data-lang=ko]');
		assert.is(await k.evaluate('document.documentElement.lang'), 'ko');
		assert.match((await k.textContent('.welcome'))!, '어서 오세요');
		assert.is(await k.getAttribute('.welcome span[lang=en]', 'lang'), 'en');
		await check(k, 'kiosk', 'standby-ko', KIOSK_SIZES);
		await k.click('button[data-locale=zh-Hans]');
		assert.match((await k.textContent('button.call'))!, '呼叫礼宾员');
		await k.click('button[data-locale=ja]');
		await k.waitForSelector('main[data-lang=ja]');

		await k.click('button.call');
		await k.waitForSelector('main[data-phase=ringing]');
		await c.waitForSelector('li[data-call-id]');
		await k.waitForTimeout(2300);
		assert.match((await k.textContent('[data-testid=ring-elapsed]'))!, /0:0[1-9]/, 'the ringing screen shows the elapsed time');
		assert.match((await k.textContent('main'))!, /If no one answers within \d+ seconds/);
		await check(k, 'kiosk', 'ringing', KIOSK_SIZES);
		await check(c, 'console', 'ringing', CONSOLE_SIZES);
		// The ringing screen is centred: its content's middle is near the middle of the screen.
		const centre = (await k.evaluate(
			`(() => { const s = document.querySelector('section.ringing'); const kids = [...s.children].map((e) => e.getBoundingClientRect()); const top = Math.min(...kids.map((r) => r.top)), bottom = Math.max(...kids.map((r) => r.bottom)); return { mid: (top + bottom) / 2, vh: innerHeight }; })()`
		)) as { mid: number; vh: number };
		assert.ok(Math.abs(centre.mid - centre.vh / 2) < centre.vh * 0.12, `ringing content centred (${JSON.stringify(centre)})`);

		await c.click('li[data-call-id] button:has-text("Accept")');
		await k.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
		await c.waitForSelector('section[data-phase=incall]', { state: 'attached', timeout: 20_000 });
		await waitForMedia(k);
		await waitForMedia(c);
		await waitForVideo(k, 'video.remote');
		await waitForVideo(c, 'video.remote');
		assert.match((await k.textContent('[data-testid=concierge-name]'))!, 'Aiko Tanaka', 'the kiosk shows the concierge name');
		await check(k, 'kiosk', 'incall', KIOSK_SIZES, { video: true });
		await check(c, 'console', 'incall', CONSOLE_SIZES, { video: true });

		// The concierge shares: the share takes the kiosk's main stage; the concierge sees a preview.
		await c.click('button:has-text("Share my screen")');
		await waitForVideo(k, 'video.remote-screen');
		await waitForVideo(c, 'video.self-screen');
		await check(k, 'kiosk', 'concierge-shares', KIOSK_SIZES, { video: true, share: true });
		await check(c, 'console', 'concierge-shares', CONSOLE_SIZES, { video: true, preview: true });

		// Consent on the kiosk.
		await c.click('button:has-text("Ask to see the kiosk")');
		await k.waitForSelector('main[data-share=requested] [role=alertdialog]');
		assert.is(await k.evaluate(`!!document.activeElement && !!document.activeElement.closest('[role=alertdialog]')`), true, 'the consent dialog takes focus');
		await check(k, 'kiosk', 'consent', KIOSK_SIZES, { video: true, share: true });

		await k.click('button:has-text("共有する / Share")');
		await k.waitForSelector('main[data-share=live]', { timeout: 20_000 });
		await waitForVideo(c, 'video.remote-screen');
		await check(k, 'kiosk', 'kiosk-shares', KIOSK_SIZES, { video: true, share: true });
		await check(c, 'console', 'kiosk-shares', CONSOLE_SIZES, { video: true, share: true, preview: true });

		await c.click('button:has-text("Stop sharing my screen")');
		await k.waitForSelector('video.remote-screen', { state: 'detached', timeout: 10_000 });
		await check(c, 'console', 'kiosk-shares-only', CONSOLE_SIZES, { video: true, share: true });

		await k.click('button:has-text("Pause sharing")');
		await c.waitForSelector('section[data-kiosk-screen=paused]', { timeout: 10_000 });
		await check(k, 'kiosk', 'paused', KIOSK_SIZES, { video: true });
		await check(c, 'console', 'paused', CONSOLE_SIZES, { video: true, share: true });

		// Camera off on the kiosk: the console sees a placeholder with the kiosk's name.
		await k.click('[data-testid=camera-toggle]');
		await c.waitForSelector('[data-testid=remote-camera-off]', { timeout: 10_000 });
		assert.match((await c.textContent('[data-testid=remote-camera-off]'))!, 'Entrance kiosk');
		await k.click('[data-testid=camera-toggle]');
		await c.waitForSelector('[data-testid=remote-camera-off]', { state: 'detached', timeout: 10_000 });

		await k.click('button:has-text("Hang up")');
		await k.waitForSelector('main[data-phase=standby]');
		await c.waitForSelector('section[data-phase=idle]', { state: 'attached', timeout: 10_000 });
		await check(k, 'kiosk', 'ended', KIOSK_SIZES);
		await check(c, 'console', 'ended', CONSOLE_SIZES);

		// The kiosk's standby is clean again within 10 s of the call's end.
		await k.waitForSelector('main[data-phase=standby] p[data-notice]', { state: 'detached', timeout: 12_000 });

		// Unknown addresses: a styled, bilingual page; the kiosk's returns to standby by itself.
		await k.goto(apps.kiosk + '/no-such-page');
		await k.waitForSelector('[data-error-status="404"]');
		assert.match((await k.textContent('main'))!, 'このページはありません');
		assert.match((await k.textContent('main'))!, 'This page does not exist');
		await check(k, 'kiosk', 'not-found', KIOSK_SIZES);
		await k.waitForSelector('main[data-phase=standby]', { timeout: 15_000 });
		await c.goto(apps.console + '/no-such-page');
		await c.waitForSelector('[data-error-status="404"]');
		await check(c, 'console', 'not-found', CONSOLE_SIZES);
	} finally {
		await kctx.close();
		await cctx.close();
	}
});

test('sign-in and error pages of both apps fit and pass axe-core', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const ctx = await browser.newContext();
	try {
		const page = await ctx.newPage();
		for (const [app, origin, sizes] of [
			['kiosk', apps.kiosk, KIOSK_SIZES],
			['console', apps.console, CONSOLE_SIZES]
		] as const) {
			await page.goto(origin + '/login', { waitUntil: 'networkidle' });
			await check(page, app, 'login', sizes);
		}
		// The admin's pages, signed in.
		const tenant = await makeTenant({ name: 'Ginza Flagship Store' });
		const admin = await makeAccount(tenant, { role: 'admin', displayName: 'Store administrator' });
		await makeAccount(tenant, { role: 'kiosk', displayName: 'Entrance kiosk, 1st floor by the escalators' });
		await signInPage(page, apps.console, admin.loginId, admin.password);
		for (const path of ['/admin', '/reports']) {
			// The report list holds its live event stream open, so the network never goes idle there.
			await page.goto(apps.console + path, { waitUntil: path === '/reports' ? 'load' : 'networkidle' });
			if (path === '/reports') await page.waitForSelector('[data-testid=reports-live][data-live=true]');
			await check(page, 'console', `admin${path.replace('/', '-')}`, CONSOLE_SIZES, { scrollsVertically: true });
		}
	} finally {
		await ctx.close();
	}
});

test.run();
