/**
 * The concierge's photo on the kiosk (issue 9, item 2), in Chromium against the built
 * apps and from the attacker's side: the kiosk shows the answering concierge's photo
 * (set by the admin) while the call connects and while the concierge's camera is off,
 * loaded from GET /api/calls/<id>/photo, which answers only the call's own kiosk while
 * the call is live: 404 while ringing, after the end, for another tenant's kiosk and
 * for a bad id; 403 for another kiosk of the tenant; 401 for a concierge's cookie or none.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startApps, startWorkerProcess } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { get, signInHttp } from '../../platform/testing/http.ts';
import { setConciergePhoto } from '../../platform/accounts/manage.ts';
import { newContext, signInPage } from './call-helpers.ts';

const test = suite('concierge photo on the kiosk');

/** A real w×h RGB PNG of one colour. */
function png(w: number, h: number, rgb: [number, number, number]): Uint8Array<ArrayBuffer> {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (b: Buffer) => {
		let c = 0xffffffff;
		for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const out = Buffer.alloc(12 + data.length);
		out.writeUInt32BE(data.length, 0);
		td.copy(out, 4);
		out.writeUInt32BE(crc(td), 8 + data.length);
		return out;
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
	const raw = Buffer.concat(Array.from({ length: h }, () => row));
	return new Uint8Array(
		Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
	);
}

/** The photo is shown: visible, loaded (naturalWidth > 0) and inside the viewport. */
async function photoShown(k: Page, what: string): Promise<void> {
	const img = k.locator('[data-testid=concierge-photo]');
	await img.waitFor({ state: 'visible', timeout: 20_000 });
	await k
		.waitForFunction(
			() => {
				const i = document.querySelector('[data-testid=concierge-photo]') as HTMLImageElement | null;
				return !!i && i.complete && i.naturalWidth > 0;
			},
			undefined,
			{ timeout: 10_000 }
		)
		.catch(async (e) => {
			const state = await k.evaluate(async () => {
				const i = document.querySelector('[data-testid=concierge-photo]') as HTMLImageElement | null;
				const r = i ? await fetch(i.src).then((x) => `${x.status} ${x.headers.get('content-type')}`) : 'none';
				return { src: i?.src, complete: i?.complete, w: i?.naturalWidth, fetched: r, phase: document.querySelector('main')?.dataset.phase };
			});
			throw new Error(`${what}: photo not loaded ${JSON.stringify(state)} (${(e as Error).message})`);
		});
	assert.is(await k.evaluate(`document.querySelector('[data-testid=concierge-photo]').naturalWidth`), 96, `${what}: the photo loaded`);
	const b = (await img.boundingBox())!;
	const vp = k.viewportSize()!;
	assert.ok(b.width > 20 && b.height > 20 && b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width && b.y + b.height <= vp.height, `${what}: in view ${JSON.stringify(b)}`);
	assert.match((await img.getAttribute('alt'))!, 'Aiko');
}

test('the photo shows while connecting and while the camera is off; only the own kiosk of a live call gets it', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const a = await makeTenant({ name: 'Ginza Store' });
	const b = await makeTenant({ name: 'Other Store' });
	const admin = await makeAccount(a, { role: 'admin' });
	const kiosk = await makeAccount(a, { role: 'kiosk', displayName: 'Entrance' });
	const sibling = await makeAccount(a, { role: 'kiosk', displayName: 'Back door' });
	const concierge = await makeAccount(a, { role: 'concierge', displayName: 'Aiko' });
	const kioskB = await makeAccount(b, { role: 'kiosk' });
	await setConciergePhoto(admin.actor, concierge.id, new Blob([png(96, 96, [200, 60, 40])]));

	const kctx = await newContext(browser);
	const cctx = await newContext(browser);
	try {
		const k = await kctx.newPage();
		const c = await cctx.newPage();
		await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
		await signInPage(c, apps.console, concierge.loginId, concierge.password);
		const ks = await signInHttp(apps.kiosk, kiosk.loginId, kiosk.password);
		const sib = await signInHttp(apps.kiosk, sibling.loginId, sibling.password);
		const other = await signInHttp(apps.kiosk, kioskB.loginId, kioskB.password);
		const cs = await signInHttp(apps.console, concierge.loginId, concierge.password);

		await c.click('button:has-text("Available")');
		await k.waitForSelector('button.call:not([disabled])');
		await k.click('button.call');
		await k.waitForSelector('main[data-phase=ringing]');
		const [row] = await ownerDb()<{ id: string }[]>`select id from calls where kiosk_account_id = ${kiosk.id} order by created_at desc limit 1`;
		const id = row!.id;
		assert.is((await get(ks, `/api/calls/${id}/photo`)).status, 404, 'ringing: no photo yet');

		await c.click('li[data-call-id] button:has-text("Accept")');
		await k.waitForSelector('main[data-phase=connecting], main[data-phase=incall]', { timeout: 20_000 });
		const live = await get(ks, `/api/calls/${id}/photo`);
		assert.is(live.status, 200, 'the own kiosk of the live call');
		assert.is(live.headers.get('content-type'), 'image/png');
		assert.is(live.headers.get('x-content-type-options'), 'nosniff');

		// The attacker's side while the call is live.
		assert.is((await get(other, `/api/calls/${id}/photo`)).status, 404, "another tenant's kiosk");
		assert.is((await get(sib, `/api/calls/${id}/photo`)).status, 403, 'another kiosk of the tenant');
		assert.is((await get(other, `/api/calls/not-a-uuid/photo`)).status, 404, 'a bad id');
		const withConcierge = await fetch(`${apps.kiosk}/api/calls/${id}/photo`, { headers: { cookie: cs.cookie } });
		assert.is(withConcierge.status, 401, "a concierge's cookie on the kiosk app");
		const anon = await fetch(`${apps.kiosk}/api/calls/${id}/photo`, { redirect: 'manual' });
		assert.ok([401, 302, 303].includes(anon.status), `signed out: ${anon.status}`);

		// Camera off on the concierge's side: the kiosk shows the photo in its place.
		await k.waitForSelector('main[data-phase=incall]', { timeout: 30_000 });
		await c.waitForSelector('[data-testid=camera-toggle]');
		await c.click('[data-testid=camera-toggle]');
		await k.waitForSelector('[data-testid=remote-camera-off][data-reason=camera-off]', { timeout: 15_000 });
		await photoShown(k, 'camera off');
		await screenshot(k, 'kiosk-concierge-photo-camera-off');
		await c.click('[data-testid=camera-toggle]');
		await k.waitForSelector('[data-testid=concierge-photo]', { state: 'detached', timeout: 15_000 });

		await k.click('button.hangup');
		await k.waitForSelector('main[data-phase=standby]', { timeout: 20_000 });
		for (let i = 0; i < 50; i++) {
			const [st] = await ownerDb()<{ state: string }[]>`select state from calls where id = ${id}`;
			if (st!.state !== 'accepted') break;
			await k.waitForTimeout(200);
		}
		const [ended] = await ownerDb()<{ state: string }[]>`select state from calls where id = ${id}`;
		assert.is(ended!.state, 'ended', 'the call has ended');
		assert.is((await get(ks, `/api/calls/${id}/photo`)).status, 404, 'after the end: no photo');
	} finally {
		await kctx.close();
		await cctx.close();
	}
});

