/**
 * Presence fan-out on the real PostgreSQL (issues 7 and 13): a tenant's kiosks hear
 * presence only when what they show changes (their button, or the queue while nobody
 * is available), at once; consoles hear the latest counts at most every
 * PRESENCE_EVERY_MS, and the final state always arrives.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { db, withTenant, type Sql } from '../db.server.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { subscribe } from '../events/hub.server.ts';
import { publish } from '../events/events.ts';
import type { RealtimeEvent, TenantPresence } from './contract.ts';
import { acceptCall, callSnapshot, cancelCall, conciergeRemoved, createCall, setAvailability } from './index.ts';
import { kioskShows, PRESENCE_EVERY_MS, tenantState } from './presence.ts';
import { ownerDb } from '../testing/db.ts';
import { disableAccount, enableAccount } from '../accounts/disable.ts';
import { archiveAccount } from '../accounts/manage.ts';
import { markDisabled } from '../accounts/accounts.repo.ts';
import { upsertPresence } from './calls.repo.ts';

const test = suite('presence fan-out');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listen(tenantId: string, accountId: string, role: 'kiosk' | 'concierge') {
	const got: { type: string; data: Record<string, unknown>; at: number }[] = [];
	const off = await subscribe({ tenantId, accountId, role }, (d) => got.push({ type: d.event.type, data: d.event.data as Record<string, unknown>, at: Date.now() }));
	const presence = () => got.filter((e) => e.type === 'presence').map((e) => e.data as unknown as TenantPresence);
	return {
		got,
		off,
		presence,
		async until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
			const deadline = Date.now() + ms;
			while (!ok()) {
				if (Date.now() > deadline) throw new Error(`${what}: not seen in ${ms} ms; got ${JSON.stringify(got.map((e) => e.type))}`);
				await sleep(10);
			}
		}
	};
}

/** The tenant's presence read in this transaction, and how many rows of `table` it went through (sequential and index fetches). */
async function presenceReadCost(tx: Sql, table: 'calls' | 'accounts') {
	const read = async () => {
		const [r] = await tx<{ n: number }[]>`
			select (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int as n from pg_stat_xact_user_tables where relname = ${table}`;
		return r?.n ?? 0;
	};
	const before = await read();
	const s = await tenantState(tx);
	return { s, rows: (await read()) - before };
}

test('what a kiosk shows: its button while someone is available, and the queue while nobody is', () => {
	assert.is(kioskShows({ available: 3, busy: 1, waiting: ['a'] }), kioskShows({ available: 1, busy: 0, waiting: [] }));
	assert.is.not(kioskShows({ available: 0, busy: 1, waiting: [] }), kioskShows({ available: 1, busy: 1, waiting: [] }));
	assert.is.not(kioskShows({ available: 0, busy: 1, waiting: [] }), kioskShows({ available: 0, busy: 0, waiting: [] }));
	assert.is.not(kioskShows({ available: 0, busy: 1, waiting: ['a'] }), kioskShows({ available: 0, busy: 1, waiting: ['a', 'b'] }));
});

test('calls placed and cancelled while concierges are available send kiosks no presence; consoles get the latest counts, thinned out', async () => {
	const tenant = await makeTenant();
	const kiosks = [await makeAccount(tenant, { role: 'kiosk' }), await makeAccount(tenant, { role: 'kiosk' })];
	const c1 = await makeAccount(tenant, { role: 'concierge' });
	const c2 = await makeAccount(tenant, { role: 'concierge' });
	const watcher = await listen(tenant.id, kiosks[1]!.id, 'kiosk');
	const con = await listen(tenant.id, c1.id, 'concierge');
	// Nobody -> someone available: the kiosk's button changes, so it hears it.
	await setAvailability(c1.actor, 'available');
	await watcher.until('presence with one available', () => watcher.presence().some((p) => p.available === 1));
	await setAvailability(c2.actor, 'available');
	const caller = kiosks[0]!;
	for (let i = 0; i < 5; i++) {
		const call = await createCall(caller.actor);
		await cancelCall(caller.actor, call.id);
	}
	const last = await createCall(caller.actor);
	// The consoles' trailing edge: the final state (one call waiting, two available) arrives.
	await con.until('the final counts on the console', () => {
		const p = con.presence().at(-1);
		return p?.available === 2 && p.waiting.length === 1 && p.waiting[0] === last.id;
	});
	await sleep(PRESENCE_EVERY_MS * 2);
	// 1 + 1 availability changes and 11 call changes: the console heard fewer, spaced out.
	const times = con.got.filter((e) => e.type === 'presence').map((e) => e.at);
	assert.ok(times.length < 13, `the console heard ${times.length} presence events for 13 changes`);
	for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= PRESENCE_EVERY_MS - 20, `presence events ${times[i]! - times[i - 1]!} ms apart`);
	// The kiosk heard only the change of its button (available 0 -> 1), nothing for the second concierge or the calls.
	assert.is(watcher.presence().length, 1, `kiosk presence events: ${JSON.stringify(watcher.presence())}`);
	await cancelCall(caller.actor, last.id);
	watcher.off();
	con.off();
});

