/**
 * The fleet view (issue 11, item 1): kiosk states from presence, sessions and calls;
 * commands delivered to the kiosk's stream; refusals for other tenants, wrong roles
 * and bad input.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { browserName, commandKiosk, fleet, kioskGone, kioskOpened, kiosksSeen } from './fleet.ts';
import { signIn } from '../accounts/sign-in.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { withTenant } from '../db.server.ts';
import type { Actor } from '../types.ts';
import { refusal } from '../testing/assert.ts';
import { subscribe } from '../events/hub.server.ts';

const test = suite('fleet');

/** A kiosk's stream opens: stamped as the stream's snapshot stamps it, in a transaction. */
const opened = (actor: Actor, meta: { userAgent?: string | null; appVersion?: string | null }) => withTenant(actor.tenantId, (tx) => kioskOpened(tx, actor, meta));
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

test('kiosk states: online, in a call, offline since, signed out, disabled; concierges listed', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const [online, inCall, offline, out, disabled] = await Promise.all(Array.from({ length: 5 }, () => makeAccount(t, { role: 'kiosk' })));
	const c = await makeAccount(t, { role: 'concierge' });
	for (const k of [online!, inCall!, offline!]) await signIn('kiosk', { loginId: k.loginId, password: k.password }, { ip: '198.18.4.1', userAgent: UA });
	await opened(online!.actor, { userAgent: UA, appVersion: '2.3.1' });
	await opened(inCall!.actor, { userAgent: UA });
	await opened(offline!.actor, { userAgent: UA });
	await kioskGone(offline!.actor);
	await ownerDb()`insert into calls (tenant_id, kiosk_account_id, state, room_name, ring_expires_at) values (${t.id}, ${inCall!.id}, 'ringing', ${'call_' + 'F'.repeat(24) + Date.now().toString(36).slice(-8)}, now() + interval '1 minute')`;
	await ownerDb()`update accounts set disabled_at = now() where id = ${disabled!.id}`;
	const f = await fleet(admin.actor);
	const by = Object.fromEntries(f.kiosks.map((k) => [k.id, k]));
	assert.is(by[online!.id]!.state, 'online');
	assert.is(by[online!.id]!.appVersion, '2.3.1');
	assert.is(by[online!.id]!.browser, 'Chrome 131');
	assert.is(by[inCall!.id]!.state, 'in_call');
	assert.is(by[offline!.id]!.state, 'offline');
	assert.ok(by[offline!.id]!.offlineSince);
	assert.is(by[out!.id]!.state, 'signed_out');
	assert.is(by[disabled!.id]!.state, 'disabled');
	assert.equal(
		f.concierges.map((x) => [x.id, x.state]),
		[[c.id, 'offline']]
	);
	// Stale presence: seen over a minute ago counts as offline.
	await ownerDb()`update kiosk_presence set last_seen_at = now() - interval '2 minutes' where account_id = ${online!.id}`;
	assert.is((await fleet(admin.actor)).kiosks.find((k) => k.id === online!.id)!.state, 'offline');
});

test('a shared heartbeat stamps many kiosks of one tenant in one go, and nothing of another tenant', async () => {
	const t = await makeTenant();
	const kiosks = await Promise.all(Array.from({ length: 3 }, () => makeAccount(t, { role: 'kiosk' })));
	const foreign = await makeAccount(await makeTenant(), { role: 'kiosk' });
	await opened(foreign.actor, { userAgent: UA });
	for (const k of kiosks.slice(0, 2)) await opened(k.actor, { userAgent: UA });
	await ownerDb()`update kiosk_presence set last_seen_at = now() - interval '2 minutes', disconnected_at = now() where account_id in ${ownerDb()([kiosks[0]!.id, kiosks[1]!.id, foreign.id])}`;
	// The third kiosk has no row yet; the foreign id (never sent by a real stream) must change nothing.
	await kiosksSeen(t.id, [...kiosks.map((k) => k.id), foreign.id]);
	const rows = await ownerDb()<{ account_id: string; fresh: boolean }[]>`
		select account_id, last_seen_at > now() - interval '30 seconds' and disconnected_at is null as fresh from kiosk_presence where account_id in ${ownerDb()(kiosks.map((k) => k.id))}`;
	assert.is(rows.length, 3);
	for (const r of rows) assert.ok(r.fresh, `kiosk ${r.account_id} stamped seen`);
	const [row] = await ownerDb()<
		{ tenant_id: string; disconnected: boolean }[]
	>`select tenant_id, disconnected_at is not null as disconnected from kiosk_presence where account_id = ${foreign.id}`;
	assert.is.not(row!.tenant_id, t.id);
	assert.ok(row!.disconnected, "the other tenant's kiosk was not stamped");
});

