/**
 * Crash capture in real Chromium against the built kiosk: a report made offline
 * waits in IndexedDB and is stored exactly once when the kiosk is back online;
 * call problems and the "Report a problem" button send reports with their details.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { startApps, type Apps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signIn } from '../../platform/accounts/sign-in.ts';

const test = suite('report capture');
let apps: Apps;

test.before(async () => {
	apps = await startApps();
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 150));
	}
}

async function signedInKiosk(): Promise<{ context: BrowserContext; page: Page; accountId: string }> {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const s = await signIn('kiosk', { loginId: k.loginId, password: k.password });
	const context = await (await launchBrowser()).newContext({ viewport: { width: 1280, height: 800 } });
	await context.addCookies([{ name: 'kiosk_session', value: s.token, url: apps.kiosk, httpOnly: true, sameSite: 'Lax' }]);
	const page = await context.newPage();
	await page.goto(apps.kiosk + '/');
	// Enabled once the page has hydrated: by then the capture (hooks.client.ts) listens. The
	// button alone is in the server's HTML, so events sent when it shows could go unheard.
	await page.locator('[data-testid=report-problem]:enabled').waitFor();
	return { context, page, accountId: k.id };
}

type Row = {
	id: string;
	kind: string;
	message: string;
	body: { logs: string[]; reason: string | null; stats: unknown; comment: string | null; appVersion: string; userAgent: string; device: Record<string, unknown> };
};
const reportsOf = (accountId: string) => ownerDb()<Row[]>`select id, kind, message, body from crash_reports where kiosk_account_id = ${accountId} order by received_at`;
const outboxSize = (page: Page) =>
	page.evaluate(
		() =>
			new Promise<number>((resolve, reject) => {
				const req = indexedDB.open('concierge-reports', 1);
				req.onsuccess = () => {
					const c = req.result.transaction('outbox').objectStore('outbox').count();
					c.onsuccess = () => resolve(c.result);
					c.onerror = () => reject(c.error);
				};
				req.onerror = () => reject(req.error);
			})
	);

test('an error while offline is kept on the kiosk and stored exactly once when it is back online', async () => {
	const { context, page, accountId } = await signedInKiosk();
	try {
		const tag = randomUUID();
		await context.setOffline(true);
		await page.evaluate(
			(t) =>
				setTimeout(() => {
					throw new Error(`offline failure ${t}`);
				}),
			tag
		);
		await until('report in the outbox', async () => (await outboxSize(page)) === 1);
		assert.is((await reportsOf(accountId)).length, 0, 'nothing reached the platform while offline');
		await context.setOffline(false);
		await until('report stored', async () => (await reportsOf(accountId)).length === 1);
		await until('outbox emptied', async () => (await outboxSize(page)) === 0);
		// A reload flushes at start: nothing is left to send twice.
		await page.reload();
		await page.locator('[data-testid=report-problem]:enabled').waitFor();
		await new Promise((r) => setTimeout(r, 1500));
		const rows = await reportsOf(accountId);
		assert.is(rows.length, 1);
		assert.is(rows[0]!.kind, 'error');
		assert.ok(rows[0]!.message.includes(`offline failure ${tag}`));
		assert.match(rows[0]!.body.userAgent, /Chrome/);
		assert.ok(rows[0]!.body.appVersion.length > 0);
		assert.ok('screen' in rows[0]!.body.device);
	} finally {
		await context.close();
	}
});

test('call problems, unhandled rejections and recent log lines are reported', async () => {
	const { context, page, accountId } = await signedInKiosk();
	try {
		await page.evaluate(() => {
			window.dispatchEvent(new CustomEvent('concierge:log', { detail: 'room: connecting to concierge' }));
			console.warn('jitter high');
			window.dispatchEvent(
				new CustomEvent('concierge:problem', {
					detail: { kind: 'livekit_disconnect', message: 'Disconnected from room', reason: 'SIGNAL_CLOSE', stats: { rttMs: 40, packetsLost: 3 } }
				})
			);
			void Promise.reject(new Error('rejected on purpose'));
		});
		const rows = await until('two reports', async () => {
			const r = await reportsOf(accountId);
			return r.length >= 2 ? r : null;
		});
		const lk = rows.find((r) => r.kind === 'livekit_disconnect')!;
		assert.ok(lk, JSON.stringify(rows.map((r) => r.kind)));
		assert.is(lk.body.reason, 'SIGNAL_CLOSE');
		assert.equal(lk.body.stats, { rttMs: 40, packetsLost: 3 });
		assert.ok(lk.body.logs.some((l) => l.includes('room: connecting to concierge')));
		assert.ok(lk.body.logs.some((l) => l.includes('[warn] jitter high')));
		assert.ok(rows.some((r) => r.kind === 'unhandled_rejection' && r.message.includes('rejected on purpose')));
	} finally {
		await context.close();
	}
});

test('"Report a problem" sends what the person typed', async () => {
	const { context, page, accountId } = await signedInKiosk();
	try {
		await page.getByTestId('report-problem').click();
		await page.getByLabel(/What happened/).fill('The screen froze after the call');
		await screenshot(page, 'kiosk-report-problem-dialog');
		await page.getByRole('button', { name: /Send/ }).click();
		await page.getByRole('status').waitFor();
		const [row] = await until('user report stored', async () => {
			const r = await reportsOf(accountId);
			return r.length ? r : null;
		});
		assert.is(row!.kind, 'user_report');
		assert.is(row!.body.comment, 'The screen froze after the call');
		await screenshot(page, 'kiosk-report-problem-sent');
	} finally {
		await context.close();
	}
});

test.run();