test('while connecting the kiosk shows the photo (the concierge has not joined the media yet)', async () => {
	const apps = await startApps();
	// The worker, as in production: this test's concierges hold no console stream, so they
	// lapse to offline by time, and only the worker's sweep tells the kiosks. Without it an
	// app's presence lane would still say someone can answer while a new kiosk's snapshot
	// says nobody, and the next "available" would be dropped as no change.
	await startWorkerProcess();
	const browser = await launchBrowser();
	const a = await makeTenant({ name: 'Ginza Store' });
	const admin = await makeAccount(a, { role: 'admin' });
	const kiosk = await makeAccount(a, { role: 'kiosk', displayName: 'Entrance' });
	for (const [width, height] of [
		[1080, 1920],
		[1920, 1080]
	] as const) {
		// A concierge per round: one whose call has just ended may still count as busy.
		const concierge = await makeAccount(a, { role: 'concierge', displayName: 'Aiko' });
		await setConciergePhoto(admin.actor, concierge.id, new Blob([png(96, 96, [40, 90, 200])]));
		const cs = await signInHttp(apps.console, concierge.loginId, concierge.password);
		const ctx = await browser.newContext({ viewport: { width, height } });
		try {
			const k = await ctx.newPage();
			await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
			const r = await fetch(`${apps.console}/api/presence`, {
				method: 'POST',
				headers: { cookie: cs.cookie, origin: apps.console, 'content-type': 'application/json' },
				body: '{"status":"available"}'
			});
			assert.is(r.status, 200);
			await k.waitForSelector('button.call:not([disabled])', { timeout: 15_000 });
			await k.click('button.call');
			await k.waitForSelector('main[data-phase=ringing]');
			const [row] = await ownerDb()<{ id: string }[]>`select id from calls where kiosk_account_id = ${kiosk.id} and state = 'ringing' order by created_at desc limit 1`;
			// Accepted over HTTP: the concierge never joins the room, so its camera never reaches the kiosk.
			const acc = await fetch(`${apps.console}/api/calls/${row!.id}/accept`, {
				method: 'POST',
				headers: { cookie: cs.cookie, origin: apps.console, 'content-type': 'application/json' },
				body: '{}'
			});
			assert.is(acc.status, 200);
			await k.waitForSelector('[data-testid=remote-camera-off][data-reason=connecting]', { timeout: 20_000 });
			await photoShown(k, `connecting ${width}×${height}`);
			await screenshot(k, `kiosk-concierge-photo-connecting-${width}x${height}`);
			await k.click('button.hangup');
			await k.waitForSelector('main[data-phase=standby]', { timeout: 20_000 });
		} finally {
			await ctx.close();
		}
	}
});

test.run();
