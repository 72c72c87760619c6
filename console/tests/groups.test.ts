/**
 * Concierge groups in the built console (issue 11, item 2): the admin sets up a group
 * on its page, and a kiosk of that group rings the group's concierge at once and the
 * other concierge only after the overflow delay (the real worker's sweep). The page's
 * form actions attacked: another tenant's group, wrong roles, bad input.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApps, startWorkerProcess, type Apps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { get, signInHttp, type SignedIn } from '../../platform/testing/http.ts';
import { api, newContext, signInCookie, signInPage } from '../../kiosk/tests/call-helpers.ts';
import { createGroup, setGroupConcierges, assignKiosk } from '../../platform/groups/groups.ts';

const test = suite('concierge groups (built console)');

let apps: Apps;
let browser: Browser;
const open: BrowserContext[] = [];

test.before(async () => {
	apps = await startApps();
	browser = await launchBrowser();
	await startWorkerProcess();
});

test.after(async () => {
	for (const c of open.splice(0)) await c.close().catch(() => {});
});

async function pageOf(account: { loginId: string; password: string }): Promise<Page> {
	const ctx = await newContext(browser);
	open.push(ctx);
	const page = await ctx.newPage();
	await signInPage(page, apps.console, account.loginId, account.password);
	return page;
}

const form = (s: SignedIn, action: string, body: Record<string, string | string[]>) => {
	const params = new URLSearchParams();
	for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
	return get(s, `/admin/groups?/${action}`, {
		method: 'POST',
		headers: { origin: s.origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: params
	});
};

test('the admin groups a kiosk with one concierge: that one rings at once, the other only after the overflow delay', async () => {
	const tenant = await makeTenant({ name: 'Groups Store' });
	const admin = await makeAccount(tenant, { role: 'admin' });
	const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Front desk' });
	const english = await makeAccount(tenant, { role: 'concierge', displayName: 'Emma' });
	const other = await makeAccount(tenant, { role: 'concierge', displayName: 'Kenji' });

	// The admin sets the group up on the page.
	const a = await pageOf(admin);
	await a.goto(apps.console + '/admin/groups', { waitUntil: 'networkidle' });
	await a.fill('[data-testid=group-create] input[name=name]', 'English');
	await a.fill('[data-testid=group-create] input[name=overflowSeconds]', '6');
	await a.click('[data-testid=group-create] button[type=submit]');
	const card = a.locator('section[data-group="English"]');
	await card.waitFor();
	await card.locator(`input[data-login-id="${english.loginId}"]`).check();
	await card.locator('button:has-text("Save concierges")').click();
	await a.waitForSelector('p[role=status]');
	const row = a.locator(`tr[data-kiosk="${kiosk.loginId}"]`);
	await row.locator('select').selectOption({ label: 'English' });
	await row.locator('button').click();
	const [g] = await ownerDb()<{ id: string; overflow: number }[]>`select id, overflow_seconds as overflow from concierge_groups where tenant_id = ${tenant.id}`;
	assert.is(g!.overflow, 6);
	for (let i = 0; i < 50; i++) {
		const [k] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from kiosk_groups where kiosk_account_id = ${kiosk.id} and group_id = ${g!.id}`;
		if (k!.n === 1) break;
		await new Promise((r) => setTimeout(r, 100));
	}
	assert.equal(
		(await ownerDb()<{ id: string }[]>`select account_id as id from concierge_group_members where group_id = ${g!.id}`).map((r) => r.id),
		[english.id]
	);
	await screenshot(a, 'groups-admin-page');

	// Both concierges available on their consoles.
	const e = await pageOf(english);
	const o = await pageOf(other);
	for (const p of [e, o]) {
		await p.click('button:has-text("Available")');
		await p.waitForSelector('section[data-status=available]');
	}
	const kCookie = await signInCookie(apps.kiosk, kiosk.loginId, kiosk.password);
	const created = await api(apps.kiosk, kCookie, '/api/calls', {});
	assert.is(created.status, 201);
	const placedAt = Date.now();
	const ringing = `li[data-call-id="${String(created.body.id)}"]`;
	await e.waitForSelector(ringing, { timeout: 5_000 });
	const earlyEnough = Date.now() - placedAt;
	assert.ok(earlyEnough < 5_000, 'the group’s concierge rings at once');
	// Well inside the delay the other console still shows nothing.
	await new Promise((r) => setTimeout(r, Math.max(0, 3_000 - (Date.now() - placedAt))));
	assert.is(await o.locator(ringing).count(), 0, 'the other concierge does not ring before the delay');
	await screenshot(o, 'groups-other-before-delay');
	await o.waitForSelector(ringing, { timeout: 10_000 });
	const overflowAfter = Date.now() - placedAt;
	assert.ok(overflowAfter >= 5_500, `the other concierge rang after the delay (${overflowAfter} ms)`);
	await screenshot(o, 'groups-other-after-delay');
	assert.is(await e.locator(ringing).count(), 1, 'still ringing the group’s concierge');
	await api(apps.kiosk, kCookie, `/api/calls/${String(created.body.id)}/cancel`, {});
});

test('the page’s actions: another tenant’s group is not found and unchanged, other roles are refused, bad input is a 400', async () => {
	const a = await makeTenant();
	const b = await makeTenant();
	const adminA = await makeAccount(a, { role: 'admin' });
	const conciergeA = await makeAccount(a, { role: 'concierge' });
	const kioskA = await makeAccount(a, { role: 'kiosk' });
	const adminB = await makeAccount(b, { role: 'admin' });
	const conciergeB = await makeAccount(b, { role: 'concierge' });
	const kioskB = await makeAccount(b, { role: 'kiosk' });
	const groupA = await createGroup(adminA.actor, { name: 'Japanese', overflowSeconds: 10 });
	const groupB = await createGroup(adminB.actor, { name: 'Bravo-only group', overflowSeconds: 10 });
	await setGroupConcierges(adminB.actor, groupB.id, [conciergeB.id]);
	await assignKiosk(adminB.actor, kioskB.id, groupB.id);
	const state = async () =>
		JSON.stringify([
			await ownerDb()`select id, tenant_id, name, overflow_seconds from concierge_groups where tenant_id in (${a.id}, ${b.id}) order by id`,
			await ownerDb()`select group_id, account_id from concierge_group_members where tenant_id in (${a.id}, ${b.id}) order by account_id`,
			await ownerDb()`select kiosk_account_id, group_id from kiosk_groups where tenant_id in (${a.id}, ${b.id}) order by kiosk_account_id`
		]);
	const before = await state();
	const asA = await signInHttp(apps.console, adminA.loginId, adminA.password);
	const asConcierge = await signInHttp(apps.console, conciergeA.loginId, conciergeA.password);

	const cases: [string, () => Promise<Response>, number][] = [
		['rename B’s group', () => form(asA, 'update', { groupId: groupB.id, name: 'Mine now', overflowSeconds: '0' }), 404],
		['delete B’s group', () => form(asA, 'delete', { groupId: groupB.id }), 404],
		['B’s group members', () => form(asA, 'members', { groupId: groupB.id, conciergeId: [conciergeA.id] }), 404],
		['A’s kiosk into B’s group', () => form(asA, 'kiosk', { kioskId: kioskA.id, groupId: groupB.id }), 404],
		['B’s kiosk into A’s group', () => form(asA, 'kiosk', { kioskId: kioskB.id, groupId: groupA.id }), 404],
		['B’s concierge into A’s group', () => form(asA, 'members', { groupId: groupA.id, conciergeId: [conciergeB.id] }), 404],
		['concierge creates', () => form(asConcierge, 'create', { name: 'Sneaky', overflowSeconds: '0' }), 403],
		['concierge deletes', () => form(asConcierge, 'delete', { groupId: groupA.id }), 403],
		['concierge opens the page', () => get(asConcierge, '/admin/groups', { headers: { accept: 'text/html' } }), 403],
		['empty name', () => form(asA, 'create', { name: '', overflowSeconds: '5' }), 400],
		['bad delay', () => form(asA, 'update', { groupId: groupA.id, name: 'Japanese', overflowSeconds: 'ten' }), 400],
		['delay too long', () => form(asA, 'create', { name: 'Slow', overflowSeconds: '100000' }), 400],
		['members not ids', () => form(asA, 'members', { groupId: groupA.id, conciergeId: ['<script>'] }), 400],
		[
			'JSON body',
			() => get(asA, '/admin/groups?/create', { method: 'POST', headers: { origin: apps.console, accept: 'text/html', 'content-type': 'application/json' }, body: '{"name":"J"}' }),
			415
		]
	];
	for (const [name, run, status] of cases) assert.is((await run()).status, status, name);
	const noSession = await get(apps.console, '/admin/groups?/create', {
		method: 'POST',
		headers: { origin: apps.console, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: 'name=X&overflowSeconds=0'
	});
	assert.ok([303, 401].includes(noSession.status), `no session: ${noSession.status}`);
	assert.is(await state(), before, 'nothing changed in either tenant');
	// The refused rename showed the page's own message, not another tenant's data.
	const body = await (await form(asA, 'update', { groupId: groupB.id, name: 'x', overflowSeconds: '0' })).text();
	assert.match(body, 'That group does not exist.');
	assert.not.match(body, 'Bravo-only group');
});

test.run();
