/**
 * npm run bench -- call-setup
 *
 * Call set-up time with the real LiveKit and two Chromium contexts: from the
 * kiosk's press of the call button to the first decoded remote video frame on
 * both sides (the later of the two), over CALL_SETUP_RUNS (10) calls. The
 * concierge answers the moment the call appears (a page observer clicks Accept),
 * so the figure is the system's, not a person's reaction time.
 *
 * Run twice: for a tenant with end-to-end encryption off (`call_setup_ms`) and on
 * (`call_setup_e2ee_ms`, LiveKit E2EE with the per-call key), each over the runs.
 *
 * Same environment as bench/ring.ts (the TEST_SLOT's services and database, its
 * own app processes). LiveKit's webhooks go to the test console port, which is
 * not running here, so the webhook guard is not part of this measurement. The
 * apps run without the concierge's wrap-up time (CALL_WRAP_UP_SECONDS=0): with it,
 * each press after the first only queued the call behind a busy concierge and the
 * bench waited for a ring that never came. The per-kiosk call rate limit is lifted
 * for the same reason (CALL_RATE_PER_MINUTE=600; 10 calls a minute would hit 6).
 */
import { percentile, prepare, startApp, stopChild } from './ring.ts';

export default async function callSetup(out: (line: Record<string, unknown>) => void): Promise<void> {
	const env = await prepare();
	// A concierge is busy for CALL_WRAP_UP_SECONDS (10) after each call, and a kiosk's press then
	// only queues: the bench measures set-up, not the wrap-up policy, so its apps run without one.
	process.env.CALL_WRAP_UP_SECONDS = '0';
	// Nor the per-kiosk call rate limit (6 a minute): the 7th press of a run was refused (429).
	process.env.CALL_RATE_PER_MINUTE = '600';
	const RUNS = Number(process.env.CALL_SETUP_RUNS ?? 10);
	const { makeAccount, makeTenant } = await import('../platform/testing/factories.ts');
	const { launchBrowser, closeBrowser } = await import('../platform/testing/browser.ts');
	const { closeDb } = await import('../platform/db.server.ts');
	const { closeOwnerDb, ownerDb } = await import('../platform/testing/db.ts');
	const { newContext, signInPage } = await import('../kiosk/tests/call-helpers.ts');

	const kioskApp = await startApp('kiosk', env.kioskPort);
	const consoleApp = await startApp('console', env.consolePort);
	const browser = await launchBrowser();
	try {
		for (const e2ee of [false, true]) {
			const tenant = await makeTenant({ name: 'Call set-up bench' });
			await ownerDb()`update tenants set e2ee = ${e2ee} where id = ${tenant.id}`;
			const kiosk = await makeAccount(tenant, { role: 'kiosk' });
			const concierge = await makeAccount(tenant, { role: 'concierge' });
			const k = await (await newContext(browser)).newPage();
			const c = await (await newContext(browser)).newPage();
			await signInPage(k, kioskApp.origin, kiosk.loginId, kiosk.password);
			await signInPage(c, consoleApp.origin, concierge.loginId, concierge.password);
			await c.click('button:has-text("Available")');
			await c.waitForSelector('section[data-status=available]');
			// An instant concierge: click Accept as soon as a call appears.
			await c.evaluate(() => {
				new MutationObserver(() => (document.querySelector('li[data-call-id] button') as HTMLButtonElement | null)?.click()).observe(document.body, {
					childList: true,
					subtree: true
				});
			});
			// A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
			const FIRST_DECODED = `new Promise((resolve, reject) => {
			const deadline = Date.now() + 30000;
			const poll = async () => {
				for (const pc of window.__pcs) {
					if (pc.connectionState === 'closed') continue;
					let decoded = 0;
					(await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') decoded += Number(s.framesDecoded || 0); });
					if (decoded > 0) return resolve(Date.now());
				}
				if (Date.now() > deadline) return reject(new Error('no decoded video within 30 s'));
				setTimeout(poll, 5);
			};
			poll();
		})`;
			const firstDecoded = (page: typeof k) => page.evaluate(FIRST_DECODED) as Promise<number>;
			const times: number[] = [];
			for (let i = 0; i < RUNS; i++) {
				// The press must ring the concierge (button mode 'call'), not queue the call behind a busy one.
				await k.waitForSelector('main[data-phase=standby][data-button-mode=call] button.call:not([disabled])', { timeout: 15_000 });
				// And the page is hydrated (its call object exists): a press before that is lost (seen under load).
				await k.waitForFunction(`window.__kioskCall && window.__kioskCall.phase() === 'standby'`, undefined, { timeout: 15_000 });
				await Promise.all([k.evaluate(() => ((window as unknown as { __pcs: unknown[] }).__pcs = [])), c.evaluate(() => ((window as unknown as { __pcs: unknown[] }).__pcs = []))]);
				const t0 = await k.evaluate(() => {
					(document.querySelector('button.call') as HTMLButtonElement).click();
					return Date.now();
				});
				const [kd, cd] = await Promise.all([firstDecoded(k), firstDecoded(c)]).catch(async (e: Error) => {
					const state = (p: typeof k) =>
						p.evaluate(
							`JSON.stringify({ url: location.href, main: document.querySelector('main')?.outerHTML.slice(0, 1500), pcs: (window.__pcs || []).map((pc) => pc.connectionState) })`
						);
					throw new Error(`run ${i + 1} (e2ee ${String(e2ee)}): ${e.message}\nkiosk: ${await state(k)}\nconcierge: ${await state(c)}`);
				});
				times.push(Math.max(kd, cd) - t0);
				// The figure is only worth its label if the call really ran with (or without) end-to-end encryption.
				const encrypted = await k.evaluate('window.__kioskCall.e2ee()');
				if (encrypted !== e2ee) throw new Error(`the kiosk's call ran with e2ee=${String(encrypted)}, expected ${String(e2ee)}`);
				await k.click('button:has-text("Hang up")');
				await k.waitForSelector('main[data-phase=standby]');
				await c.waitForSelector('section[data-phase=idle]');
				await k.waitForTimeout(500);
			}
			times.sort((a, b) => a - b);
			out({
				metric: e2ee ? 'call_setup_e2ee_ms' : 'call_setup_ms',
				e2ee,
				p50: percentile(times, 50),
				p95: percentile(times, 95),
				n: times.length,
				min: times[0],
				max: times[times.length - 1]
			});
			await k.context().close();
			await c.context().close();
		}
	} finally {
		await closeBrowser();
		await Promise.all([stopChild(kioskApp.child), stopChild(consoleApp.child)]);
		await closeDb();
		await closeOwnerDb();
	}
}
