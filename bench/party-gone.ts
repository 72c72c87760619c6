/**
 * npm run bench -- party-gone
 *
 * From the concierge's tab closing mid-call to the kiosk's camera track ended
 * (`party_gone_end_ms`), over PARTY_GONE_RUNS (10) real calls: real LiveKit (whose
 * webhooks reach the console), the real worker (its `calls.sweep` ends the call
 * after the grace), two Chromium contexts. The goal is p95 ≤ grace + 2 s. The grace
 * is set for the run with PARTY_GONE_GRACE (default 5 s, so ten runs take about a
 * minute and a half; the product default is 20 s and the figure scales with it).
 * The concierge's wrap-up after each call (CALL_WRAP_UP_SECONDS) is 0 for the run unless
 * set, so the next run's ring is not queued behind it; both are reported.
 *
 * Each run drives the console as a person does (and as console/tests/call-lifecycle.test.ts
 * does): press Available and wait for the console to show it, wait until the kiosk's
 * button would ring someone (`data-button-mode=call`), press it, press Accept on the
 * ringing call, wait for media both ways, then close the concierge's tab.
 *
 * The kiosk's camera is watched without knowing the app: an init script records
 * every track getUserMedia hands out, and the page reports the moment the last
 * camera track's readyState is 'ended'.
 *
 * Uses the test slot's services and the test apps' ports (TEST_SLOT), so it must not
 * run beside `npm test` on the same slot.
 */
import { percentile, prepare } from './ring.ts';

const RECORD_TRACKS = `(() => {
	window.__tracks = [];
	const md = navigator.mediaDevices;
	if (!md) return;
	const orig = md.getUserMedia.bind(md);
	md.getUserMedia = async (c) => { const s = await orig(c); window.__tracks.push(...s.getTracks()); return s; };
})()`;

const CAMERA_ENDED_AT = `new Promise((resolve, reject) => {
	const deadline = Date.now() + 120000;
	const poll = () => {
		const cams = (window.__tracks || []).filter((t) => t.kind === 'video');
		if (cams.length && cams.every((t) => t.readyState === 'ended')) return resolve(Date.now());
		if (Date.now() > deadline) return reject(new Error('the kiosk camera stayed live for 120 s'));
		setTimeout(poll, 10);
	};
	poll();
})`;

export default async function partyGone(out: (line: Record<string, unknown>) => void): Promise<void> {
	const grace = Number(process.env.PARTY_GONE_GRACE ?? 5);
	process.env.CALL_GRACE_SECONDS = String(grace);
	process.env.CALL_WRAP_UP_SECONDS ??= '0';
	const env = await prepare();
	process.env.TEST_KIOSK_PORT ??= String(5183 + 10 * env.slot);
	process.env.TEST_CONSOLE_PORT ??= String(5184 + 10 * env.slot);
	const RUNS = Number(process.env.PARTY_GONE_RUNS ?? 10);
	const { makeAccount, makeTenant } = await import('../platform/testing/factories.ts');
	const { launchBrowser, closeBrowser } = await import('../platform/testing/browser.ts');
	const { startApps, startWorkerProcess, stopApps } = await import('../platform/testing/apps.ts');
	const { closeDb } = await import('../platform/db.server.ts');
	const { closeOwnerDb, ownerDb } = await import('../platform/testing/db.ts');
	const { newContext, signInPage } = await import('../kiosk/tests/call-helpers.ts');

	const apps = await startApps();
	await startWorkerProcess();
	const browser = await launchBrowser();
	try {
		const tenant = await makeTenant({ name: 'Party-gone bench' });
		const kiosk = await makeAccount(tenant, { role: 'kiosk' });
		const concierge = await makeAccount(tenant, { role: 'concierge' });
		const kctx = await newContext(browser);
		await kctx.addInitScript(RECORD_TRACKS);
		const k = await kctx.newPage();
		await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
		const times: number[] = [];
		const reasons: string[] = [];
		for (let i = 0; i < RUNS; i++) {
			const cctx = await newContext(browser);
			const c = await cctx.newPage();
			await signInPage(c, apps.console, concierge.loginId, concierge.password);
			await c.click('button:has-text("Available")');
			await c.waitForSelector('section[data-status=available]', { timeout: 30_000 });
			// Someone can answer (not merely queue behind a concierge still busy from the last run).
			await k.waitForSelector('main[data-phase=standby][data-button-mode=call] button.call:not([disabled])', { timeout: 60_000 });
			await k.evaluate('window.__tracks = []');
			await k.click('button.call');
			await c.waitForSelector('li[data-call-id] button:has-text("Accept")', { timeout: 30_000 });
			await c.click('li[data-call-id] button:has-text("Accept")');
			await k.waitForSelector('main[data-phase=incall]', { timeout: 30_000 });
			await c.waitForSelector('section[data-phase=incall]', { timeout: 30_000 });
			// Media flowing both ways before the concierge vanishes.
			// Polled with evaluate: the CSP forbids the in-page compile that a string waitForFunction needs.
			for (let t = 0; !(await k.evaluate('(window.__tracks || []).some((t) => t.kind === "video" && t.readyState === "live")')); t++) {
				if (t > 300) throw new Error('the kiosk camera never went live');
				await k.waitForTimeout(100);
			}
			await c.waitForTimeout(1500);
			const ended = k.evaluate(CAMERA_ENDED_AT) as Promise<number>;
			const t0 = Date.now();
			await cctx.close();
			const t1 = await ended;
			times.push(t1 - t0);
			const [row] = await ownerDb()<{ reason: string }[]>`select end_reason as reason from calls where kiosk_account_id = ${kiosk.id} order by created_at desc limit 1`;
			reasons.push(row?.reason ?? 'none');
			await k.waitForSelector('main[data-phase=standby]', { timeout: 30_000 });
		}
		times.sort((a, b) => a - b);
		out({
			metric: 'party_gone_end_ms',
			p50: percentile(times, 50),
			p95: percentile(times, 95),
			n: times.length,
			min: times[0],
			max: times[times.length - 1],
			graceSeconds: grace,
			wrapUpSeconds: Number(process.env.CALL_WRAP_UP_SECONDS),
			goalP95: grace * 1000 + 2000,
			endReasons: [...new Set(reasons)]
		});
	} finally {
		await closeBrowser();
		await stopApps();
		await closeDb();
		await closeOwnerDb();
	}
}
