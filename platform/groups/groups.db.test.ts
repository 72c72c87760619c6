/**
 * Concierge groups on the real PostgreSQL (issue 11, item 2): a kiosk's call rings its
 * group's available concierges first and the rest of the tenant after the group's
 * overflow delay; a kiosk without a group rings everyone. And the admin functions
 * attacked from another tenant, from each wrong role and with bad input. Time is
 * moved by rewriting overflow_at, never by sleeping it out.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { subscribe, type Delivery } from '../events/hub.server.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { acceptCall, callSnapshot, createCall, hangUpCall, setAvailability, sweepCalls } from '../calls/index.ts';
import { assignKiosk, createGroup, deleteGroup, groupsPage, setGroupConcierges, updateGroup } from './groups.ts';

const test = suite('concierge groups');

async function code(p: Promise<unknown>): Promise<string> {
	try {
		await p;
	} catch (e) {
		return (e as { code?: string }).code ?? String(e);
	}
	return 'no error';
}

/** Every call.ringing event one concierge hears. */
async function ringsOf(tenantId: string, accountId: string) {
	const heard: string[] = [];
	const off = await subscribe({ tenantId, accountId, role: 'concierge' }, (d: Delivery) => {
		if (d.event.type === 'call.ringing') heard.push(d.event.data.callId);
	});
	const settle = () => new Promise((r) => setTimeout(r, 150));
	return { heard, off, settle };
}

/** A store with one admin, a kiosk in an English group, a kiosk with none, and concierges in and out of the group. */
async function store(overflowSeconds = 30) {
	const tenant = await makeTenant();
	const admin = await makeAccount(tenant, { role: 'admin' });
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const plainKiosk = await makeAccount(tenant, { role: 'kiosk' });
	const inGroup = await makeAccount(tenant, { role: 'concierge' });
	const outside = await makeAccount(tenant, { role: 'concierge' });
	for (const c of [inGroup, outside]) await setAvailability(c.actor, 'available');
	const group = await createGroup(admin.actor, { name: 'English', overflowSeconds });
	await setGroupConcierges(admin.actor, group.id, [inGroup.id]);
	await assignKiosk(admin.actor, kiosk.id, group.id);
	return { tenant, admin, kiosk, plainKiosk, inGroup, outside, group };
}

const overflowNow = (callId: string) => ownerDb()`update calls set overflow_at = now() - interval '1 second' where id = ${callId}`;

test('a grouped kiosk rings its group first and the rest of the tenant once the delay has passed', async () => {
	const s = await store(30);
	const a = await ringsOf(s.tenant.id, s.inGroup.id);
	const b = await ringsOf(s.tenant.id, s.outside.id);
	const call = await createCall(s.kiosk.actor);
	await a.settle();
	assert.equal(a.heard, [call.id], 'the group’s concierge rings at once');
	assert.equal(b.heard, [], 'the other concierge does not ring yet');
	assert.equal(
		(await callSnapshot(s.outside.actor)).calls.map((c) => c.id),
		[],
		'nor sees the call on a reconnect'
	);
	assert.is(await code(acceptCall(s.outside.actor, call.id)), 'not_rung', 'nor can answer it');
	// The sweep before the delay changes nothing.
	await sweepCalls();
	await b.settle();
	assert.equal(b.heard, []);
	await overflowNow(call.id);
	await sweepCalls();
	await b.settle();
	assert.equal(b.heard, [call.id], 'after the delay the other concierge rings');
	assert.equal(a.heard, [call.id], 'the group is not rung twice');
	assert.equal(
		(await callSnapshot(s.outside.actor)).calls.map((c) => c.id),
		[call.id]
	);
	const [row] = await ownerDb()<{ overflowed: Date; expires: Date; created: Date }[]>`
		select overflowed_at as overflowed, ring_expires_at as expires, created_at as created from calls where id = ${call.id}`;
	assert.ok(row!.overflowed, 'overflow recorded');
	assert.ok(row!.expires.getTime() - Date.now() > 30_000, 'the overflow set gets a whole ring');
	assert.is((await acceptCall(s.outside.actor, call.id)).call.state, 'accepted', 'the overflow concierge can answer now');
	await hangUpCall(s.kiosk.actor, call.id);
	a.off();
	b.off();
});

