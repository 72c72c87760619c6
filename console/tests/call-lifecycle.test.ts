/**
 * Calls that survive real life (issue 7), end to end with the built apps, the real
 * livekit-server, the real worker (its sweep ends calls whose party is gone and
 * misses rings) and Chromium: each test does what a person does and checks what
 * each side shows, whether the kiosk's camera is still capturing, and what the
 * server holds.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { appLogs, startApps, startWorkerProcess, workerLog, type Apps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signInHttp, post } from '../../platform/testing/http.ts';
import { cameraLive, camerasOpened, newContext, signInPage, waitForMedia } from '../../kiosk/tests/call-helpers.ts';

const test = suite('call lifecycle');

interface Side {
	ctx: BrowserContext;
	page: Page;
}

const open: BrowserContext[] = [];
let apps: Apps;
let browser: Browser;

test.before(async () => {
	apps = await startApps();
	browser = await launchBrowser();
	await startWorkerProcess();
});

test.after.each(async () => {
	for (const c of open.splice(0)) await c.close().catch(() => {});
});

async function signedIn(origin: string, account: { loginId: string; password: string }): Promise<Side> {
	const ctx = await newContext(browser);
	open.push(ctx);
	const page = await ctx.newPage();
	await signInPage(page, origin, account.loginId, account.password);
	return { ctx, page };
}

async function people(opts: { kiosks?: number } = {}) {
	const tenant = await makeTenant({ name: 'Lifecycle Store' });
	const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Aiko' });
	const kioskAccounts = [];
	for (let i = 0; i < (opts.kiosks ?? 1); i++) kioskAccounts.push(await makeAccount(tenant, { role: 'kiosk', displayName: `Kiosk ${i + 1}` }));
	const c = await signedIn(apps.console, concierge);
	const kiosks = [];
	for (const k of kioskAccounts) kiosks.push(await signedIn(apps.kiosk, k));
	return { tenant, concierge, kioskAccounts, c, kiosks };
}

async function goAvailable(c: Page): Promise<void> {
	await c.click('button:has-text("Available")');
	await c.waitForSelector('section[data-status=available]');
}

/** The kiosk presses, the concierge answers; both are in the call with media flowing. */
async function inCall(k: Page, c: Page): Promise<void> {
	await k.waitForSelector('main[data-phase=standby] button.call:not([disabled])', { timeout: 15_000 });
	await k.click('button.call');
	await c.waitForSelector('li[data-call-id] button:has-text("Accept")', { timeout: 15_000 });
	await c.click('li[data-call-id] button:has-text("Accept")');
	await k.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
	await c.waitForSelector('section[data-phase=incall]', { timeout: 20_000 });
	await waitForMedia(k);
	await waitForMedia(c);
	assert.ok(await cameraLive(k), 'the kiosk camera is live during the call');
}

