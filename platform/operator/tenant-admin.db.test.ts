/**
 * The operator console (issue 11, item 7) from the attacker's side and in effect:
 * tenant creation with a first admin, suspension (sign-in refused, sessions
 * revoked, live calls ended; resume lets sign-in back), partial search and
 * drill-down (audited), and refusals for every other role and bad input.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTenantWithAdmin, searchPlatform, setTenantSuspended, systemHealth, tenantDrill } from './tenant-admin.ts';
import { signIn } from '../accounts/sign-in.ts';
import { issueEnrolmentCode, enrolKiosk } from '../enrolment/enrolment.ts';
import { validateSessionToken } from '../sessions/sessions.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { refusal } from '../testing/assert.ts';

const test = suite('operator console');

async function operator() {
	const p = await makeTenant({ isPlatform: true });
	return makeAccount(p, { role: 'operator' });
}
const PASSWORD = 'First-admin-123';

test('an operator creates a tenant with its first admin, who must change the password', async () => {
	const op = await operator();
	const slug = `new-${Date.now().toString(36)}`;
	const r = await createTenantWithAdmin(op.actor, { slug, name: 'New Store Chain', adminLoginId: `${slug}-admin`, adminName: 'First Admin', adminPassword: PASSWORD });
	const s = await signIn('console', { loginId: `${slug}-admin`, password: PASSWORD }, { ip: '198.18.3.1' });
	assert.is(s.role, 'admin');
	assert.ok(s.passwordExpired, 'must change at first sign-in');
	const audit = await ownerDb()`select tenant_id from audit_log where action = 'tenant.created' and target_id = ${r.tenantId}`;
	assert.is(audit.length, 2, "in the new tenant's log and the operator's");
	assert.is((await refusal(createTenantWithAdmin(op.actor, { slug, name: 'Again', adminLoginId: `${slug}-x`, adminName: 'X', adminPassword: PASSWORD }))).code, 'tenant_exists');
});

test('bad input and other roles cannot create tenants; nothing is created', async () => {
	const op = await operator();
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const before = (await ownerDb()`select count(*)::int as n from tenants`)[0]!.n;
	const good = { slug: `ok-${Date.now().toString(36)}`, name: 'OK', adminName: 'A', adminPassword: PASSWORD };
	for (const [patch, code] of [
		[{ slug: 'A B' }, 'bad_slug'],
		[{ name: '' }, 'bad_name'],
		[{ adminLoginId: 'someone-else-admin' }, 'bad_login_id'],
		[{ adminPassword: 'short' }, 'weak_password'],
		[{ loginPrefix: '-x' }, 'bad_prefix']
	] as const)
		assert.is((await refusal(createTenantWithAdmin(op.actor, { ...good, adminLoginId: `${good.slug}-admin`, ...patch }))).code, code);
	assert.is((await refusal(createTenantWithAdmin(admin.actor, { ...good, adminLoginId: `${good.slug}-admin` }))).code, 'operator_only');
	assert.is((await ownerDb()`select count(*)::int as n from tenants`)[0]!.n, before);
});

test('suspend: sign-in (password and code) refused, sessions revoked, live calls ended; resume restores sign-in', async () => {
	const op = await operator();
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge' });
	const k = await makeAccount(t, { role: 'kiosk' });
	const k2 = await makeAccount(t, { role: 'kiosk' });
	const cs = await signIn('console', { loginId: c.loginId, password: c.password }, { ip: '198.18.3.2' });
	const ks = await signIn('kiosk', { loginId: k.loginId, password: k.password }, { ip: '198.18.3.3' });
	const { code } = await issueEnrolmentCode(admin.actor, k2.id);
	const [call] = await ownerDb()<{ id: string }[]>`insert into calls (tenant_id, kiosk_account_id, concierge_account_id, state, room_name, accepted_at)
		values (${t.id}, ${k.id}, ${c.id}, 'accepted', ${'call_' + 'S'.repeat(24) + Date.now().toString(36).slice(-8)}, now()) returning id`;
	const r = await setTenantSuspended(op.actor, t.id, true, 'unpaid');
	assert.is(r.revokedSessions, 2);
	assert.is(r.endedCalls, 1);
	assert.is((await ownerDb()`select state from calls where id = ${call!.id}`)[0]!.state, 'ended');
	assert.is(await validateSessionToken(cs.token, 'console'), null);
	assert.is(await validateSessionToken(ks.token, 'kiosk'), null);
	assert.is((await refusal(signIn('console', { loginId: c.loginId, password: c.password }, { ip: '198.18.3.2' }))).code, 'tenant_suspended');
	assert.is((await refusal(signIn('kiosk', { loginId: k.loginId, password: k.password }, { ip: '198.18.3.3' }))).code, 'tenant_suspended');
	assert.is((await refusal(enrolKiosk({ loginId: k2.loginId, code }, { ip: '198.18.3.4' }))).code, 'tenant_suspended');
	assert.is(
		(await refusal(signIn('console', { loginId: c.loginId, password: 'Wrong-pass-1' }, { ip: '198.18.3.5' }))).code,
		'invalid_credentials',
		'suspension is told only to those who know the password'
	);
	assert.equal(await setTenantSuspended(op.actor, t.id, true), { changed: false, revokedSessions: 0, endedCalls: 0 });
	await setTenantSuspended(op.actor, t.id, false);
	await signIn('console', { loginId: c.loginId, password: c.password }, { ip: '198.18.3.2' });
	const actions = (await ownerDb()<{ action: string }[]>`select action from audit_log where tenant_id = ${t.id} and action like 'tenant.%' order by id`).map((x) => x.action);
	assert.equal(actions, ['tenant.suspended', 'tenant.resumed']);
});

test('suspension: only operators, never the platform tenant, bad ids are 404', async () => {
	const op = await operator();
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const other = await makeAccount(await makeTenant(), { role: 'admin' });
	for (const who of [admin.actor, other.actor, (await makeAccount(t, { role: 'concierge' })).actor])
		assert.is((await refusal(setTenantSuspended(who, t.id, true))).code, 'operator_only');
	assert.is((await refusal(setTenantSuspended(op.actor, op.tenantId, true))).code, 'own_tenant');
	for (const id of ['x', null, '00000000-0000-0000-0000-000000000000']) assert.is((await refusal(setTenantSuspended(op.actor, id, true))).status, 404);
	assert.is((await refusal(setTenantSuspended(op.actor, t.id, true, 'x'.repeat(501)))).code, 'bad_reason');
	assert.is((await ownerDb()`select suspended_at from tenants where id = ${t.id}`)[0]!.suspended_at, null);
});

test('partial search and drill-down across tenants are audited; other roles refused', async () => {
	const op = await operator();
	const mark = Date.now().toString(36);
	const t = await makeTenant({ name: `Umeda Store ${mark}` });
	const k = await makeAccount(t, { role: 'kiosk', loginId: `umeda-${mark}-kiosk` });
	const r = await searchPlatform(op.actor, `umeda ${mark}`.split(' ')[1]!);
	assert.ok(r.tenants.some((x) => x.id === t.id));
	assert.ok(r.accounts.some((a) => a.id === k.id));
	const d = await tenantDrill(op.actor, t.id);
	assert.is(d.tenant.name, `Umeda Store ${mark}`);
	assert.equal(
		d.accounts.map((a) => a.loginId),
		[k.loginId]
	);
	const reads = await ownerDb()`select target_id from audit_log where tenant_id = ${op.tenantId} and action = 'operator.read' order by id`;
	assert.equal(reads.map((x) => x.target_id).slice(-2), ['search', 'tenant']);
	const admin = await makeAccount(t, { role: 'admin' });
	assert.is((await refusal(searchPlatform(admin.actor, 'umeda'))).code, 'operator_only');
	assert.is((await refusal(tenantDrill(admin.actor, t.id))).code, 'operator_only');
	assert.is((await refusal(systemHealth(admin.actor))).code, 'operator_only');
	assert.is((await refusal(searchPlatform(op.actor, 'x'))).code, 'bad_query');
	const wild = await searchPlatform(op.actor, "%_'");
	assert.is(wild.tenants.length + wild.accounts.length, 0, 'LIKE wildcards are matched literally');
});

test('the system page reports PostgreSQL and LiveKit', async () => {
	const op = await operator();
	const h = await systemHealth(op.actor);
	const byName = Object.fromEntries(h.map((x) => [x.name, x]));
	assert.ok(byName['PostgreSQL']!.ok, byName['PostgreSQL']!.detail);
	assert.ok(byName['LiveKit']!.ok, byName['LiveKit']!.detail);
	assert.ok(h.some((x) => x.name === 'Worker and queue'));
});

test.run();
