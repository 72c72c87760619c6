/**
 * Remote disable of a kiosk in a live call, end to end with the real LiveKit and
 * Chromium: the kiosk is removed from the room, its screen locks, the concierge's
 * call ends with a reason. And with LiveKit down at the moment of disable: sign-in
 * and sessions are settled at once, and the removal happens after LiveKit is back,
 * by the worker's retry job.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startApps, startWorkerProcess } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { api, newContext, signInCookie, signInPage, waitForMedia } from '../../kiosk/tests/call-helpers.ts';
import { roomService } from '../../platform/livekit.server.ts';
import { identityOf } from '../../platform/calls/index.ts';

const test = suite('remote disable in a live call');
const root = fileURLToPath(new URL('../../', import.meta.url));

function livekit(action: 'stop' | 'start'): void {
	execFileSync('bash', ['infra/services.sh', action], { cwd: root, env: { ...process.env, SKIP_POSTGRES: '1', SKIP_REDIS: '1' }, stdio: 'pipe' });
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn().catch(() => null);
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

async function participants(room: string): Promise<string[]> {
	try {
		return (await roomService().listParticipants(room)).map((p) => p.identity);
	} catch (e) {
		if (/not.?found|does not exist/i.test(String((e as Error).message))) return [];
		throw e;
	}
}

/** A kiosk and a concierge of a fresh tenant in a real call; returns the pages and ids. */
async function inCall(name: string) {
	const apps = await startApps();
	const browser = await launchBrowser();
	const tenant = await makeTenant({ name });
	const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Counter kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Ren' });
	const admin = await makeAccount(tenant, { role: 'admin' });
	const kctx = await newContext(browser);
	const cctx = await newContext(browser);
	const k = await kctx.newPage();
	const c = await cctx.newPage();
	await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
	await signInPage(c, apps.console, concierge.loginId, concierge.password);
	await c.click('button:has-text("Available")');
	await c.waitForSelector('section[data-status=available]');
	await k.waitForSelector('button.call:not([disabled])');
	await k.click('button.call');
	await c.waitForSelector('li[data-call-id]').catch(async (e) => {
		await screenshot(c, `failure-${name}-console`);
		await screenshot(k, `failure-${name}-kiosk`);
		throw e;
	});
	await c.click('li[data-call-id] button:has-text("Accept")');
	await k.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
	await waitForMedia(k);
	const [call] = await ownerDb()<{ id: string; roomName: string }[]>`select id, room_name as "roomName" from calls where kiosk_account_id = ${kiosk.id} and state = 'accepted'`;
	assert.ok(call, 'the call is accepted');
	const identity = identityOf(tenant.id, kiosk.id);
	await until('the kiosk is in the room', async () => (await participants(call!.roomName)).includes(identity));
	const adminCookie = await signInCookie(apps.console, admin.loginId, admin.password);
	const close = async () => {
		await kctx.close();
		await cctx.close();
	};
	return { apps, tenant, kiosk, k, c, call: call!, identity, adminCookie, close };
}

async function lockedText(k: Page): Promise<string> {
	await k.waitForSelector('main[data-locked=true]', { timeout: 15_000 });
	return (await k.textContent('main[data-locked=true]')) ?? '';
}

test('disable kicks the kiosk out of the live room, locks its screen and ends the call for the concierge', async () => {
	const s = await inCall('Disable Store');
	try {
		const r = await api(s.apps.console, s.adminCookie, '/api/accounts/disable', { loginId: s.kiosk.loginId, reason: 'stolen' });
		assert.is(r.status, 200);
		assert.match(await lockedText(s.k), 'This terminal has been disabled. Please contact your administrator.');
		await screenshot(s.k, 'kiosk-disabled');
		await until('the kiosk is gone from the room', async () => !(await participants(s.call.roomName)).includes(s.identity), 10_000);
		const [row] = await ownerDb()`select state, end_reason from calls where id = ${s.call.id}`;
		assert.is(row!.state, 'ended');
		assert.is(row!.end_reason, 'account_disabled');
		await s.c.waitForSelector('section[data-phase=incall]', { state: 'detached', timeout: 15_000 });
		const stored = await s.k.evaluate('localStorage.length + sessionStorage.length');
		assert.is(stored, 0, 'the kiosk dropped its local state');
		assert.is((await s.k.evaluate(`fetch('/api/me').then((r) => r.status)`)) as number, 401, 'its cookie is dead');
	} finally {
		await s.close();
	}
});

test('disable while LiveKit is down: sessions end at once, and the worker removes the participant once LiveKit is back', async () => {
	await startWorkerProcess();
	const s = await inCall('Outage Store');
	let stopped = false;
	try {
		livekit('stop');
		stopped = true;
		const r = await api(s.apps.console, s.adminCookie, '/api/accounts/disable', { loginId: s.kiosk.loginId });
		assert.is(r.status, 200, 'disable does not wait for LiveKit');
		assert.match(await lockedText(s.k), 'This terminal has been disabled');
		const retry = await ownerDb()`select count(*)::int as n from audit_log where action = 'call.participant_removed' and target_id = ${s.call.id}`;
		assert.is(retry[0]!.n, 0, 'nothing could be removed while LiveKit was down');
		livekit('start');
		stopped = false;
		await until(
			'the retry job removed the participant',
			async () => {
				const [a] = await ownerDb()`select count(*)::int as n from audit_log where action = 'call.participant_removed' and target_id = ${s.call.id}`;
				return a!.n === 1;
			},
			40_000
		);
		assert.not.ok((await participants(s.call.roomName)).includes(s.identity), 'the kiosk is not in the room');
	} finally {
		if (stopped) livekit('start');
		await s.close();
	}
});

test.run();
