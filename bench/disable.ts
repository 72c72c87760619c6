/**
 * npm run bench -- disable
 *
 * Remote-disable propagation with the real LiveKit and Chromium: a kiosk is in a
 * live call (Chromium, fake camera), an admin POSTs /api/accounts/disable, and we
 * time from that request to BOTH the kiosk's event stream receiving
 * `account.disabled` AND the kiosk's participant being gone from the LiveKit room
 * (polled every 5 ms with RoomServiceClient.listParticipants). DISABLE_RUNS (20)
 * kiosks, one disabled per run, after one warm-up run that is reported but not
 * counted. Same environment as bench/ring.ts.
 */
import { percentile, prepare, startApp, stopChild } from './ring.ts';

export default async function disable(out: (line: Record<string, unknown>) => void): Promise<void> {
	const env = await prepare();
	const RUNS = Number(process.env.DISABLE_RUNS ?? 20);
	// The first disable in fresh app processes pays for module loading and new connections; it is run and reported, not counted.
	const WARMUP = 1;
	const { makeAccount, makeTenant } = await import('../platform/testing/factories.ts');
	const { launchBrowser, closeBrowser } = await import('../platform/testing/browser.ts');
	const { closeDb } = await import('../platform/db.server.ts');
	const { closeOwnerDb, ownerDb } = await import('../platform/testing/db.ts');
	const { newContext, signInPage, signInCookie, openStream } = await import('../kiosk/tests/call-helpers.ts');
	const { roomService } = await import('../platform/livekit.server.ts');
	const { identityOf } = await import('../platform/calls/index.ts');

	const inRoom = async (room: string, identity: string) => {
		try {
			return (await roomService().listParticipants(room)).some((p) => p.identity === identity);
		} catch (e) {
			if (/not.?found|does not exist/i.test(String((e as Error).message))) return false;
			throw e;
		}
	};

	const kioskApp = await startApp('kiosk', env.kioskPort);
	const consoleApp = await startApp('console', env.consolePort);
	const browser = await launchBrowser();
	try {
		const tenant = await makeTenant({ name: 'Disable bench' });
		const admin = await makeAccount(tenant, { role: 'admin' });
		const concierge = await makeAccount(tenant, { role: 'concierge' });
		const adminCookie = await signInCookie(consoleApp.origin, admin.loginId, admin.password);
		const c = await (await newContext(browser)).newPage();
		await signInPage(c, consoleApp.origin, concierge.loginId, concierge.password);
		await c.click('button:has-text("Available")');
		await c.waitForSelector('section[data-status=available]');
		await c.evaluate(() => {
			new MutationObserver(() => (document.querySelector('li[data-call-id] button') as HTMLButtonElement | null)?.click()).observe(document.body, {
				childList: true,
				subtree: true
			});
		});
		const lock: number[] = [];
		const kicked: number[] = [];
		const both: number[] = [];
		let warmupMs = NaN;
		for (let i = 0; i < RUNS + WARMUP; i++) {
			const kiosk = await makeAccount(tenant, { role: 'kiosk' });
			const ctx = await newContext(browser);
			const k = await ctx.newPage();
			await signInPage(k, kioskApp.origin, kiosk.loginId, kiosk.password);
			await k.waitForSelector('button.call:not([disabled])', { timeout: 30_000 });
			await k.click('button.call');
			await k.waitForSelector('main[data-phase=incall]', { timeout: 30_000 });
			const [call] = await ownerDb()<{ roomName: string }[]>`select room_name as "roomName" from calls where kiosk_account_id = ${kiosk.id} and state = 'accepted'`;
			const identity = identityOf(tenant.id, kiosk.id);
			for (let n = 0; !(await inRoom(call!.roomName, identity)); n++) {
				if (n > 300) throw new Error('kiosk never joined the room');
				await new Promise((r) => setTimeout(r, 50));
			}
			const cookie = (await ctx.cookies()).find((x) => x.name === 'kiosk_session')!;
			const stream = await openStream(kioskApp.origin, `kiosk_session=${cookie.value}`);
			await stream.waitFor((e) => e.type === 'snapshot');
			const t0 = performance.now();
			const res = fetch(consoleApp.origin + '/api/accounts/disable', {
				method: 'POST',
				headers: { cookie: adminCookie, 'content-type': 'application/json' },
				body: JSON.stringify({ loginId: kiosk.loginId })
			});
			const gotLock = stream.waitFor((e) => e.type === 'account.disabled').then(() => performance.now() - t0);
			const gone = (async () => {
				while (await inRoom(call!.roomName, identity)) await new Promise((r) => setTimeout(r, 5));
				return performance.now() - t0;
			})();
			const [l, g, r] = await Promise.all([gotLock, gone, res]);
			if (r.status !== 200) throw new Error(`disable answered ${r.status}`);
			stream.close();
			await ctx.close();
			if (i < WARMUP) {
				warmupMs = Math.max(l, g);
				continue;
			}
			lock.push(l);
			kicked.push(g);
			both.push(Math.max(l, g));
		}
		const s = (a: number[]) => [...a].sort((x, y) => x - y);
		const r1 = (n: number) => Math.round(n * 10) / 10;
		out({
			metric: 'disable_propagation_ms',
			p50: r1(percentile(s(both), 50)),
			p95: r1(percentile(s(both), 95)),
			n: both.length,
			lock_p50: r1(percentile(s(lock), 50)),
			lock_p95: r1(percentile(s(lock), 95)),
			kicked_p50: r1(percentile(s(kicked), 50)),
			kicked_p95: r1(percentile(s(kicked), 95)),
			warmup_ms: r1(warmupMs)
		});
	} finally {
		await closeBrowser();
		await Promise.all([stopChild(kioskApp.child), stopChild(consoleApp.child)]);
		await closeDb();
		await closeOwnerDb();
	}
}
