/**
 * Tenant policies (issue 11, item 4) from the attacker's side: the IP allow-list at
 * sign-in and on live sessions, self-lockout, wrong roles, bad input (nothing saved),
 * other tenants untouched; session lifetime, ring timeout and the staff PIN.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkStaffPin, kioskOpenState, readPolicies, setStaffPin, updatePolicies } from './policies.ts';
import { signIn } from '../accounts/sign-in.ts';
import { validateSessionToken } from '../sessions/sessions.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { refusal } from '../testing/assert.ts';
import type { Actor } from '../types.ts';
import { createCall } from '../calls/index.ts';

const test = suite('tenant policies');

const base = {
	passwordMinLength: '10',
	passwordMinClasses: '3',
	passwordMaxAgeDays: '0',
	lockoutThreshold: '3',
	lockoutMinutes: '15',
	sessionHours: '',
	ringTimeoutSeconds: '',
	ipAllowList: '',
	timeZone: 'Asia/Tokyo',
	holidays: '',
	closedMessage: ''
};
const ADMIN_IP = '198.18.1.10';

async function setup() {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const concierge = await makeAccount(t, { role: 'concierge' });
	const kiosk = await makeAccount(t, { role: 'kiosk' });
	const actor: Actor = { ...admin.actor, ip: ADMIN_IP };
	return { t, admin, concierge, kiosk, actor };
}
const tenantRow = async (id: string) => (await ownerDb()`select * from tenants where id = ${id}`)[0]!;

test('an allow-list refuses concierge sign-in and live sessions from other addresses at once; kiosks are not affected', async () => {
	const { t, concierge, kiosk, actor } = await setup();
	const inside = await signIn('console', { loginId: concierge.loginId, password: concierge.password }, { ip: '198.18.1.20' });
	const outside = await signIn('console', { loginId: concierge.loginId, password: concierge.password }, { ip: '203.0.113.9' });
	const kioskSession = await signIn('kiosk', { loginId: kiosk.loginId, password: kiosk.password }, { ip: '203.0.113.50' });
	const r = await updatePolicies(actor, { ...base, ipAllowList: '198.18.1.0/24\n2001:db8::/48' });
	assert.equal(r.policy.ipAllowList, ['198.18.1.0/24', '2001:db8::/48']);
	assert.is(r.revokedSessions, 1, 'the session signed in from outside is ended');
	assert.is(await validateSessionToken(outside.token, 'console', '203.0.113.9'), null);
	assert.ok(await validateSessionToken(inside.token, 'console', '198.18.1.20'));
	assert.is(await validateSessionToken(inside.token, 'console', '203.0.113.9'), null, 'the same session from another address is refused');
	assert.is(await validateSessionToken(inside.token, 'console', null), null, 'an unknown address is refused');
	assert.ok(await validateSessionToken(inside.token, 'console', '2001:db8::7'));
	assert.ok(await validateSessionToken(kioskSession.token, 'kiosk', '203.0.113.50'), 'kiosks are not bound by the list');
	const e = await refusal(signIn('console', { loginId: concierge.loginId, password: concierge.password }, { ip: '203.0.113.9' }));
	assert.is(e.code, 'ip_not_allowed');
	assert.is(e.status, 403);
	const wrong = await refusal(signIn('console', { loginId: concierge.loginId, password: 'Wrong-pass-99' }, { ip: '203.0.113.10' }));
	assert.is(wrong.code, 'invalid_credentials', 'without the password nothing about the list is told');
	await signIn('console', { loginId: concierge.loginId, password: concierge.password }, { ip: '::ffff:198.18.1.77' });
	const audit = await ownerDb()`select action from audit_log where tenant_id = ${t.id} and action in ('signin.refused_ip', 'tenant.policy_changed')`;
	assert.is(audit.length, 2);
	// Emptying the list lifts it at once.
	await updatePolicies(actor, { ...base });
	assert.ok(await validateSessionToken(inside.token, 'console', '203.0.113.9'));
});

test('an admin cannot save a list that excludes their own address; nothing is saved and the page says why', async () => {
	const { t, actor } = await setup();
	const e = await refusal(updatePolicies(actor, { ...base, ipAllowList: '203.0.113.0/24' }));
	assert.is(e.code, 'allow_list_excludes_you');
	assert.match(e.message, new RegExp(ADMIN_IP.replace(/\./g, '\\.')));
	assert.equal((await tenantRow(t.id)).ip_allow_list, []);
	const unknown = await refusal(updatePolicies({ ...actor, ip: null }, { ...base, ipAllowList: '0.0.0.0/0' }));
	assert.is(unknown.code, 'allow_list_excludes_you', 'with no known address any list would lock the admin out');
});

test('wrong roles are refused; another tenant is never touched', async () => {
	const { t, concierge, kiosk, actor } = await setup();
	const other = await setup();
	for (const a of [concierge.actor, kiosk.actor, { ...actor, role: 'operator' as const }]) {
		assert.is((await refusal(updatePolicies(a, { ...base, lockoutThreshold: '9' }))).code, 'admin_only');
		assert.is((await refusal(readPolicies(a))).code, 'admin_only');
		assert.is((await refusal(setStaffPin(a, '1234'))).code, 'admin_only');
	}
	await updatePolicies(actor, { ...base, lockoutThreshold: '7', ipAllowList: '198.18.1.0/24' });
	assert.is((await tenantRow(t.id)).lockout_threshold, 7);
	const o = await tenantRow(other.t.id);
	assert.is(o.lockout_threshold, 3);
	assert.equal(o.ip_allow_list, []);
});

test('bad input: a clear 400 naming the field, nothing saved', async () => {
	const { t, actor } = await setup();
	const before = await tenantRow(t.id);
	const cases: [Record<string, unknown>, string][] = [
		[{ passwordMinLength: '7' }, 'bad_passwordMinLength'],
		[{ passwordMinLength: 'ten' }, 'bad_passwordMinLength'],
		[{ passwordMinClasses: '5' }, 'bad_passwordMinClasses'],
		[{ lockoutThreshold: '-1' }, 'bad_lockoutThreshold'],
		[{ lockoutMinutes: { x: 1 } }, 'bad_lockoutMinutes'],
		[{ sessionHours: '0' }, 'bad_sessionHours'],
		[{ ringTimeoutSeconds: '1.5' }, 'bad_ringTimeoutSeconds'],
		[{ ipAllowList: '192.0.2.1/24' }, 'bad_ip_allow_list'],
		[{ ipAllowList: 'example.com' }, 'bad_ip_allow_list'],
		[{ ipAllowList: Array.from({ length: 101 }, (_, i) => `10.0.${i}.0/24`).join('\n') }, 'bad_ip_allow_list'],
		[{ timeZone: 'Mars/Base' }, 'bad_timeZone'],
		[{ open1: '9', close1: '18:00' }, 'bad_business_hours'],
		[{ open1: '18:00', close1: '09:00' }, 'bad_business_hours'],
		[{ holidays: '2026-02-30' }, 'bad_holidays'],
		[{ closedMessage: 'x'.repeat(501) }, 'bad_closedMessage'],
		[{ ipAllowList: ['1.2.3.4/32'] }, 'bad_ipAllowList']
	];
	for (const [patch, code] of cases) {
		const e = await refusal(updatePolicies(actor, { ...base, ...patch }));
		assert.is(e.status, 400, code);
		assert.is(e.code, code);
	}
	assert.equal(await tenantRow(t.id), before);
	for (const bad of ['12', '123456789', 'abcd', 1234, null]) assert.is((await refusal(setStaffPin(actor, bad))).code, 'bad_pin');
});

test('session lifetime, ring timeout, business hours and the staff PIN take effect', async () => {
	const { t, concierge, kiosk, actor } = await setup();
	await updatePolicies(actor, {
		...base,
		sessionHours: '2',
		ringTimeoutSeconds: '20',
		timeZone: 'UTC',
		open1: '09:00',
		close1: '17:00',
		holidays: '2026-12-25',
		closedMessage: 'Closed: see you tomorrow.'
	});
	const s = await signIn('console', { loginId: concierge.loginId, password: concierge.password }, { ip: '198.18.1.5' });
	const hours = (s.expiresAt.getTime() - Date.now()) / 3_600_000;
	assert.ok(hours > 1.9 && hours <= 2, `a 2-hour session (${hours})`);
	assert.is((await tenantRow(t.id)).ring_timeout_seconds, 20);
	assert.equal(await kioskOpenState(kiosk.actor, new Date('2026-11-23T10:00:00Z')), { open: true, message: '' });
	assert.equal(await kioskOpenState(kiosk.actor, new Date('2026-11-23T18:00:00Z')), { open: false, message: 'Closed: see you tomorrow.' });
	assert.is((await kioskOpenState(kiosk.actor, new Date('2026-12-25T10:00:00Z'))).open, false, 'holiday');
	await setStaffPin(actor, '4821');
	const row = await tenantRow(t.id);
	assert.match(String(row.staff_pin_hash), /^\$argon2id\$/);
	assert.ok(await checkStaffPin(kiosk.actor, '4821'));
	assert.not.ok(await checkStaffPin(kiosk.actor, '4822'));
	assert.ok((await readPolicies(actor)).staffPinSet);
});

test('out of business hours a kiosk cannot place a call and is told the tenant message', async () => {
	const { kiosk, actor } = await setup();
	await makeAccount({ id: actor.tenantId }, { role: 'concierge' });
	await updatePolicies(actor, {
		...base,
		timeZone: 'UTC',
		holidays: new Date().toISOString().slice(0, 10),
		open0: '00:00',
		close0: '24:00',
		open1: '00:00',
		close1: '24:00',
		open2: '00:00',
		close2: '24:00',
		open3: '00:00',
		close3: '24:00',
		open4: '00:00',
		close4: '24:00',
		open5: '00:00',
		close5: '24:00',
		open6: '00:00',
		close6: '24:00',
		closedMessage: 'Closed today.'
	});
	const e = await refusal(createCall(kiosk.actor));
	assert.is(e.code, 'closed');
	assert.is(e.message, 'Closed today.');
	assert.is((await ownerDb()`select 1 from calls where kiosk_account_id = ${kiosk.id}`).length, 0);
});

test.run();
