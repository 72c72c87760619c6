/**
 * Per-concierge share permissions on the real PostgreSQL and the test LiveKit: the
 * admin's change is stored, audited and obeyed by the next LiveKit grant and by
 * the next kiosk-screen request; from the attacker's side, nobody else changes them.
 */
import { refusal } from '../testing/assert.ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenVerifier } from 'livekit-server-sdk';
import { setSharePermissions } from './permissions.ts';
import { listAccounts } from './accounts.ts';
import { acceptCall, createCall, hangUpCall, issueCallToken, requestKioskScreen, setAvailability } from '../calls/index.ts';
import { config } from '../config.server.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';

const test = suite('share permissions');

const sources = async (token: string) => (await new TokenVerifier(config().livekit.apiKey, config().livekit.apiSecret).verify(token)).video?.canPublishSources;

const flags = async (id: string) =>
	(await ownerDb()<{ share: boolean; view: boolean }[]>`select can_share_screen as share, can_view_kiosk_screen as view from accounts where id = ${id}`)[0]!;

const auditCount = async (id: string) =>
	(await ownerDb()<{ n: number }[]>`select count(*)::int as n from audit_log where action = 'account.permissions_changed' and target_id = ${id}`)[0]!.n;

test('admin withdraws both permissions: stored, listed, audited with old and new; the next grant and request obey', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge' });
	const kiosk = await makeAccount(t, { role: 'kiosk' });
	const r = await setSharePermissions(admin.actor, c.loginId.toUpperCase(), { canShareScreen: false, canViewKioskScreen: false });
	assert.is(r.changed, true);
	assert.equal(await flags(c.id), { share: false, view: false });
	const [audit] = await ownerDb()<{ actor: string; tenantId: string; detail: Record<string, unknown> }[]>`
		select actor_account_id as actor, tenant_id as "tenantId", detail from audit_log where action = 'account.permissions_changed' and target_id = ${c.id}`;
	assert.is(audit!.actor, admin.id);
	assert.is(audit!.tenantId, t.id);
	assert.equal(audit!.detail.old, { canShareScreen: true, canViewKioskScreen: true });
	assert.equal(audit!.detail.new, { canShareScreen: false, canViewKioskScreen: false });
	const listed = (await listAccounts(admin.actor)).find((a) => a.id === c.id);
	assert.equal(listed!.permissions, { canShareScreen: false, canViewKioskScreen: false });
	assert.is((await listAccounts(admin.actor)).find((a) => a.id === kiosk.id)!.permissions, undefined, 'kiosks have no share permissions');

	// Same values again: nothing written, nothing audited.
	assert.is((await setSharePermissions(admin.actor, c.loginId, { canShareScreen: false })).changed, false);
	assert.is(await auditCount(c.id), 1);

	await setAvailability(c.actor, 'available');
	const call = await createCall(kiosk.actor);
	const { connection } = await acceptCall(c.actor, call.id);
	assert.equal(await sources(connection.token), ['camera', 'microphone'], 'no screen_share in the LiveKit grant');
	assert.is((await refusal(requestKioskScreen(c.actor, call.id))).code, 'share_not_permitted');

	// Given back mid-call: the very next token and request obey (the live grant is updated too, best effort).
	await setSharePermissions(admin.actor, c.loginId, { canShareScreen: true, canViewKioskScreen: true });
	assert.equal(await sources((await issueCallToken(c.actor, call.id)).token), ['camera', 'microphone', 'screen_share']);
	await requestKioskScreen(c.actor, call.id);
	// And withdrawn again mid-call, one flag only: the other keeps its value.
	await setSharePermissions(admin.actor, c.loginId, { canShareScreen: false });
	assert.equal(await flags(c.id), { share: false, view: true });
	assert.equal(await sources((await issueCallToken(c.actor, call.id)).token), ['camera', 'microphone']);
	assert.is(await auditCount(c.id), 3);
	await hangUpCall(kiosk.actor, call.id);
});