test('overflow delay 0 rings everyone at once; a kiosk with no group rings everyone', async () => {
	const s = await store(0);
	const a = await ringsOf(s.tenant.id, s.inGroup.id);
	const b = await ringsOf(s.tenant.id, s.outside.id);
	const grouped = await createCall(s.kiosk.actor);
	const plain = await createCall(s.plainKiosk.actor);
	await a.settle();
	assert.equal(a.heard.sort(), [grouped.id, plain.id].sort());
	assert.equal(b.heard.sort(), [grouped.id, plain.id].sort());
	await hangUpCall(s.kiosk.actor, grouped.id);
	await hangUpCall(s.plainKiosk.actor, plain.id);
	a.off();
	b.off();
});

test('with nobody of the group available the call rings the others at once; a deleted group overflows on the next sweep', async () => {
	const s = await store(300);
	await setAvailability(s.inGroup.actor, 'away');
	const b = await ringsOf(s.tenant.id, s.outside.id);
	const call = await createCall(s.kiosk.actor);
	await b.settle();
	assert.equal(b.heard, [call.id], 'no group member can answer: the others ring without waiting');
	await hangUpCall(s.kiosk.actor, call.id);

	await setAvailability(s.inGroup.actor, 'available');
	const second = await createCall(s.kiosk.actor);
	await b.settle();
	assert.not.ok(b.heard.includes(second.id), 'the group can answer again: it rings first');
	await deleteGroup(s.admin.actor, s.group.id);
	await sweepCalls();
	await b.settle();
	assert.ok(b.heard.includes(second.id), 'its group is gone: everyone rings');
	await hangUpCall(s.kiosk.actor, second.id);
	b.off();
});

test('a missed ring counts only against the concierges it rang', async () => {
	const s = await store(300);
	const call = await createCall(s.kiosk.actor);
	await ownerDb()`update calls set ring_expires_at = now() - interval '1 second' where id = ${call.id}`;
	await sweepCalls();
	const missed = async (id: string) => (await ownerDb()<{ n: number }[]>`select missed_rings as n from concierge_presence where account_id = ${id}`)[0]!.n;
	assert.is(await missed(s.inGroup.id), 1);
	assert.is(await missed(s.outside.id), 0, 'never rung, never missed');
});

test('the admin page lists groups with their concierges and kiosks', async () => {
	const s = await store(45);
	await updateGroup(s.admin.actor, s.group.id, { name: 'English speakers', overflowSeconds: '15' });
	const page = await groupsPage(s.admin.actor);
	assert.equal(
		page.groups.map((g) => ({ name: g.name, overflow: g.overflowSeconds, members: g.memberIds, kiosks: g.kioskIds })),
		[{ name: 'English speakers', overflow: 15, members: [s.inGroup.id], kiosks: [s.kiosk.id] }]
	);
	assert.equal(page.kiosks.find((k) => k.id === s.plainKiosk.id)?.groupId, null);
	assert.equal(page.concierges.map((c) => c.id).sort(), [s.inGroup.id, s.outside.id].sort());
	await assignKiosk(s.admin.actor, s.kiosk.id, '');
	assert.equal((await groupsPage(s.admin.actor)).groups[0]!.kioskIds, [], 'a kiosk taken out of its group');
});

