/**
 * Call history and dashboard figures against a known seeded data set (issue 11,
 * item 5): every number is worked out by hand below and compared with the SQL
 * aggregates. Also: paging, filters, CSV, and refusals (wrong roles, bad input,
 * another tenant's calls never counted).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callHistory, dashboard, historyCsv, missedCalls, parseHistoryFilter } from './history.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { refusal } from '../testing/assert.ts';

const test = suite('call history and dashboard');
const none = { from: null, to: null, kioskLoginId: null, conciergeLoginId: null, outcome: null, before: null };
let roomN = 0;
const room = () => 'call_' + (Date.now().toString(36) + (roomN++).toString(36)).padEnd(32, 'x').slice(0, 32);

async function call(tenantId: string, kioskId: string, conciergeId: string | null, at: string, o: { wait?: number; duration?: number; state: string; reason?: string }) {
	const created = new Date(at);
	const accepted = o.wait !== undefined && conciergeId ? new Date(created.getTime() + o.wait * 1000) : null;
	const ended = o.state === 'ringing' ? null : accepted ? new Date(accepted.getTime() + (o.duration ?? 0) * 1000) : new Date(created.getTime() + 45_000);
	const [row] = await ownerDb()<{ id: string }[]>`
		insert into calls (tenant_id, kiosk_account_id, concierge_account_id, state, room_name, created_at, ring_expires_at, accepted_at, ended_at, end_reason)
		values (${tenantId}, ${kioskId}, ${conciergeId}, ${o.state}, ${room()}, ${created}, ${o.state === 'ringing' ? new Date(Date.now() + 60_000) : null}, ${accepted}, ${ended}, ${o.reason ?? null})
		returning id`;
	return row!.id;
}

async function seed() {
	const t = await makeTenant();
	await ownerDb()`update tenants set time_zone = 'UTC' where id = ${t.id}`;
	const admin = await makeAccount(t, { role: 'admin' });
	const kA = await makeAccount(t, { role: 'kiosk' });
	const kB = await makeAccount(t, { role: 'kiosk' });
	const x = await makeAccount(t, { role: 'concierge' });
	const y = await makeAccount(t, { role: 'concierge' });
	const ids: string[] = [];
	for (const [i, wait] of [10, 20, 30, 40].entries())
		ids.push(await call(t.id, kA.id, x.id, `2026-04-01T10:0${i}:00Z`, { wait, duration: 60 * (i + 1), state: 'ended', reason: 'hung_up_by_concierge' }));
	for (const m of ['11:00', '11:30']) ids.push(await call(t.id, kA.id, null, `2026-04-01T${m}:00Z`, { state: 'missed', reason: 'no_answer' }));
	ids.push(await call(t.id, kB.id, y.id, '2026-04-02T14:00:00Z', { wait: 100, duration: 600, state: 'ended', reason: 'hung_up_by_kiosk' }));
	ids.push(await call(t.id, kB.id, null, '2026-04-02T14:30:00Z', { state: 'cancelled', reason: 'cancelled_by_kiosk' }));
	// A live call is listed but not counted; another tenant's calls are neither.
	await call(t.id, kB.id, null, new Date().toISOString(), { state: 'ringing' });
	const o = await makeTenant();
	const ok = await makeAccount(o, { role: 'kiosk' });
	await call(o.id, ok.id, null, '2026-04-01T10:00:00Z', { state: 'missed', reason: 'no_answer' });
	await ownerDb()`insert into audit_log (tenant_id, action, target_type, target_id) values (${t.id}, 'call.share_started', 'call', ${ids[0]!}), (${t.id}, 'call.share_started', 'call', ${ids[0]!})`;
	return { t, admin, kA, kB, x, y, ids };
}

test('dashboard figures match the seeded calls', async () => {
	const { admin, kA, kB, x, y } = await seed();
	const d = await dashboard(admin.actor, { ...none, from: '2026-04-01', to: '2026-04-30' });
	assert.equal(
		{ ...d.totals, waitP50: d.totals.waitP50, waitP90: Number(d.totals.waitP90?.toFixed(6)) },
		{ calls: 8, answered: 5, missed: 2, cancelled: 1, waitP50: 30, waitP90: 76, avgDuration: 240 }
	);
	assert.is(d.answerRate, 5 / 7);
	assert.equal(d.days, [
		{ day: '2026-04-01', answered: 4, missed: 2, cancelled: 0 },
		{ day: '2026-04-02', answered: 1, missed: 0, cancelled: 1 }
	]);
	assert.equal(d.hours, [
		{ hour: 10, answered: 4, missed: 0, cancelled: 0 },
		{ hour: 11, answered: 0, missed: 2, cancelled: 0 },
		{ hour: 14, answered: 1, missed: 0, cancelled: 1 }
	]);
	assert.equal(d.kiosks, [
		{ kiosk: kA.loginId, calls: 6, answered: 4, missed: 2 },
		{ kiosk: kB.loginId, calls: 2, answered: 1, missed: 0 }
	]);
	assert.equal(d.concierges, [
		{ concierge: x.loginId, answered: 4, avgDuration: 150 },
		{ concierge: y.loginId, answered: 1, avgDuration: 600 }
	]);
	const onlyB = await dashboard(admin.actor, { ...none, kioskLoginId: kB.loginId });
	assert.equal([onlyB.totals.calls, onlyB.totals.answered, onlyB.answerRate], [2, 1, 1]);
});

test('days and hours follow the tenant time zone', async () => {
	const { t, admin } = await seed();
	await ownerDb()`update tenants set time_zone = 'Asia/Tokyo' where id = ${t.id}`;
	const d = await dashboard(admin.actor, none);
	assert.equal(
		d.hours.map((h) => h.hour),
		[19, 20, 23]
	);
	assert.equal(
		d.days.map((x) => x.day),
		['2026-04-01', '2026-04-02']
	);
});

test('history rows, filters, paging, missed list and CSV', async () => {
	const { admin, kA, x, ids } = await seed();
	const h = await callHistory(admin.actor, none);
	assert.is(h.calls.length, 9, 'eight finished and one live call');
	assert.is(h.calls[0]!.outcome, 'live');
	const first = h.calls.find((c) => c.id === ids[0])!;
	assert.equal(
		{
			kiosk: first.kiosk,
			concierge: first.concierge,
			waited: first.waitedSeconds,
			duration: first.durationSeconds,
			outcome: first.outcome,
			shares: first.shares,
			reason: first.endReason
		},
		{ kiosk: kA.loginId, concierge: x.loginId, waited: 10, duration: 60, outcome: 'answered', shares: 2, reason: 'hung_up_by_concierge' }
	);
	const missed = await missedCalls(admin.actor, none);
	assert.is(missed.calls.length, 2);
	assert.ok(missed.calls.every((c) => c.outcome === 'missed' && c.concierge === null));
	assert.is((await callHistory(admin.actor, { ...none, conciergeLoginId: x.loginId })).calls.length, 4);
	assert.is((await callHistory(admin.actor, { ...none, from: '2026-04-02', to: '2026-04-02' })).calls.length, 2);
	const csv = await new Response(historyCsv(admin.actor, { ...none, outcome: 'answered' })).text();
	const lines = csv.trim().split('\r\n');
	assert.is(lines.length, 6);
	assert.match(lines[0]!, /"kiosk","concierge","rang at \(UTC\)","waited \(s\)"/);
	assert.ok(
		lines.some((l) =>
			l.includes(`"${ids[0]}","${kA.loginId}","${x.loginId}","2026-04-01T10:00:00.000Z","10","2026-04-01T10:00:10.000Z","60","answered","2","hung_up_by_concierge"`)
		)
	);
});

test('paging walks every call once', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk' });
	for (let i = 0; i < 60; i++) await call(t.id, k.id, null, new Date(Date.UTC(2026, 4, 1, 0, 0, i % 30)).toISOString(), { state: 'missed' });
	const seen: string[] = [];
	let q = parseHistoryFilter(new URLSearchParams());
	for (;;) {
		const p = await callHistory(admin.actor, q);
		seen.push(...p.calls.map((c) => c.id));
		if (!p.next) break;
		q = parseHistoryFilter(new URLSearchParams({ before: p.next }));
	}
	assert.is(seen.length, 60);
	assert.is(new Set(seen).size, 60);
});

test('wrong roles and bad filters are refused', async () => {
	const t = await makeTenant();
	for (const role of ['concierge', 'kiosk', 'operator'] as const) {
		const a = await makeAccount(t, { role });
		assert.is((await refusal(callHistory(a.actor, none))).code, 'admin_only');
		assert.is((await refusal(dashboard(a.actor, none))).code, 'admin_only');
		assert.throws(() => historyCsv(a.actor, none));
	}
	for (const q of ['from=2026-02-30', 'to=x', 'from=2026-05-02&to=2026-05-01', 'outcome=won', 'kiosk=%3Cscript%3E', 'before=abc', 'before=1_2'])
		assert.throws(
			() => parseHistoryFilter(new URLSearchParams(q)),
			(e: unknown) => (e as { status?: number }).status === 400,
			q
		);
});

test.run();