async function callRow(kioskId: string) {
	const [row] = await ownerDb()<{ id: string; state: string; end_reason: string | null; ring_expires_at: Date | null }[]>`
		select id, state, end_reason, ring_expires_at from calls where kiosk_account_id = ${kioskId} order by created_at desc limit 1`;
	return row!;
}

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
	const deadline = Date.now() + ms;
	let last: T = await fn();
	while (!ok(last)) {
		if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)}`);
		await new Promise((r) => setTimeout(r, 200));
		last = await fn();
	}
	return last;
}

const text = async (p: Page, sel = 'body') => (await p.textContent(sel)) ?? '';

/**
 * Poll a string expression in the page until it is true. (waitForFunction with a
 * string compiles it in the page, which the apps' CSP forbids; evaluate does not.)
 */
async function waitForTrue(p: Page, expression: string, ms = 10_000): Promise<void> {
	await waitFor(
		expression,
		() => p.evaluate(expression) as Promise<unknown>,
		(v) => v === true,
		ms
	);
}

test('the concierge closes the tab mid-call: the kiosk shows reconnecting, then stops its camera and returns to standby', async () => {
	const { c, kiosks, kioskAccounts } = await people();
	const k = kiosks[0]!.page;
	await goAvailable(c.page);
	await inCall(k, c.page);

	const closedAt = Date.now();
	await c.page.close({ runBeforeUnload: false });
	await k.waitForSelector('.stage[data-stage-notice=reconnecting]', { timeout: 10_000 });
	assert.match(await text(k, '.stage'), '再接続しています…');
	assert.match(await text(k, '.stage'), 'Reconnecting…');
	await screenshot(k, 'lifecycle-kiosk-concierge-gone');
	assert.is((await callRow(kioskAccounts[0]!.id)).state, 'accepted', 'within the grace the call lives');

	await k.waitForSelector('main[data-phase=standby]', { timeout: 45_000 });
	const tookMs = Date.now() - closedAt;
	assert.match(await text(k, 'main'), 'The concierge has left the call.');
	assert.match(await text(k, 'main'), 'コンシェルジュが通話から退出しました。');
	assert.is(await cameraLive(k), false, 'the kiosk camera is stopped');
	const row = await callRow(kioskAccounts[0]!.id);
	assert.is(row.state, 'ended');
	assert.is(row.end_reason, 'concierge_left');
	assert.ok(tookMs < 20_000 + 15_000, `ended within the grace and a sweep (${tookMs} ms)`);
	await screenshot(k, 'lifecycle-kiosk-after-concierge-gone');
});

test('the concierge signs out mid-call: asked to confirm; the call ends for the kiosk with a clear reason', async () => {
	const { c, kiosks, kioskAccounts } = await people();
	const k = kiosks[0]!.page;
	await goAvailable(c.page);
	await inCall(k, c.page);

	// Dismissed: nothing happens.
	const dialogs: string[] = [];
	c.page.once('dialog', (d) => {
		dialogs.push(d.message());
		void d.dismiss();
	});
	await c.page.click('nav button:has-text("Sign out")');
	await c.page.waitForTimeout(500);
	assert.match(dialogs[0] ?? '', 'You are in a call');
	assert.ok(await c.page.$('section[data-phase=incall]'), 'still in the call after dismissing');
	assert.is((await callRow(kioskAccounts[0]!.id)).state, 'accepted');

	c.page.once('dialog', (d) => void d.accept());
	await c.page.click('nav button:has-text("Sign out")');
	await c.page.waitForURL(/\/login/, { timeout: 15_000 });
	assert.is(await cameraLive(c.page), false, 'the console camera is off');

	await k.waitForSelector('main[data-phase=standby]', { timeout: 15_000 });
	assert.match(await text(k, 'main'), 'The concierge has left the call.');
	assert.is(await cameraLive(k), false, 'the kiosk camera is stopped');
	const row = await callRow(kioskAccounts[0]!.id);
	assert.is(row.state, 'ended');
	assert.is(row.end_reason, 'concierge_signed_out');
	// Nobody is left to answer: the kiosk says so.
	await k.waitForSelector('main[data-button-mode=none] button.call[disabled]', { timeout: 10_000 });
	await screenshot(k, 'lifecycle-kiosk-after-sign-out');
});

test('the kiosk reloads mid-call without hanging up: it resumes the call quickly, and the call lives on past the grace', async () => {
	const { c, kiosks, kioskAccounts } = await people();
	const k = kiosks[0]!.page;
	await goAvailable(c.page);
	await inCall(k, c.page);
	const t0 = Date.now();
	const logs: string[] = [];
	k.on('console', (m) => logs.push(`${Date.now() - t0} ms ${m.type()}: ${m.text().slice(0, 300)}`));
	await k.reload();
	await k.waitForSelector('main[data-phase=incall] .stage[data-stage-notice=none]', { timeout: 15_000 }).catch(async (e) => {
		const state = await k.evaluate(
			`[document.querySelector('main')?.dataset.phase, document.querySelector('.stage')?.dataset.stageNotice, document.querySelector('main')?.innerText.slice(0, 300)].join(' / ')`
		);
		const row = await callRow(kioskAccounts[0]!.id);
		throw new Error(
			`the kiosk did not resume (${state}); call ${JSON.stringify(row)}; its console:\n${logs.join('\n')}\n${(e as Error).message}\nconsole app:\n${appLogs.console.slice(-15).join('\n')}\nworker:\n${workerLog.slice(-10).join('\n')}`
		);
	});
	const resumedMs = Date.now() - t0;
	await waitForMedia(k);
	assert.ok(await cameraLive(k), 'the camera is live again in the resumed call');
	assert.ok(resumedMs < 6_000, `resumed in ${resumedMs} ms`);
	console.log(`    kiosk reload to resumed call: ${resumedMs} ms`);
	await c.page.waitForSelector('section.incall[data-stage-notice=none]', { timeout: 10_000 });
	// Past the grace: the short absence during the reload must not end the call.
	await k.waitForTimeout(23_000);
	assert.is((await callRow(kioskAccounts[0]!.id)).state, 'accepted');
	assert.ok(await k.$('main[data-phase=incall]'));
	await k.click('button:has-text("Hang up")');
	await c.page.waitForSelector('section[data-phase=idle]', { timeout: 10_000 });
});

test('the kiosk hangs up while offline, then reloads: devices off at once, the hang-up reaches the server, no rejoin', async () => {
	const { c, kiosks, kioskAccounts } = await people();
	const k = kiosks[0]!;
	await goAvailable(c.page);
	await inCall(k.page, c.page);
	const callId = (await callRow(kioskAccounts[0]!.id)).id;

	await k.ctx.setOffline(true);
	await k.page.click('button:has-text("Hang up")');
	await k.page.waitForSelector('main[data-phase=standby]', { timeout: 2_000 });
	assert.is(await cameraLive(k.page), false, 'camera stopped at once, offline');
	assert.match(await text(k.page, 'main'), 'The call has ended.');
	await k.page.waitForSelector('[data-testid=connection-lost]', { timeout: 5_000 });
	assert.match(await text(k.page, '[data-testid=connection-lost]'), 'Connection lost');
	assert.ok(await k.page.$('button.call[disabled]'), 'the button is disabled while offline');
	const remembered = (await k.page.evaluate(`localStorage.getItem('concierge:hung-up-calls')`)) as string;
	assert.ok(remembered.includes(callId), 'the hung-up call is remembered');
	await screenshot(k.page, 'lifecycle-kiosk-hung-up-offline');

	await k.ctx.setOffline(false);
	await k.page.reload();
	await k.page.waitForSelector('main[data-phase=standby]');
	const row = await waitFor(
		'the call ends on the server',
		() => callRow(kioskAccounts[0]!.id),
		(r) => r.state === 'ended'
	);
	assert.is(row.end_reason, 'hung_up_by_kiosk');
	// Watch a while: the reloaded kiosk never rejoins and never opens its camera.
	for (let i = 0; i < 10; i++) {
		assert.is(await k.page.getAttribute('main', 'data-phase'), 'standby');
		await k.page.waitForTimeout(300);
	}
	assert.is(await camerasOpened(k.page), 0, 'no camera opened after the reload');
	await c.page.waitForSelector('section[data-phase=idle]', { timeout: 10_000 });
	assert.match(await text(c.page, 'main'), 'The kiosk ended the call.');
	await screenshot(c.page, 'lifecycle-console-after-kiosk-hang-up');
});

test('a kiosk calls while the only concierge is busy: it waits in line with its position, then rings when the concierge is free', async () => {
	const { c, kiosks, kioskAccounts } = await people({ kiosks: 2 });
	const [k1, k2] = [kiosks[0]!.page, kiosks[1]!.page];
	await goAvailable(c.page);
	await inCall(k1, c.page);
	await c.page.waitForSelector('section[data-status=busy]', { timeout: 10_000 });

	await k2.waitForSelector('main[data-button-mode=queue] button.call:not([disabled])', { timeout: 10_000 });
	assert.match(await text(k2, 'main'), 'All concierges are busy — you can wait in line.');
	await k2.click('button.call');
	await k2.waitForSelector('[data-queue-position="1"]', { timeout: 10_000 });
	assert.match(await text(k2, 'main'), 'You are number 1 in line');
	assert.is((await callRow(kioskAccounts[1]!.id)).ring_expires_at, null, 'queued: no ring timer');
	await c.page.waitForSelector('[data-waiting="1"]', { timeout: 10_000 });
	assert.match(await text(c.page, '.incall'), '1 call waiting');
	await screenshot(k2, 'lifecycle-kiosk-queued');
	await screenshot(c.page, 'lifecycle-console-busy-with-waiting');

	// The first call ends; after its wrap-up the concierge is free and the queued call rings.
	await k1.click('button:has-text("Hang up")');
	await c.page.waitForSelector('li[data-call-id] button:has-text("Accept")', { timeout: 30_000 });
	await waitForTrue(k2, `!document.querySelector('[data-queue-position]') && document.body.innerText.includes('Calling a concierge')`);
	assert.ok((await callRow(kioskAccounts[1]!.id)).ring_expires_at, 'ringing now: a ring timer is set');
	assert.is(await c.page.getAttribute('section[data-status]', 'data-ring-alert'), 'on');
	await c.page.click('li[data-call-id] button:has-text("Accept")');
	await k2.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
	assert.is((await callRow(kioskAccounts[1]!.id)).state, 'accepted');
	await k2.click('button:has-text("Hang up")');
	await c.page.waitForSelector('section[data-phase=idle]', { timeout: 10_000 });
});

test('the concierge goes away while a kiosk rings: the kiosk is told at once and its camera stops', async () => {
	const { c, kiosks, kioskAccounts } = await people();
	const k = kiosks[0]!.page;
	await goAvailable(c.page);
	await k.waitForSelector('button.call:not([disabled])', { timeout: 10_000 });
	await k.click('button.call');
	await k.waitForSelector('main[data-phase=ringing]');
	await c.page.waitForSelector('li[data-call-id]', { timeout: 10_000 });
	await waitFor(
		'the kiosk camera opens while it rings',
		() => cameraLive(k),
		(v) => v,
		10_000
	);

	const t0 = Date.now();
	await c.page.click('button:has-text("Away")');
	await k.waitForSelector('main[data-phase=standby]', { timeout: 5_000 });
	const tookMs = Date.now() - t0;
	assert.ok(tookMs < 5_000, `told within seconds (${tookMs} ms), not after the ring time`);
	assert.match(await text(k, 'main'), 'No concierge is available right now.');
	assert.match(await text(k, 'main'), 'ただいま対応できるコンシェルジュがいません。');
	assert.is(await cameraLive(k), false, 'the kiosk camera is stopped');
	const row = await callRow(kioskAccounts[0]!.id);
	assert.is(row.state, 'missed');
	assert.is(row.end_reason, 'no_concierge');
	assert.ok(await k.$('button.call[disabled]'), 'nobody can answer: the button is disabled');
	await screenshot(k, 'lifecycle-kiosk-told-nobody');
});

/** Records desktop notifications shown and closed by the page. */
const RECORD_NOTIFICATIONS = `
(() => {
	window.__notes = [];
	const Original = window.Notification;
	if (!Original) return;
	window.Notification = class extends Original {
		constructor(title, opts) {
			super(title, opts);
			const entry = { title, closed: false };
			window.__notes.push(entry);
			const close = this.close.bind(this);
			this.close = () => { entry.closed = true; close(); };
		}
	};
})();`;

test('two rings in a row go unanswered: ring alerts stop each time, and the concierge is set away and told why', async () => {
	const { c, kiosks, kioskAccounts, concierge } = await people();
	const k = kiosks[0]!.page;
	await c.ctx.grantPermissions(['notifications'], { origin: apps.console });
	await c.ctx.addInitScript(RECORD_NOTIFICATIONS);
	await c.page.reload();
	const wav = (await c.page.evaluate(`fetch('/ring.wav').then(async (r) => [r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength])`)) as [
		number,
		string,
		number
	];
	assert.is(wav[0], 200, 'the ring sound is shipped with the console');
	assert.match(wav[1], 'audio/');
	assert.ok(wav[2] > 1000 && wav[2] < 100_000, `ring.wav is small (${wav[2]} bytes)`);
	await goAvailable(c.page);
	for (let ring = 1; ring <= 2; ring++) {
		await k.waitForSelector('main[data-phase=standby] button.call:not([disabled])', { timeout: 15_000 });
		await k.click('button.call');
		await c.page.waitForSelector('li[data-call-id]', { timeout: 10_000 });
		await c.page.waitForSelector('section[data-ring-alert=on]');
		await waitForTrue(c.page, `document.title.includes('is calling')`, 5_000);
		assert.ok(await c.page.evaluate(`window.__consoleCall.ringAlert()`), 'the ring alert is on');
		assert.ok(await c.page.evaluate(`window.__consoleCall.ringSound()`), 'the ring sound plays');
		const notes = (await c.page.evaluate(`window.__notes`)) as { title: string; closed: boolean }[];
		assert.is(notes.length, ring, 'one desktop notification per ring');
		assert.is(notes.at(-1)!.title, 'Kiosk 1 is calling');
		if (ring === 1) await screenshot(c.page, 'lifecycle-console-ringing');
		// Let it ring out now rather than after the full ring time: the worker's sweep misses it.
		await ownerDb()`update calls set ring_expires_at = now() where kiosk_account_id = ${kioskAccounts[0]!.id} and state = 'ringing'`;
		await k.waitForSelector('main[data-phase=standby]', { timeout: 10_000 });
		assert.match(await text(k, 'main'), 'No concierge answered.');
		assert.is(await cameraLive(k), false, 'the kiosk camera is stopped after a missed call');
		await c.page.waitForSelector('section[data-ring-alert=off]', { timeout: 5_000 });
		assert.ok(!((await c.page.evaluate(`document.title`)) as string).includes('is calling'), 'the title stops flashing');
		assert.is(await c.page.evaluate(`window.__consoleCall.ringAlert()`), false);
		assert.is(await c.page.evaluate(`window.__consoleCall.ringSound()`), false, 'the ring sound stops');
		assert.ok(
			((await c.page.evaluate(`window.__notes`)) as { closed: boolean }[]).every((n) => n.closed),
			'the notification is closed'
		);
		assert.is((await callRow(kioskAccounts[0]!.id)).end_reason, 'no_answer');
	}
	await c.page.waitForSelector('section[data-status=away]', { timeout: 10_000 });
	assert.match(await text(c.page, 'main'), 'You were set to Away because two calls in a row went unanswered.');
	assert.ok(await c.page.$('[data-missed-call-id]'), 'the missed calls are listed');
	const [p] = await ownerDb()`select status from concierge_presence where account_id = ${concierge.id}`;
	assert.is(p!.status, 'away');
	await k.waitForSelector('main[data-button-mode=none] button.call[disabled]', { timeout: 10_000 });
	await screenshot(c.page, 'lifecycle-console-set-away');
});

test("the kiosk's, then the concierge's, network drops for a few seconds mid-call: each shows it, and the call resumes", async () => {
	const { c, kiosks, kioskAccounts } = await people();
	const k = kiosks[0]!;
	await goAvailable(c.page);
	await inCall(k.page, c.page);

	await k.ctx.setOffline(true);
	await k.page.waitForSelector('[data-testid=connection-lost]', { timeout: 5_000 });
	assert.match(await text(k.page, '[data-testid=connection-lost]'), '接続が切れました');
	// The network is gone: the stage says the call is reconnecting (LiveKit's own reconnect shows the same).
	await k.page.waitForSelector('main[data-phase=incall] .stage[data-stage-notice=reconnecting]', { timeout: 10_000 });
	assert.match(await text(k.page, '.stage'), '再接続しています… Reconnecting…');
	assert.ok((await k.page.$('button.call')) === null, 'still on the call screen');
	await screenshot(k.page, 'lifecycle-kiosk-network-down');
	await k.page.waitForTimeout(3_000);
	await k.ctx.setOffline(false);
	await k.page.waitForSelector('main[data-connection=open]', { timeout: 15_000 });
	await k.page.waitForSelector('main[data-phase=incall] .stage[data-stage-notice=none]', { timeout: 30_000 });
	await c.page.waitForSelector('section[data-phase=incall]');
	await c.page.waitForSelector('section.incall[data-stage-notice=none]', { timeout: 30_000 });
	assert.ok(await cameraLive(k.page), 'the kiosk camera is live again in the resumed call');
	// Frames keep arriving (two samples apart; a reconnect may have replaced the peer connection, so poll).
	await waitFor(
		'the concierge keeps decoding the kiosk video',
		async () => {
			const a = (await waitForMedia(c.page)).framesDecoded;
			await c.page.waitForTimeout(1_000);
			return (await waitForMedia(c.page)).framesDecoded > a;
		},
		(v) => v,
		15_000
	);
	assert.is((await callRow(kioskAccounts[0]!.id)).state, 'accepted', 'the call lives on');
	await screenshot(k.page, 'lifecycle-kiosk-resumed');

	// Near the maximum length (the call accepted 56 minutes ago): both sides are warned.
	await ownerDb()`update calls set accepted_at = now() - interval '56 minutes' where id = ${(await callRow(kioskAccounts[0]!.id)).id}`;
	await k.page.waitForSelector('.note.warning', { timeout: 10_000 });
	assert.match(await text(k.page, '.note.warning'), 'The call will end at');
	await c.page.waitForSelector('.incall .warning', { timeout: 10_000 });
	assert.match(await text(c.page, '.incall .warning'), 'This call will end at');

	// The same on the concierge's side.
	await c.ctx.setOffline(true);
	await c.page.waitForSelector('section.incall[data-stage-notice=reconnecting]', { timeout: 5_000 });
	assert.match(await text(c.page, '.stage'), 'Reconnecting…');
	await screenshot(c.page, 'lifecycle-console-network-down');
	await c.page.waitForTimeout(3_000);
	await c.ctx.setOffline(false);
	await c.page.waitForSelector('section.incall[data-stage-notice=none]', { timeout: 30_000 });
	assert.is((await callRow(kioskAccounts[0]!.id)).state, 'accepted', 'the call lives on');
	await k.page.click('button:has-text("Hang up")');
	await c.page.waitForSelector('section[data-phase=idle]', { timeout: 10_000 });
});

test('an admin withdraws screen sharing while the concierge shares: the share stops at once, without a reload', async () => {
	const { tenant, c, kiosks, concierge } = await people();
	const k = kiosks[0]!.page;
	const admin = await makeAccount(tenant, { role: 'admin' });
	await goAvailable(c.page);
	await inCall(k, c.page);
	await c.page.click('button:has-text("Share my screen")');
	await k.waitForSelector('video.remote-screen', { timeout: 15_000 });

	const as = await signInHttp(apps.console, admin.loginId, admin.password);
	const r = await post(as, '/api/accounts/permissions', JSON.stringify({ loginId: concierge.loginId, canShareScreen: false, canViewKioskScreen: true }), 'application/json');
	assert.is(r.status, 200);
	await waitForTrue(c.page, `document.body.innerText.includes('showing your screen not allowed')`);
	assert.is(await c.page.$('button:has-text("Stop sharing my screen")'), null, 'the share control is gone');
	assert.is(await c.page.$('button:has-text("Share my screen")'), null, 'and sharing cannot be started again');
	await k.waitForSelector('video.remote-screen', { state: 'detached', timeout: 10_000 });
	assert.ok(await c.page.$('section[data-phase=incall]'), 'the call itself goes on');
	await screenshot(c.page, 'lifecycle-console-share-withdrawn');
	await k.click('button:has-text("Hang up")');
	await c.page.waitForSelector('section[data-phase=idle]', { timeout: 10_000 });
});

test.run();
