/**
 * End to end, with the built apps, the real livekit-server and Chromium (two
 * browser contexts, fake camera and microphone): the kiosk presses call, the
 * concierge accepts, both decode the other's video over DTLS-SRTP, screens are
 * shared both ways (the kiosk's only after consent, on the kiosk), and hang-up
 * ends both sides and the call record.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { newContext, signInPage, waitForMedia, waitForVideo } from './call-helpers.ts';

const test = suite('call end to end');

test('kiosk calls, concierge answers, SRTP video both ways, screen sharing with consent, hang-up', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const tenant = await makeTenant({ name: 'Shibuya Store' });
	const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Entrance kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Aiko' });
	const kctx = await newContext(browser);
	const cctx = await newContext(browser);
	try {
		const k = await kctx.newPage();
		const c = await cctx.newPage();
		await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
		await signInPage(c, apps.console, concierge.loginId, concierge.password);

		// With nobody available, the kiosk says so and the button is disabled.
		await k.waitForSelector('main[data-phase=standby] button.call[disabled]');
		assert.match((await k.textContent('main')) ?? '', 'No concierge is available right now');

		await c.click('button:has-text("Available")');
		await c.waitForSelector('section[data-status=available]');
		await k.waitForSelector('button.call:not([disabled])');
		await screenshot(k, 'kiosk-standby');
		const before = await ownerDb()`select count(*)::int as n from calls where kiosk_account_id = ${kiosk.id}`;
		assert.is(before[0]!.n, 0, 'no call is placed without the press');

		await k.click('button.call');
		await k.waitForSelector('main[data-phase=ringing]');
		await screenshot(k, 'kiosk-ringing');

		await c.waitForSelector('li[data-call-id]');
		assert.match((await c.textContent('li[data-call-id]'))!, 'Entrance kiosk');
		await c.click('li[data-call-id] button:has-text("Accept")');

		await k.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
		await c.waitForSelector('section[data-phase=incall]', { timeout: 20_000 });
		assert.match((await k.textContent('.support'))!, 'リモートサポート中');
		assert.match((await k.textContent('.support'))!, 'Remote support in progress');

		const kp = await waitForMedia(k);
		const cp = await waitForMedia(c);
		assert.ok(kp.framesDecoded > 0 && cp.framesDecoded > 0, 'remote video decoded on both sides');
		assert.is(kp.dtlsState, 'connected');
		assert.is(cp.dtlsState, 'connected');
		assert.ok(kp.srtpCipher && cp.srtpCipher, `SRTP cipher: ${kp.srtpCipher} / ${cp.srtpCipher}`);
		await waitForVideo(k, 'video.remote');
		await waitForVideo(c, 'video.remote');
		await screenshot(k, 'kiosk-in-call');
		await screenshot(c, 'console-in-call');

		// The concierge shows its screen on the kiosk.
		await c.click('button:has-text("Share my screen")');
		await waitForVideo(k, 'video.remote-screen');

		// The concierge asks for the kiosk's screen: nothing is shared until the kiosk user says yes, on the kiosk.
		await c.click('button:has-text("Ask to see the kiosk")');
		await k.waitForSelector('main[data-share=requested] [role=alertdialog]');
		await c.waitForTimeout(1000);
		assert.is(await c.$('video.remote-screen'), null, 'no kiosk screen before consent');
		const [asked] = await ownerDb()`select kiosk_share from calls where kiosk_account_id = ${kiosk.id} and state = 'accepted'`;
		assert.is(asked!.kiosk_share, 'requested');

		await k.click('button:has-text("共有する / Share")');
		await k.waitForSelector('main[data-share=live]', { timeout: 20_000 });
		await waitForVideo(c, 'video.remote-screen');
		assert.match((await k.textContent('.support'))!, 'Sharing your screen');

		// One touch pauses: the concierge sees the share stop.
		await k.click('button:has-text("Pause sharing")');
		await c.waitForSelector('section[data-kiosk-screen=paused]', { timeout: 10_000 });
		await k.click('button:has-text("Resume sharing")');
		await c.waitForSelector('section[data-kiosk-screen=live]', { timeout: 10_000 });
		await k.click('button:has-text("Stop sharing")');
		await c.waitForSelector('section[data-kiosk-screen=off]', { timeout: 10_000 });

		// Hang up from the kiosk: both sides return, and the record says so.
		await k.click('button:has-text("Hang up")');
		await k.waitForSelector('main[data-phase=standby]');
		await c.waitForSelector('section[data-phase=idle]', { timeout: 10_000 });
		const [row] = await ownerDb()`select state, end_reason, accepted_at, ended_at, kiosk_joined_at, concierge_joined_at from calls where kiosk_account_id = ${kiosk.id}`;
		assert.is(row!.state, 'ended');
		assert.is(row!.end_reason, 'hung_up_by_kiosk');
		assert.ok(row!.accepted_at && row!.ended_at);
		assert.ok(row!.kiosk_joined_at && row!.concierge_joined_at, 'joins recorded from the webhook');
		const actions = (await ownerDb()<{ action: string }[]>`select action from audit_log where tenant_id = ${tenant.id}`).map((r) => r.action);
		for (const a of [
			'call.created',
			'call.accepted',
			'call.share_started',
			'call.share_requested',
			'call.share_consented',
			'call.share_paused',
			'call.share_stopped',
			'call.ended'
		])
			assert.ok(actions.includes(a), `audit has ${a}`);
	} finally {
		await kctx.close();
		await cctx.close();
	}
});

test.run();