test('commands reach the kiosk as an event and are audited; refusals change nothing', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const c = await makeAccount(t, { role: 'concierge' });
	const other = await makeAccount(await makeTenant(), { role: 'admin' });
	const count = async () => (await ownerDb()`select count(*)::int as n from audit_log where tenant_id = ${t.id} and action = 'fleet.kiosk_command'`)[0]!.n as number;
	assert.equal(await commandKiosk(admin.actor, k.id, 'reload'), { endedCalls: 0 });
	assert.is(await count(), 1);
	assert.is((await refusal(commandKiosk(other.actor, k.id, 'reload'))).status, 404, 'another tenant');
	assert.is((await refusal(commandKiosk(admin.actor, c.id, 'reload'))).status, 404, 'not a kiosk');
	for (const who of [c.actor, k.actor]) assert.is((await refusal(commandKiosk(who, k.id, 'reload'))).code, 'admin_only');
	for (const bad of ['explode', '', null]) assert.is((await refusal(commandKiosk(admin.actor, k.id, bad))).status, 400);
	assert.is((await refusal(commandKiosk(admin.actor, 'nope', 'reload'))).status, 400);
	assert.is((await refusal(fleet(c.actor))).code, 'admin_only');
	assert.is(await count(), 1);
});

test('browserName', () => {
	assert.is(browserName(UA), 'Chrome 131');
	assert.is(browserName('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'), 'Safari 17');
	assert.is(browserName(null), null);
});

test('the admins of the tenant hear fleet.changed when a kiosk comes and goes (and when a beat brings one back), nobody else does', async () => {
	const t = await makeTenant();
	const other = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const concierge = await makeAccount(t, { role: 'concierge' });
	const otherAdmin = await makeAccount(other, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const heard: Record<string, string[]> = { admin: [], concierge: [], otherAdmin: [] };
	const offs = [
		await subscribe({ tenantId: t.id, accountId: admin.id, role: 'admin' }, (d) => heard.admin!.push(d.event.type)),
		await subscribe({ tenantId: t.id, accountId: concierge.id, role: 'concierge' }, (d) => heard.concierge!.push(d.event.type)),
		await subscribe({ tenantId: other.id, accountId: otherAdmin.id, role: 'admin' }, (d) => heard.otherAdmin!.push(d.event.type))
	];
	// Notifications arrive in commit order on one LISTEN connection, some time after the commit:
	// wait for the count expected, then a little longer for any extra one.
	const heardAdmin = async (n: number) => {
		for (const until = Date.now() + 10_000; heard.admin!.length < n && Date.now() < until;) await new Promise((r) => setTimeout(r, 25));
		await new Promise((r) => setTimeout(r, 300));
		return heard.admin;
	};
	await opened(k.actor, { userAgent: UA });
	assert.equal(await heardAdmin(1), ['fleet.changed'], 'opened');
	// An ordinary beat changes nothing an admin sees: had it told them, its event would come
	// before the next two (commit order), and four would arrive instead of three.
	await kiosksSeen(k.actor.tenantId, [k.id]);
	await ownerDb()`update kiosk_presence set last_seen_at = now() - interval '2 minutes' where account_id = ${k.id}`;
	await kiosksSeen(k.actor.tenantId, [k.id]);
	await kioskGone(k.actor);
	assert.equal(await heardAdmin(3), ['fleet.changed', 'fleet.changed', 'fleet.changed'], 'an ordinary beat: nothing; back from offline, then gone');
	assert.equal(heard.concierge, []);
	assert.equal(heard.otherAdmin, []);
	for (const off of offs) off();
});

test.run();
