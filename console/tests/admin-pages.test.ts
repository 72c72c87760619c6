/**
 * The admin's audit log, call history and dashboard pages in the built console
 * (issue 11, items 5 and 8): the dashboard shows the figures of a seeded data set;
 * the audit log is exported from the page and the CSV checked; every new page and
 * export refuses other roles, no session and bad filters, and never shows another
 * tenant's rows.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { get, signInHttp } from '../../platform/testing/http.ts';

const test = suite('admin audit, calls and dashboard pages (built console)');
let roomN = 0;
const room = () => 'call_' + ('w' + Date.now().toString(36) + (roomN++).toString(36)).padEnd(32, 'y').slice(0, 32);

async function seedCalls(tenantId: string, kioskId: string, conciergeId: string) {
	const rows: [string, number | null, number | null, string][] = [
		['2026-04-01T10:00:00Z', 10, 60, 'ended'],
		['2026-04-01T10:10:00Z', 20, 120, 'ended'],
		['2026-04-01T10:20:00Z', 30, 180, 'ended'],
		['2026-04-01T10:30:00Z', 40, 240, 'ended'],
		['2026-04-02T14:00:00Z', 100, 600, 'ended'],
		['2026-04-01T11:00:00Z', null, null, 'missed'],
		['2026-04-01T11:30:00Z', null, null, 'missed'],
		['2026-04-02T14:30:00Z', null, null, 'cancelled']
	];
	for (const [at, wait, dur, state] of rows) {
		const created = new Date(at);
		const accepted = wait === null ? null : new Date(created.getTime() + wait * 1000);
		const ended = accepted ? new Date(accepted.getTime() + dur! * 1000) : new Date(created.getTime() + 45_000);
		await ownerDb()`insert into calls (tenant_id, kiosk_account_id, concierge_account_id, state, room_name, created_at, accepted_at, ended_at, end_reason)
			values (${tenantId}, ${kioskId}, ${accepted ? conciergeId : null}, ${state}, ${room()}, ${created}, ${accepted}, ${ended}, ${state === 'ended' ? 'hung_up_by_kiosk' : state === 'missed' ? 'no_answer' : 'cancelled_by_kiosk'})`;
	}
}

async function setup() {
	const t = await makeTenant({ name: 'Dashboard Store' });
	await ownerDb()`update tenants set time_zone = 'UTC' where id = ${t.id}`;
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const c = await makeAccount(t, { role: 'concierge' });
	await seedCalls(t.id, k.id, c.id);
	return { t, admin, k, c };
}

test('the dashboard shows the seeded figures; screenshots at 1366x768 and 1920x1080', async () => {
	const { console: con } = await startApps();
	const { admin } = await setup();
	const browser = await launchBrowser();
	for (const [w, h] of [
		[1366, 768],
		[1920, 1080]
	] as const) {
		const ctx = await browser.newContext({ viewport: { width: w, height: h } });
		const page = await ctx.newPage();
		await page.goto(con + '/login', { waitUntil: 'networkidle' });
		await page.fill('input[name=loginId]', admin.loginId);
		await page.fill('input[name=password]', admin.password);
		await page.click('button[type=submit]');
		await page.waitForURL(con + '/admin');
		await page.goto(con + '/admin/dashboard?from=2026-04-01&to=2026-04-30', { waitUntil: 'networkidle' });
		const kpi = (k: string) => page.locator(`[data-kpi=${k}]`).innerText();
		assert.is(await kpi('calls'), '8');
		assert.is(await kpi('answer-rate'), '71%');
		assert.is(await kpi('wait-p50'), '30 s');
		assert.is(await kpi('wait-p90'), '1 min 16 s');
		assert.is(await kpi('avg-duration'), '4 min 0 s');
		assert.is(await kpi('missed'), '2');
		assert.is(await page.locator('svg[role=img] rect').count(), 4 + 4, 'segments: 2 days with 2 outcomes each; hours 10 (1), 11 (1), 14 (2)');
		await screenshot(page, `console-dashboard-${w}x${h}`);
		await page.goto(con + '/admin/calls?from=2026-04-01&to=2026-04-30', { waitUntil: 'networkidle' });
		assert.is(await page.locator('tbody tr[data-outcome]').count(), 8);
		await screenshot(page, `console-call-history-${w}x${h}`);
		await ctx.close();
	}
});

test('the audit log is filtered and exported from the page; the CSV holds the filtered entries, formula-safe', async () => {
	const { console: con } = await startApps();
	const { t, admin, k } = await setup();
	await ownerDb()`insert into audit_log (tenant_id, actor_login_id, action, target_type, target_id, detail)
		values (${t.id}, ${admin.loginId}, 'account.disabled', 'account', ${k.id}, '{"reason":"=1+1"}'),
		       (${t.id}, '@evil', 'account.enabled', 'account', ${k.id}, '{}')`;
	const browser = await launchBrowser();
	const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
	const page = await ctx.newPage();
	await page.goto(con + '/login', { waitUntil: 'networkidle' });
	await page.fill('input[name=loginId]', admin.loginId);
	await page.fill('input[name=password]', admin.password);
	await page.click('button[type=submit]');
	await page.waitForURL(con + '/admin');
	await page.goto(con + '/admin/audit', { waitUntil: 'networkidle' });
	await page.selectOption('select[name=kind]', 'account');
	await page.click('button:has-text("Filter")');
	await page.waitForURL(/kind=account/);
	assert.is(await page.locator('tbody tr[data-action]').count(), 2);
	assert.match(await page.locator('tbody').innerText(), /disabled an account/);
	await screenshot(page, 'console-audit-log-filtered');
	const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=audit-export]')]);
	const csv = readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
	const lines = csv.trim().split('\r\n');
	assert.is(lines[0], '"time (UTC)","who","what","whom","from (IP)","action","id"');
	assert.is(lines.length, 3, 'header and the two account entries only');
	assert.ok(lines.some((l) => l.startsWith('"') && l.includes(`"${admin.loginId}","disabled an account","${k.loginId}"`)));
	assert.ok(
		lines.some((l) => l.includes(`"'@evil"`)),
		'a cell starting with @ is prefixed with a quote'
	);
	await ctx.close();
});

test('every new page and export: no session, wrong roles, another tenant and bad filters get a clear 4xx', async () => {
	const { console: con, kiosk } = await startApps();
	const { t, admin } = await setup();
	const other = await makeTenant();
	const otherAdmin = await makeAccount(other, { role: 'admin' });
	const concierge = await makeAccount(t, { role: 'concierge' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const cs = await signInHttp(con, concierge.loginId, concierge.password);
	const ks = await signInHttp(kiosk, k.loginId, k.password);
	const as = await signInHttp(con, admin.loginId, admin.password);
	const os = await signInHttp(con, otherAdmin.loginId, otherAdmin.password);
	const paths = ['/admin/audit', '/admin/audit/export', '/admin/calls', '/admin/calls/export', '/admin/dashboard', '/admin/settings'];
	for (const p of paths) {
		assert.is((await get(con, p)).status, 303, `${p} without a session goes to sign-in`);
		assert.is((await get(cs, p)).status, 403, `${p} as a concierge`);
		assert.is((await get({ origin: con, cookie: ks.cookie.replace('kiosk_', 'console_') }, p)).status, 303, `${p} with a kiosk cookie`);
		assert.is((await get(as, p)).status, 200, `${p} as the admin`);
	}
	for (const p of ['/admin/audit?kind=nope', '/admin/audit/export?from=2026-99-01', '/admin/calls?outcome=won', '/admin/calls/export?before=zzz', '/admin/dashboard?to=tomorrow']) {
		const r = await get(as, p);
		assert.is(r.status, 400, p);
	}
	const theirs = await (await get(os, '/admin/calls/export')).text();
	assert.is(theirs.trim().split('\r\n').length, 1, "another tenant's admin exports none of this tenant's calls");
	const theirAudit = await (await get(os, '/admin/audit/export')).text();
	assert.not.ok(theirAudit.includes(admin.loginId));
	const csv = await get(as, '/admin/calls/export');
	assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
	assert.is((await csv.text()).trim().split('\r\n').length, 9);
});

test.run();