test('the last available concierge answers while another kiosk rings: that kiosk hears at once that it now queues', async () => {
	const tenant = await makeTenant();
	const k1 = await makeAccount(tenant, { role: 'kiosk' });
	const k2 = await makeAccount(tenant, { role: 'kiosk' });
	const c1 = await makeAccount(tenant, { role: 'concierge' });
	await setAvailability(c1.actor, 'available');
	const first = await createCall(k1.actor);
	const second = await createCall(k2.actor);
	const watcher = await listen(tenant.id, k2.id, 'kiosk');
	await acceptCall(c1.actor, first.id);
	// Nobody available, one busy: k2's call waits in the queue at position 1.
	await watcher.until('presence: queued', () => watcher.presence().some((p) => p.available === 0 && p.busy === 1 && p.waiting[0] === second.id));
	watcher.off();
});

test('coalesced events: the first goes at once, a burst collapses to its latest, and kiosks never wait', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const c = await makeAccount(t, { role: 'concierge' });
	const kiosk = await listen(t.id, k.id, 'kiosk');
	const con = await listen(t.id, c.id, 'concierge');
	const ev = (n: number): RealtimeEvent => ({ type: 'presence', data: { available: n, busy: 0, waiting: [] } });
	// Twenty in one transaction: they reach the hub together.
	await withTenant(t.id, async (tx) => {
		for (let n = 1; n <= 20; n++) await publish(tx, { tenantId: t.id, audience: 'concierges' }, ev(n), { key: 'test:c', everyMs: 300 });
	});
	await con.until('the last of the burst', () => con.presence().at(-1)?.available === 20);
	assert.equal(
		con.presence().map((p) => p.available),
		[1, 20],
		'the first at once, then only the latest'
	);
	// Kiosks (no wait, by what they show): a repeat is dropped, a change arrives.
	for (const [n, shows] of [
		[1, 'a'],
		[2, 'a'],
		[3, 'b'],
		[4, 'b'],
		[5, 'a']
	] as const)
		await publish(db(), { tenantId: t.id, audience: 'kiosks' }, ev(n), { key: 'test:k', everyMs: 0, shows });
	await kiosk.until('the last change', () => kiosk.presence().at(-1)?.available === 5);
	assert.equal(
		kiosk.presence().map((p) => p.available),
		[1, 3, 5]
	);
	// Another tenant's lane is its own.
	const other = await makeTenant();
	const ko = await makeAccount(other, { role: 'kiosk' });
	const otherKiosk = await listen(other.id, ko.id, 'kiosk');
	await publish(db(), { tenantId: other.id, audience: 'kiosks' }, ev(9), { key: 'test:k', everyMs: 0, shows: 'a' });
	await otherKiosk.until('its first presence', () => otherKiosk.presence().length === 1);
	assert.is(kiosk.presence().length, 3, 'nothing crossed tenants');
	kiosk.off();
	con.off();
	otherKiosk.off();
});

test("reading a tenant's presence reads its own live and recent calls, not every call ever made", async () => {
	// Every ring, accept, hang-up and stream snapshot reads the tenant's presence. Its "busy" test
	// (in a call, or in wrap-up after one) once read every ended call of every tenant, or the whole
	// calls table under the generic plan postgres.js's prepared statements switch to after five runs
	// (migration 016). Another tenant's 600 finished calls must not be read.
	const other = await makeTenant();
	const [ok, oc] = [await makeAccount(other, { role: 'kiosk' }), await makeAccount(other)];
	await ownerDb()`
		insert into calls (tenant_id, kiosk_account_id, concierge_account_id, state, room_name, accepted_at, ended_at, end_reason)
		select ${other.id}, ${ok.id}, ${oc.id}, 'ended', 'call_' || md5(random()::text), now() - interval '1 day', now() - make_interval(secs => g), 'hung_up'
		from generate_series(1, 600) g`;
	await ownerDb()`analyze calls`;
	const t = await makeTenant();
	const [k, c] = [await makeAccount(t, { role: 'kiosk' }), await makeAccount(t)];
	await setAvailability(c.actor, 'available');
	await createCall(k.actor);
	await withTenant(t.id, async (tx) => {
		// The plan every pooled connection ends up with.
		await tx`set local plan_cache_mode = force_generic_plan`;
		const { s, rows } = await presenceReadCost(tx, 'calls');
		assert.is(s.available, 1);
		assert.ok(rows < 50, `the presence read went through ${rows} rows of calls`);
	});
});