test('attacks: another tenant’s ids are not found and change nothing; wrong roles are refused; bad input is refused', async () => {
	const a = await store(30);
	const b = await store(30);
	const snapshot = async () => ({
		groups: await ownerDb()`select id, name, overflow_seconds from concierge_groups where tenant_id = ${b.tenant.id} order by id`,
		members: await ownerDb()`select group_id, account_id from concierge_group_members where tenant_id = ${b.tenant.id} order by account_id`,
		kiosks: await ownerDb()`select kiosk_account_id, group_id from kiosk_groups where tenant_id = ${b.tenant.id} order by kiosk_account_id`
	});
	const before = JSON.stringify(await snapshot());
	const ownA = JSON.stringify(await groupsPage(a.admin.actor));
	const admin = a.admin.actor;
	// Thunks: each attack runs only when its turn comes (no rejection waits unhandled).
	const cases: [string, () => Promise<unknown>, string][] = [
		['rename B’s group', () => updateGroup(admin, b.group.id, { name: 'Taken over', overflowSeconds: 0 }), 'group_not_found'],
		['delete B’s group', () => deleteGroup(admin, b.group.id), 'group_not_found'],
		['set B’s group members', () => setGroupConcierges(admin, b.group.id, [a.outside.id]), 'group_not_found'],
		['put B’s concierge in A’s group', () => setGroupConcierges(admin, a.group.id, [b.outside.id]), 'account_not_found'],
		['put A’s kiosk in B’s group', () => assignKiosk(admin, a.kiosk.id, b.group.id), 'group_not_found'],
		['put B’s kiosk in A’s group', () => assignKiosk(admin, b.plainKiosk.id, a.group.id), 'account_not_found'],
		['a kiosk as a group member', () => setGroupConcierges(admin, a.group.id, [a.kiosk.id]), 'account_not_found'],
		['a concierge as a kiosk', () => assignKiosk(admin, a.outside.id, a.group.id), 'account_not_found'],
		['concierge creates', () => createGroup(a.inGroup.actor, { name: 'Mine', overflowSeconds: 0 }), 'admin_only'],
		['kiosk renames', () => updateGroup(a.kiosk.actor, a.group.id, { name: 'Mine', overflowSeconds: 0 }), 'admin_only'],
		['concierge joins a group', () => setGroupConcierges(a.inGroup.actor, a.group.id, [a.outside.id]), 'admin_only'],
		['kiosk moves itself', () => assignKiosk(a.kiosk.actor, a.kiosk.id, null), 'admin_only'],
		['concierge reads', () => groupsPage(a.outside.actor), 'admin_only'],
		['empty name', () => createGroup(admin, { name: '   ', overflowSeconds: 0 }), 'bad_group_name'],
		['long name', () => createGroup(admin, { name: 'x'.repeat(61), overflowSeconds: 0 }), 'bad_group_name'],
		['number name', () => createGroup(admin, { name: 42, overflowSeconds: 0 }), 'bad_group_name'],
		['control character', () => createGroup(admin, { name: 'a\u0000b', overflowSeconds: 0 }), 'bad_group_name'],
		['negative delay', () => createGroup(admin, { name: 'N', overflowSeconds: -1 }), 'bad_overflow'],
		['fraction delay', () => createGroup(admin, { name: 'N', overflowSeconds: '1.5' }), 'bad_overflow'],
		['huge delay', () => updateGroup(admin, a.group.id, { name: 'N', overflowSeconds: 601 }), 'bad_overflow'],
		['text delay', () => updateGroup(admin, a.group.id, { name: 'N', overflowSeconds: 'soon' }), 'bad_overflow'],
		['duplicate name', () => createGroup(admin, { name: 'ENGLISH', overflowSeconds: 0 }), 'group_name_taken'],
		['not a uuid', () => deleteGroup(admin, 'abc'), 'group_not_found'],
		['members not a list', () => setGroupConcierges(admin, a.group.id, 'x'), 'bad_members'],
		['members not uuids', () => setGroupConcierges(admin, a.group.id, ['x']), 'bad_members'],
		['kiosk id not a uuid', () => assignKiosk(admin, 'k', a.group.id), 'account_not_found']
	];
	for (const [name, run, expected] of cases) assert.is(await code(run()), expected, name);
	assert.is(JSON.stringify(await snapshot()), before, 'tenant B’s groups unchanged');
	assert.is(JSON.stringify(await groupsPage(a.admin.actor)), ownA, 'tenant A’s groups unchanged by the refused calls');
	// Row-level security: tenant A's scope sees none of B's group rows even by raw SQL.
	const { withTenant } = await import('../db.server.ts');
	await withTenant(a.tenant.id, async (tx) => {
		for (const table of ['concierge_groups', 'concierge_group_members', 'kiosk_groups']) {
			const [r] = await tx.unsafe(`select count(*)::int as n from ${table} where tenant_id = $1`, [b.tenant.id]);
			assert.is(r!.n, 0, `${table} leaks tenant B`);
		}
	});
});

test.run();
