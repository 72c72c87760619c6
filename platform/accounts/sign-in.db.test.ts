import { refusal } from '../testing/assert.ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signIn } from './sign-in.ts';
import { validateSessionToken, invalidateSession } from '../sessions/sessions.ts';
import { sessionIdFromToken } from '../sessions/token.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';

const test = suite('sign-in');

async function auditActions(accountId: string): Promise<string[]> {
	const rows = await ownerDb()<{ action: string }[]>`select action from audit_log where target_id = ${accountId} order by id`;
	return rows.map((r) => r.action);
}

test('kiosk signs in to the kiosk app; the session validates for that app only', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const r = await signIn('kiosk', { loginId: k.loginId.toUpperCase(), password: k.password }, { ip: '127.0.0.1' });
	assert.is(r.role, 'kiosk');
	const ctx = await validateSessionToken(r.token, 'kiosk');
	assert.ok(ctx);
	assert.is(ctx.actor.accountId, k.id);
	assert.is(ctx.actor.tenantId, t.id);
	assert.is(await validateSessionToken(r.token, 'console'), null, 'a kiosk cookie is not a console session');
	const [stored] = await ownerDb()<{ id: string }[]>`select id from sessions where account_id = ${k.id}`;
	assert.is(stored!.id, sessionIdFromToken(r.token), 'only the hash is stored');
	assert.not.ok(JSON.stringify(stored).includes(r.token));
	assert.ok((await auditActions(k.id)).includes('signin.success'));
});

test('wrong password is refused with one message for unknown IDs and wrong passwords', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t, { role: 'concierge' });
	const a = await refusal(signIn('console', { loginId: c.loginId, password: 'nope-Nope-1' }));
	const b = await refusal(signIn('console', { loginId: 'no-such-login', password: 'nope-Nope-1' }));
	assert.is(a.status, 401);
	assert.is(a.message, b.message);
	assert.is(a.code, 'invalid_credentials');
});

test('3 failures lock the source for the tenant period, audited; the right password from it is refused like a wrong one; unlocks after', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t, { role: 'concierge' });
	const meta = { ip: '203.0.113.5' };
	const wrong = [];
	for (let i = 0; i < 3; i++) wrong.push(await refusal(signIn('console', { loginId: c.loginId, password: 'Wrong-pass-1' }, meta)));
	assert.ok(
		wrong.every((e) => e.status === 401 && e.code === 'invalid_credentials'),
		'the third failure looks like the others'
	);
	const locked = await refusal(signIn('console', { loginId: c.loginId, password: c.password }, meta));
	assert.is(locked.status, 401, 'the right password does not open a locked source, and the lock is not revealed');
	assert.is(locked.message, wrong[0]!.message);
	const actions = await auditActions(c.id);
	assert.is(actions.filter((a) => a === 'account.locked').length, 1);
	assert.ok(actions.includes('signin.refused_locked'));
	const [row] = await ownerDb()<{ m: number }[]>`select round(extract(epoch from locked_until - now()) / 60)::int as m from signin_throttle where login_id = ${c.loginId}`;
	assert.is(row!.m, 15, 'default lock is 15 minutes');
	// The lock period passes.
	await ownerDb()`update signin_throttle set locked_until = now() - interval '1 second' where login_id = ${c.loginId}`;
	const ok = await signIn('console', { loginId: c.loginId, password: c.password }, meta);
	assert.is(ok.role, 'concierge');
});

test('lockout threshold and period are per tenant', async () => {
	const t = await makeTenant({ lockoutThreshold: 5, lockoutMinutes: 2 });
	const c = await makeAccount(t);
	for (let i = 0; i < 5; i++) assert.is((await refusal(signIn('console', { loginId: c.loginId, password: 'Wrong-pass-1' }))).status, 401);
	const [row] = await ownerDb()<
		{ m: number; failures: number }[]
	>`select round(extract(epoch from locked_until - now()) / 60)::int as m, failures from signin_throttle where login_id = ${c.loginId}`;
	assert.is(row!.m, 2);
	assert.is(row!.failures, 5);
	assert.is((await refusal(signIn('console', { loginId: c.loginId, password: c.password }))).code, 'invalid_credentials');
});

