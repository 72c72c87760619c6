import { refusal } from '../testing/assert.ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { disableAccount, enableAccount } from './disable.ts';
import { subscribe } from '../events/hub.server.ts';
import { signIn } from './sign-in.ts';
import { validateSessionToken } from '../sessions/sessions.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';

const test = suite('remote disable');

test('admin disables a kiosk by login ID: sign-in refused, every session revoked, audited, propagated; enable restores', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const s1 = await signIn('kiosk', { loginId: k.loginId, password: k.password });
	const s2 = await signIn('kiosk', { loginId: k.loginId, password: k.password });
	const heard: string[] = [];
	const off = await subscribe({ tenantId: t.id, accountId: k.id, role: 'kiosk' }, (d) => heard.push(d.event.type));
	const r = await disableAccount(admin.actor, k.loginId.toUpperCase(), 'Tablet stolen from the Ginza store');
	assert.is(r.changed, true);
	assert.is(r.revokedSessions, 2);
	assert.is(await validateSessionToken(s1.token, 'kiosk'), null);
	assert.is(await validateSessionToken(s2.token, 'kiosk'), null);
	const e = await refusal(signIn('kiosk', { loginId: k.loginId, password: k.password }));
	assert.is(e.code, 'account_disabled');
	assert.match(e.message, /disabled/);
	for (let i = 0; i < 100 && !heard.includes('account.disabled'); i++) await new Promise((res) => setTimeout(res, 20));
	off();
	assert.ok(heard.includes('account.disabled'), "the kiosk's open app is told");
	const [audit] = await ownerDb()<
		{ actor: string; detail: { reason: string; revokedSessions: number } }[]
	>`select actor_account_id as actor, detail from audit_log where action = 'account.disabled' and target_id = ${k.id}`;
	assert.is(audit!.actor, admin.id);
	assert.is(audit!.detail.reason, 'Tablet stolen from the Ginza store');
	assert.is(audit!.detail.revokedSessions, 2);

	const again = await disableAccount(admin.actor, k.loginId);
	assert.is(again.changed, false, 'disabling twice changes nothing');

	await enableAccount(admin.actor, k.loginId);
	const back = await signIn('kiosk', { loginId: k.loginId, password: k.password });
	assert.ok(await validateSessionToken(back.token, 'kiosk'));
	const [en] = await ownerDb()`select count(*)::int as n from audit_log where action = 'account.enabled' and target_id = ${k.id} and actor_account_id = ${admin.id}`;
	assert.is(en!.n, 1);
});

test("an admin of tenant A cannot see or touch tenant B's accounts", async () => {
	const a = await makeTenant();
	const b = await makeTenant();
	const adminA = await makeAccount(a, { role: 'admin' });
	const kioskB = await makeAccount(b, { role: 'kiosk' });
	const s = await signIn('kiosk', { loginId: kioskB.loginId, password: kioskB.password });
	const e = await refusal(disableAccount(adminA.actor, kioskB.loginId));
	assert.is(e.status, 404, 'indistinguishable from an unknown login ID');
	assert.ok(await validateSessionToken(s.token, 'kiosk'), "tenant B's kiosk is untouched");
	const [row] = await ownerDb()`select disabled_at from accounts where id = ${kioskB.id}`;
	assert.is(row!.disabled_at, null);
	// A forged actor claiming tenant B but carrying tenant A's admin id is still only an admin of B's rows it can see;
	// the platform never takes the tenant from input, so this is the strongest thing a route could pass.
	assert.is((await refusal(enableAccount(adminA.actor, kioskB.loginId))).status, 404);
});

test('only admins and operators may disable; nobody disables themselves', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge' });
	const k = await makeAccount(t, { role: 'kiosk' });
	assert.is((await refusal(disableAccount(c.actor, k.loginId))).status, 403);
	assert.is((await refusal(disableAccount(k.actor, c.loginId))).status, 403);
	assert.is((await refusal(disableAccount(admin.actor, admin.loginId))).code, 'self_disable');
});

test('a platform operator disables an account of any tenant by login ID alone; audited in that tenant', async () => {
	const platform = await makeTenant({ isPlatform: true });
	const op = await makeAccount(platform, { role: 'operator' });
	const t = await makeTenant();
	const c = await makeAccount(t, { role: 'concierge' });
	const r = await disableAccount(op.actor, c.loginId);
	assert.is(r.tenantId, t.id);
	assert.is((await refusal(signIn('console', { loginId: c.loginId, password: c.password }))).code, 'account_disabled');
	const [audit] = await ownerDb()<
		{ tenantId: string; detail: { byRole: string } }[]
	>`select tenant_id as "tenantId", detail from audit_log where action = 'account.disabled' and target_id = ${c.id}`;
	assert.is(audit!.tenantId, t.id);
	assert.is(audit!.detail.byRole, 'operator');
	assert.is((await refusal(disableAccount(op.actor, 'nobody-has-this-id'))).status, 404);
});

test('bad input is a 400', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	for (const bad of [undefined, null, 42, '', 'a', ['x'], { loginId: 'x' }, 'has space'])
		assert.is((await refusal(disableAccount(admin.actor, bad))).status, 400, JSON.stringify(bad));
	assert.is((await refusal(disableAccount(admin.actor, 'some-login', 'x'.repeat(501)))).status, 400);
});

test('enabling also clears a lockout', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t);
	const meta = { ip: '198.51.100.9' };
	for (let i = 0; i < 3; i++) await signIn('console', { loginId: c.loginId, password: 'Wrong-pass-1' }, meta).catch(() => {});
	await ownerDb()`update accounts set disabled_at = now() where id = ${c.id}`;
	const [locked] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from signin_throttle where login_id = ${c.loginId} and locked_until > now()`;
	assert.is(locked!.n, 1, 'the source is locked out');
	await enableAccount(admin.actor, c.loginId);
	assert.is((await signIn('console', { loginId: c.loginId, password: c.password }, meta)).role, 'concierge');
});

test.run();
