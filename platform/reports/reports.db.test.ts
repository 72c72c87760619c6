import { refusal } from '../testing/assert.ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { getReportGroup, listReportGroups, processReport, submitReport } from './reports.ts';
import { parseReport } from './report-input.ts';
import { purgeExpired } from '../jobs/handlers/retention.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb, rawAppDb } from '../testing/db.ts';
import type { Actor } from '../types.ts';

const test = suite('reports');

const stack = (line: number) => `TypeError: boom\n    at Room.join (http://k/_app/immutable/chunks/room.Ab12Cd34.js:${line}:7)\n    at connect (http://k/_app/call.js:3:1)`;

async function send(actor: Actor, over: Record<string, unknown> = {}): Promise<string> {
	const r = parseReport({ id: randomUUID(), kind: 'error', message: 'boom', appVersion: '1.0.0', userAgent: 'ua', occurredAt: new Date().toISOString(), ...over });
	await submitReport(actor, r);
	await processReport(actor.tenantId, r.id);
	return r.id;
}

test('reports of one fault group together with count, first/last seen, kiosks and versions; others apart', async () => {
	const t = await makeTenant();
	const k1 = await makeAccount(t, { role: 'kiosk' });
	const k2 = await makeAccount(t, { role: 'kiosk' });
	const admin = await makeAccount(t, { role: 'admin' });
	const first = new Date(Date.now() - 3600_000).toISOString();
	await send(k1.actor, { message: 'call 12 failed', stack: stack(10), occurredAt: first });
	await send(k2.actor, { message: 'call 9876 failed', stack: stack(99), appVersion: '1.0.1' });
	const idem = await send(k1.actor, { message: 'call 5 failed', stack: stack(1) });
	assert.is(await processReport(t.id, idem), 'already', 'processing twice groups once');
	await send(k1.actor, { message: 'camera not found', kind: 'media_error' });
	const groups = await listReportGroups(admin.actor);
	assert.is(groups.length, 2);
	const g = groups.find((x) => x.kind === 'error')!;
	assert.is(g.count, 3);
	assert.is(g.kiosks, 2);
	assert.equal(g.appVersions, ['1.0.0', '1.0.1']);
	assert.is(g.firstSeen.toISOString(), first);
	assert.ok(g.lastSeen > g.firstSeen);
	const detail = await getReportGroup(admin.actor, g.id);
	assert.is(detail.reports.length, 3);
	assert.ok(
		detail.reports.every((r) => r.body.stack?.includes('Room.join')),
		'samples come in full'
	);
});

test("an admin sees only their own tenant's groups; another tenant's group is not found; kiosks and concierges cannot read", async () => {
	const a = await makeTenant();
	const b = await makeTenant();
	const ka = await makeAccount(a, { role: 'kiosk' });
	const kb = await makeAccount(b, { role: 'kiosk' });
	const adminA = await makeAccount(a, { role: 'admin' });
	const adminB = await makeAccount(b, { role: 'admin' });
	await send(ka.actor, { message: 'only in A' });
	await send(kb.actor, { message: 'only in B' });
	const seenByA = await listReportGroups(adminA.actor);
	assert.equal(
		seenByA.map((g) => g.title),
		['only in A']
	);
	const [bGroup] = await listReportGroups(adminB.actor);
	assert.is((await refusal(getReportGroup(adminA.actor, bGroup!.id))).status, 404);
	assert.is((await refusal(listReportGroups(ka.actor))).status, 403);
	assert.is((await refusal(listReportGroups((await makeAccount(a, { role: 'concierge' })).actor))).status, 403);
	assert.is(
		(
			await refusal(
				submitReport(adminA.actor, parseReport({ id: randomUUID(), kind: 'error', message: 'm', appVersion: '1', userAgent: 'u', occurredAt: new Date().toISOString() }))
			)
		).status,
		403
	);
});

test('retention purges audit records past 12 months and reports past 90 days, keeping the rest', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const oldReport = await send(k.actor, { message: 'old' });
	const newReport = await send(k.actor, { message: 'new' });
	await ownerDb()`update crash_reports set received_at = now() - interval '91 days' where id = ${oldReport}`;
	await ownerDb()`update report_groups set last_seen = now() - interval '91 days', first_seen = now() - interval '91 days' where tenant_id = ${t.id} and title = 'old'`;
	await ownerDb()`insert into audit_log (tenant_id, at, action) values (${t.id}, now() - interval '366 days', 'test.old'), (${t.id}, now() - interval '300 days', 'test.kept')`;
	const result = await purgeExpired();
	assert.ok(result.audit_log! >= 1 && result.crash_reports! >= 1);
	const reports = await ownerDb()<{ id: string }[]>`select id from crash_reports where kiosk_account_id = ${k.id}`;
	assert.equal(
		reports.map((r) => r.id),
		[newReport]
	);
	const groups = await ownerDb()<{ title: string }[]>`select title from report_groups where tenant_id = ${t.id}`;
	assert.equal(
		groups.map((g) => g.title),
		['new'],
		'a group with no reports left goes too'
	);
	const audit = await ownerDb()<{ action: string }[]>`select action from audit_log where tenant_id = ${t.id} and action like 'test.%'`;
	assert.equal(
		audit.map((a) => a.action),
		['test.kept']
	);
});

test('the app role cannot delete audit records or reports except through the purge functions, which refuse recent cutoffs', async () => {
	const app = rawAppDb();
	try {
		for (const q of [app`delete from audit_log`, app`delete from crash_reports`, app`update crash_reports set body = '{}'`]) {
			const e = await q.then(
				() => null,
				(x: Error) => x
			);
			assert.match(String(e), /permission denied/);
		}
		const e = await app`select retention_purge_audit_log(now() - interval '1 day', 10)`.then(
			() => null,
			(x: Error) => x
		);
		assert.match(String(e), /at least 30 days/);
		const e2 = await app`select retention_purge_crash_reports(now(), 10)`.then(
			() => null,
			(x: Error) => x
		);
		assert.match(String(e2), /at least 7 days/);
	} finally {
		await app.end();
	}
});

test.run();