test("reading a tenant's presence reads no account rows, however many kiosks the tenant has", async () => {
	// Every ring and every kiosk stream's snapshot reads the presence. Its join to the accounts
	// once read every account of the tenant under some plans (row level security keeps the role
	// test out of the index scan), 10,000 rows for 10,000 kiosks; the rows alone now say who
	// counts (migration 017). A tenant of 100 concierges and 2,000 kiosks, both plans.
	const t = await makeTenant();
	const tag = t.id.slice(0, 8);
	await ownerDb()`
		insert into accounts (tenant_id, login_id, display_name, role, password_hash)
		select ${t.id}, r || '-many-' || g || '-' || ${tag}, r || ' ' || g, r::account_role, 'x'
		from generate_series(1, 2100) g, lateral (select case when g <= 100 then 'concierge' else 'kiosk' end as r) x`;
	await ownerDb()`
		insert into concierge_presence (tenant_id, account_id, status)
		select tenant_id, id, 'available' from accounts where tenant_id = ${t.id} and role = 'concierge'`;
	await ownerDb()`analyze accounts`;
	await ownerDb()`analyze concierge_presence`;
	for (const mode of ['force_custom_plan', 'force_generic_plan']) {
		await withTenant(t.id, async (tx) => {
			await tx.unsafe(`set local plan_cache_mode = ${mode}`);
			const { s, rows } = await presenceReadCost(tx, 'accounts');
			assert.is(s.available, 100);
			assert.ok(rows < 50, `${mode}: the presence read went through ${rows} rows of accounts`);
		});
	}
});

test('a disabled or archived concierge stops counting at once, and kiosks hear it', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const [c1, c2] = [await makeAccount(t), await makeAccount(t)];
	await setAvailability(c1.actor, 'available');
	await setAvailability(c2.actor, 'available');
	const kiosk = await listen(t.id, k.id, 'kiosk');
	const state = () => withTenant(t.id, (tx) => tenantState(tx));
	assert.is((await state()).available, 2);

	await disableAccount(admin.actor, c1.loginId);
	assert.is((await state()).available, 1, 'the disabled concierge is not available');
	const [row] = await ownerDb()<{ status: string }[]>`select status from concierge_presence where account_id = ${c1.id}`;
	assert.is(row?.status, 'offline');
	// Its session was validated a moment before the disable: what it says now writes nothing.
	await setAvailability(c1.actor, 'available');
	assert.is((await state()).available, 1, 'a disabled concierge cannot make itself available');

	await archiveAccount(admin.actor, c2.id);
	assert.is((await state()).available, 0);
	// The last one gone: the kiosk's button goes grey now, not at someone else's next change.
	await kiosk.until('nobody available', () => kiosk.presence().at(-1)?.available === 0);
	kiosk.off();
	// Enabled again, the concierge is offline until it chooses to be available.
	await enableAccount(admin.actor, c1.loginId);
	assert.is((await state()).available, 0);
	await setAvailability(c1.actor, 'available');
	assert.is((await state()).available, 1);
});

test('a disable and a concierge choosing available at the same moment end with the concierge offline, in either order', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const state = () => withTenant(t.id, (tx) => tenantState(tx));
	const gate = () => {
		let open!: () => void;
		return { wait: new Promise<void>((r) => (open = r)), open: () => open() };
	};

	// The disable commits while the concierge's choice waits on the account row.
	const c1 = await makeAccount(t);
	const g1 = gate();
	const disabling = withTenant(t.id, async (tx) => {
		await markDisabled(tx, c1.id, admin.id);
		await conciergeRemoved(tx, t.id, c1.id);
		await g1.wait;
	});
	await sleep(100);
	const choosing = setAvailability(c1.actor, 'available');
	await sleep(100);
	g1.open();
	await disabling;
	await choosing;
	assert.is((await state()).available, 0, 'disable first');

	// The choice holds the account row when the disable comes: the disable waits, then sets it offline.
	const c2 = await makeAccount(t);
	const g2 = gate();
	const choosing2 = withTenant(t.id, async (tx) => {
		await upsertPresence(tx, t.id, c2.id, 'available');
		await g2.wait;
	});
	await sleep(100);
	const disabling2 = disableAccount(admin.actor, c2.loginId);
	await sleep(100);
	g2.open();
	await choosing2;
	await disabling2;
	assert.is((await state()).available, 0, 'choice first');
});

test('a kiosk that opens after presence changed by time still hears the next concierge become available', async () => {
	// The kiosks' presence lane lets an event through only when what kiosks show changes. A
	// concierge without a console stream lapses offline by time, with no event until the
	// worker's sweep; a kiosk opening meanwhile sees "nobody" in its snapshot while the lane
	// still says someone can answer, and the next "available" looked like no change to it.
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const [c1, c2] = [await makeAccount(t), await makeAccount(t)];
	const kiosk = await listen(t.id, k.id, 'kiosk');
	await setAvailability(c1.actor, 'available');
	await kiosk.until('c1 available', () => kiosk.presence().some((p) => p.available === 1));
	const heard = kiosk.presence().length;
	// c1's heartbeats stop: offline by time, and nobody is told.
	await ownerDb()`update concierge_presence set seen_at = now() - interval '1 hour' where account_id = ${c1.id}`;
	const snap = await callSnapshot(k.actor);
	assert.is(snap.presence.available, 0, 'the new kiosk sees nobody');
	await setAvailability(c2.actor, 'available');
	await kiosk.until('c2 available', () => kiosk.presence().length > heard && kiosk.presence().at(-1)!.available === 1);
	kiosk.off();
});

test.run();
