/**
 * Problem report groups (issue 11, item 6): user-written reports group by kind
 * whatever their comment; groups are open or resolved; a resolved group reopens
 * only when a report arrives from a newer app version. Wrong roles, another
 * tenant and bad input change nothing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { getReportGroup, listReportGroups, processReport, setReportGroupStatus, submitReport } from './reports.ts';
import { newerVersion } from './fingerprint.ts';
import { parseReport } from './report-input.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { refusal } from '../testing/assert.ts';
import type { Actor } from '../types.ts';

const test = suite('report group status');

async function send(actor: Actor, over: Record<string, unknown> = {}): Promise<void> {
	const r = parseReport({ id: randomUUID(), kind: 'error', message: 'boom', appVersion: '1.0.0', userAgent: 'ua', occurredAt: new Date().toISOString(), ...over });
	await submitReport(actor, r);
	await processReport(actor.tenantId, r.id);
}

test('user reports with different comments form one group', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const admin = await makeAccount(t, { role: 'admin' });
	for (const c of ['The screen froze', 'No sound from the concierge', 'カメラが映らない'])
		await send(k.actor, { kind: 'user_report', message: `Problem reported: ${c}`, comment: c });
	const groups = await listReportGroups(admin.actor);
	assert.is(groups.length, 1);
	assert.is(groups[0]!.count, 3);
	assert.is(groups[0]!.title, 'Problems reported by kiosk users');
	const detail = await getReportGroup(admin.actor, groups[0]!.id);
	assert.equal(detail.reports.map((r) => r.body.comment).sort(), ['No sound from the concierge', 'The screen froze', 'カメラが映らない'].sort(), 'the comments are all kept');
});

test('resolve, then a report from the same or an older version keeps it resolved; a newer version reopens it', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const admin = await makeAccount(t, { role: 'admin' });
	await send(k.actor, { appVersion: '1.9.0' });
	await send(k.actor, { appVersion: '1.10.0' });
	const [g] = await listReportGroups(admin.actor);
	assert.is(g!.status, 'open');
	await setReportGroupStatus(admin.actor, g!.id, 'resolved');
	let now = (await getReportGroup(admin.actor, g!.id)).group;
	assert.equal([now.status, now.resolvedVersion], ['resolved', '1.10.0'], 'resolved as of the newest version (numeric order)');
	await send(k.actor, { appVersion: '1.10.0' });
	await send(k.actor, { appVersion: '1.2.0' });
	now = (await getReportGroup(admin.actor, g!.id)).group;
	assert.is(now.status, 'resolved', 'same or older version: still resolved');
	assert.is(now.count, 4);
	await send(k.actor, { appVersion: '1.10.1' });
	now = (await getReportGroup(admin.actor, g!.id)).group;
	assert.is(now.status, 'open', 'a newer version reopens it');
	await setReportGroupStatus(admin.actor, g!.id, 'resolved');
	await setReportGroupStatus(admin.actor, g!.id, 'open');
	assert.is((await getReportGroup(admin.actor, g!.id)).group.status, 'open', 'an admin can reopen by hand');
});

test('another tenant, wrong roles and bad input are refused; nothing changes', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge' });
	const other = await makeAccount(await makeTenant(), { role: 'admin' });
	await send(k.actor);
	const [g] = await listReportGroups(admin.actor);
	assert.is((await refusal(setReportGroupStatus(other.actor, g!.id, 'resolved'))).status, 404);
	for (const who of [c.actor, k.actor]) assert.is((await refusal(setReportGroupStatus(who, g!.id, 'resolved'))).code, 'admin_only');
	for (const bad of ['closed', '', null, 1]) assert.is((await refusal(setReportGroupStatus(admin.actor, g!.id, bad))).status, 400);
	for (const id of ['x', null, '00000000-0000-0000-0000-000000000000']) assert.is((await refusal(setReportGroupStatus(admin.actor, id, 'resolved'))).status, 404);
	assert.is((await getReportGroup(admin.actor, g!.id)).group.status, 'open');
});

test('newerVersion compares numerically part by part', () => {
	assert.ok(newerVersion('1.10.0', '1.9.9'));
	assert.ok(newerVersion('2.0', '1.99.99'));
	assert.not.ok(newerVersion('1.0.0', '1.0.0'));
	assert.not.ok(newerVersion('1.0', '1.0.1'));
	assert.ok(newerVersion('1.0.1', '1.0'));
	assert.ok(newerVersion('1.0.0', null));
	assert.not.ok(newerVersion(null, '1.0.0'));
});

test.run();