test("an admin of tenant B gets 404 for tenant A's concierge, exactly like an unknown login ID; nothing changes", async () => {
	const a = await makeTenant();
	const b = await makeTenant();
	const conciergeA = await makeAccount(a, { role: 'concierge' });
	const adminB = await makeAccount(b, { role: 'admin' });
	const foreign = await refusal(setSharePermissions(adminB.actor, conciergeA.loginId, { canShareScreen: false, canViewKioskScreen: false }));
	const unknown = await refusal(setSharePermissions(adminB.actor, 'nobody-has-this-id', { canShareScreen: false, canViewKioskScreen: false }));
	assert.is(foreign.status, 404);
	assert.is(foreign.code, unknown.code);
	assert.is(foreign.message.replace(conciergeA.loginId, 'X'), unknown.message.replace('nobody-has-this-id', 'X'), 'same message shape');
	assert.equal(await flags(conciergeA.id), { share: true, view: true });
	assert.is(await auditCount(conciergeA.id), 0);
});

test('concierges and kiosks cannot change permissions (403), not even their own', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t, { role: 'concierge' });
	const other = await makeAccount(t, { role: 'concierge' });
	const k = await makeAccount(t, { role: 'kiosk' });
	assert.is((await refusal(setSharePermissions(c.actor, c.loginId, { canShareScreen: true }))).status, 403);
	assert.is((await refusal(setSharePermissions(c.actor, other.loginId, { canShareScreen: false }))).status, 403);
	assert.is((await refusal(setSharePermissions(k.actor, other.loginId, { canViewKioskScreen: false }))).status, 403);
	assert.equal(await flags(other.id), { share: true, view: true });
});

test('only concierge accounts have share permissions: kiosk and admin targets are refused', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const admin2 = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk' });
	for (const target of [k, admin, admin2]) {
		const e = await refusal(setSharePermissions(admin.actor, target.loginId, { canShareScreen: false }));
		assert.is(e.status, 409);
		assert.is(e.code, 'not_a_concierge');
		assert.match(e.message, /concierge accounts only/);
		assert.equal(await flags(target.id), { share: true, view: true });
	}
});

test('a platform operator changes a concierge of any tenant; audited in that tenant', async () => {
	const platform = await makeTenant({ isPlatform: true });
	const op = await makeAccount(platform, { role: 'operator' });
	const t = await makeTenant();
	const c = await makeAccount(t, { role: 'concierge' });
	const r = await setSharePermissions(op.actor, c.loginId, { canViewKioskScreen: false });
	assert.is(r.tenantId, t.id);
	assert.equal(await flags(c.id), { share: true, view: false });
	const [audit] = await ownerDb()<
		{ tenantId: string; detail: { byRole: string } }[]
	>`select tenant_id as "tenantId", detail from audit_log where action = 'account.permissions_changed' and target_id = ${c.id}`;
	assert.is(audit!.tenantId, t.id);
	assert.is(audit!.detail.byRole, 'operator');
	assert.is((await refusal(setSharePermissions(op.actor, 'nobody-has-this-id', { canShareScreen: false }))).status, 404);
});

test('bad types are a 400 and change nothing', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge' });
	for (const bad of [undefined, null, 42, '', 'a', ['x'], { loginId: 'x' }, 'has space'])
		assert.is((await refusal(setSharePermissions(admin.actor, bad, { canShareScreen: false }))).status, 400, JSON.stringify(bad));
	for (const v of ['false', 0, 1, null, 'true', [], {}])
		for (const key of ['canShareScreen', 'canViewKioskScreen']) {
			const e = await refusal(setSharePermissions(admin.actor, c.loginId, { [key]: v }));
			assert.is(e.status, 400, `${key}=${JSON.stringify(v)}`);
			assert.is(e.code, 'bad_permission');
		}
	assert.is((await refusal(setSharePermissions(admin.actor, c.loginId, {}))).status, 400, 'nothing to set');
	assert.is((await refusal(setSharePermissions(admin.actor, c.loginId, null as never))).status, 400);
	assert.equal(await flags(c.id), { share: true, view: true });
	assert.is(await auditCount(c.id), 0);
});

test.run();
