/**
 * npm run bench -- share-stop
 *
 * From the shopper's press of "Stop sharing" on the kiosk to the concierge's last
 * decoded frame of the kiosk's screen-share track (`share_stop_ms`), over
 * SHARE_STOP_RUNS (20) shares in one real call: real LiveKit, two Chromium contexts
 * in one browser (one clock). The concierge page stamps every frame its
 * video.remote-screen presents (requestVideoFrameCallback); the figure is the last
 * stamp minus the press. Goal: p95 ≤ 150 ms. Beside it, `view_p50`/`view_p95`: from
 * the press to the concierge's view first showing that the share is no longer live
 * (its first signal: LiveKit's mute, sent before the unpublish). A negative run means
 * the concierge's page presented no frame in the moments before the press (seen
 * when the machine is overloaded): `runs` and `viewRuns` list every run.
 *
 * Same environment as bench/call-setup.ts (the TEST_SLOT's services and database,
 * its own app processes); the consent limits are reset between runs in the database
 * (the bench measures the stop, not the limits).
 */
import { percentile, prepare, startApp, stopChild } from './ring.ts';

const STAMP_FRAMES = `(() => {
	window.__lastScreenFrame = 0;
	const seen = new WeakSet();
	const watch = () => {
		const v = document.querySelector('video.remote-screen');
		if (v && !seen.has(v)) {
			seen.add(v);
			const cb = () => { window.__lastScreenFrame = Date.now(); v.requestVideoFrameCallback(cb); };
			v.requestVideoFrameCallback(cb);
		}
		setTimeout(watch, 5);
	};
	watch();
	// When the concierge's view first shows the share is no longer live (paused or off).
	window.__viewStoppedAt = 0;
	new MutationObserver(() => {
		const st = document.querySelector('section[data-kiosk-screen]')?.getAttribute('data-kiosk-screen');
		if (st === 'live') window.__viewStoppedAt = 0;
		else if ((st === 'paused' || st === 'off') && !window.__viewStoppedAt) window.__viewStoppedAt = Date.now();
	}).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-kiosk-screen'], childList: true });
})()`;

/**
 * The kiosk's "screen": a canvas that changes every frame (30 fps). A real screen that
 * stands still yields frames only when it changes, so the last frame before the press
 * could be long before it (negative figures were seen); with this the stream is steady
 * and the last frame is the stop's.
 */
const MOVING_SCREEN = `(() => {
	const md = navigator.mediaDevices;
	if (!md) return;
	md.getDisplayMedia = async () => {
		const c = document.createElement('canvas');
		c.width = 1280; c.height = 720;
		const ctx = c.getContext('2d');
		let n = 0;
		setInterval(() => {
			n++;
			ctx.fillStyle = 'rgb(0,120,200)';
			ctx.fillRect(0, 0, 1280, 720);
			ctx.fillStyle = 'rgb(255,255,255)';
			ctx.fillRect((n * 16) % 1280, 0, 64, 720);
		}, 33);
		return c.captureStream(30);
	};
})()`;

export default async function shareStop(out: (line: Record<string, unknown>) => void): Promise<void> {
	const env = await prepare();
	const RUNS = Number(process.env.SHARE_STOP_RUNS ?? 20);
	const { makeAccount, makeTenant } = await import('../platform/testing/factories.ts');
	const { launchBrowser, closeBrowser } = await import('../platform/testing/browser.ts');
	const { closeDb } = await import('../platform/db.server.ts');
	const { closeOwnerDb, ownerDb } = await import('../platform/testing/db.ts');
	const { newContext, signInPage, waitForMedia } = await import('../kiosk/tests/call-helpers.ts');

	const kioskApp = await startApp('kiosk', env.kioskPort);
	const consoleApp = await startApp('console', env.consolePort);
	const browser = await launchBrowser();
	try {
		const tenant = await makeTenant({ name: 'Share stop bench' });
		const kiosk = await makeAccount(tenant, { role: 'kiosk' });
		const concierge = await makeAccount(tenant, { role: 'concierge' });
		const kctx = await newContext(browser);
		await kctx.addInitScript(MOVING_SCREEN);
		const k = await kctx.newPage();
		const c = await (await newContext(browser)).newPage();
		await signInPage(k, kioskApp.origin, kiosk.loginId, kiosk.password);
		await signInPage(c, consoleApp.origin, concierge.loginId, concierge.password);
		await c.click('button:has-text("Available")');
		await c.waitForSelector('section[data-status=available]');
		await k.waitForSelector('main[data-phase=standby] button.call:not([disabled])');
		await k.click('button.call');
		await c.click('li[data-call-id] button:has-text("Accept")', { timeout: 15_000 });
		await k.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
		await waitForMedia(k);
		await waitForMedia(c);
		await c.evaluate(STAMP_FRAMES);
		const times: number[] = [];
		const views: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			await ownerDb()`update calls set share_requests = 0, share_refused_at = null where kiosk_account_id = ${kiosk.id} and state = 'accepted'`;
			await c.click('button:has-text("Ask to see the kiosk")');
			await k.click('button:has-text("共有する / Share")', { timeout: 15_000 });
			await k.waitForSelector('main[data-share=live]', { timeout: 20_000 });
			// Frames are flowing to the concierge.
			const started = Date.now();
			while (((await c.evaluate('window.__lastScreenFrame')) as number) < started + 300) await c.waitForTimeout(50);
			const t0 = (await k.evaluate(
				`(() => { document.querySelectorAll('button').forEach((b) => { if (b.textContent.includes('Stop sharing')) { window.__t0 = Date.now(); b.click(); } }); return window.__t0; })()`
			)) as number;
			await c.waitForSelector('section[data-kiosk-screen=off]', { timeout: 10_000 });
			await c.waitForTimeout(1000);
			const last = (await c.evaluate('window.__lastScreenFrame')) as number;
			times.push(last - t0);
			views.push(((await c.evaluate('window.__viewStoppedAt')) as number) - t0);
		}
		const sorted = [...times].sort((a, b) => a - b);
		const viewSorted = [...views].sort((a, b) => a - b);
		out({
			metric: 'share_stop_ms',
			p50: percentile(sorted, 50),
			p95: percentile(sorted, 95),
			n: sorted.length,
			min: sorted[0],
			max: sorted[sorted.length - 1],
			// From the press to the concierge's view first showing the share is not live (its first signal).
			view_p50: percentile(viewSorted, 50),
			view_p95: percentile(viewSorted, 95),
			runs: times,
			viewRuns: views
		});
		await k.click('button:has-text("Hang up")');
	} finally {
		await closeBrowser();
		await Promise.all([stopChild(kioskApp.child), stopChild(consoleApp.child)]);
		await closeDb();
		await closeOwnerDb();
	}
}