test('concurrent wrong passwords cannot slip past the threshold', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	const results = await Promise.allSettled(Array.from({ length: 6 }, () => signIn('console', { loginId: c.loginId, password: 'Wrong-pass-1' })));
	assert.ok(results.every((r) => r.status === 'rejected'));
	assert.is((await refusal(signIn('console', { loginId: c.loginId, password: c.password }))).code, 'invalid_credentials');
});

test('each app refuses accounts of the wrong role, after the password check', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const c = await makeAccount(t, { role: 'concierge' });
	const admin = await makeAccount(t, { role: 'admin' });
	assert.is((await refusal(signIn('console', { loginId: k.loginId, password: k.password }))).code, 'wrong_app');
	assert.is((await refusal(signIn('kiosk', { loginId: c.loginId, password: c.password }))).code, 'wrong_app');
	assert.is((await refusal(signIn('kiosk', { loginId: admin.loginId, password: admin.password }))).code, 'wrong_app');
	assert.is((await refusal(signIn('kiosk', { loginId: c.loginId, password: 'Wrong-pass-1' }))).code, 'invalid_credentials', 'role is not revealed without the password');
	assert.ok((await auditActions(k.id)).includes('signin.refused_role'));
});

test('a disabled account is refused with a message that says so', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const r = await signIn('kiosk', { loginId: k.loginId, password: k.password });
	await ownerDb()`update accounts set disabled_at = now() where id = ${k.id}`;
	const e = await refusal(signIn('kiosk', { loginId: k.loginId, password: k.password }));
	assert.is(e.status, 403);
	assert.match(e.message, /disabled/);
	assert.is(await validateSessionToken(r.token, 'kiosk'), null, 'an old session of a disabled account is dead');
});

test('expired session is refused and deleted; a session near expiry is pushed back', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	const r = await signIn('console', { loginId: c.loginId, password: c.password });
	const id = sessionIdFromToken(r.token);
	await ownerDb()`update sessions set expires_at = now() + interval '2 days' where id = ${id}`;
	const renewed = await validateSessionToken(r.token, 'console');
	assert.ok(renewed?.session.fresh, 'expiry pushed back when under the renewal mark');
	assert.ok(renewed!.session.expiresAt.getTime() > Date.now() + 29 * 86400_000);
	await ownerDb()`update sessions set expires_at = now() - interval '1 second' where id = ${id}`;
	assert.is(await validateSessionToken(r.token, 'console'), null);
	const [left] = await ownerDb()`select count(*)::int as n from sessions where id = ${id}`;
	assert.is(left!.n, 0);
});

test('sign-out ends that session only', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	const one = await signIn('console', { loginId: c.loginId, password: c.password });
	const two = await signIn('console', { loginId: c.loginId, password: c.password });
	const ctx = (await validateSessionToken(one.token, 'console'))!;
	await invalidateSession(ctx.actor, ctx.session.id);
	assert.is(await validateSessionToken(one.token, 'console'), null);
	assert.ok(await validateSessionToken(two.token, 'console'));
	assert.ok((await auditActions(c.id)).includes('session.signed_out'));
});

test('password expiry: console is sent to change it, a kiosk is refused', async () => {
	const t = await makeTenant({ passwordMaxAgeDays: 30 });
	const c = await makeAccount(t);
	const k = await makeAccount(t, { role: 'kiosk' });
	await ownerDb()`update accounts set password_changed_at = now() - interval '31 days' where tenant_id = ${t.id}`;
	const r = await signIn('console', { loginId: c.loginId, password: c.password });
	assert.ok(r.passwordExpired);
	assert.ok((await validateSessionToken(r.token, 'console'))?.session.passwordExpired);
	assert.is((await refusal(signIn('kiosk', { loginId: k.loginId, password: k.password }))).code, 'password_expired');
});

test('bad input types are a clear 400, never a crash', async () => {
	for (const input of [{}, { loginId: 'x' }, { loginId: 42, password: 'x' }, { loginId: 'abc', password: ['x'] }, { loginId: '', password: '' }]) {
		const e = await refusal(signIn('console', input as never));
		assert.is(e.status, 400, JSON.stringify(input));
	}
	assert.is((await refusal(signIn('console', { loginId: 'a'.repeat(5000), password: 'x' }))).status, 401);
	assert.is((await refusal(signIn('console', { loginId: 'abc', password: 'x'.repeat(100_000) }))).status, 401);
});

test.run();
