/**
 * The kiosk staff PIN lockout (staff-pin.ts, migration 013) from a guesser's side:
 * concurrent wrong PINs are reserved one after another (no more than the threshold
 * are checked), the lock is in the database (another process sees it), it is audited
 * once, the right PIN is refused while locked, other kiosks and other tenants are not
 * affected, bad input is a 400 that counts nothing, and a new PIN lifts the lock.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkStaffPin, setStaffPin } from './policies.ts';
import { PIN_THRESHOLD } from './staff-pin.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { refusal } from '../testing/assert.ts';

const test = suite('staff PIN lockout');

async function setup(pin: string) {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	await setStaffPin(admin.actor, pin);
	const kiosk = await makeAccount(t, { role: 'kiosk' });
	return { t, admin, kiosk };
}

async function settle(p: Promise<boolean>): Promise<'right' | 'wrong' | string> {
	try {
		return (await p) ? 'right' : 'wrong';
	} catch (e) {
		return (e as { code?: string }).code ?? String(e);
	}
}

test('concurrent wrong PINs: at most the threshold are checked, the rest are refused unchecked; the lock is stored and audited', async () => {
	const a = await setup('4821');
	const b = await setup('4821');
	const results = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(checkStaffPin(a.kiosk.actor, String(1000 + i)))));
	assert.is(results.filter((r) => r === 'wrong').length, PIN_THRESHOLD, `checked: ${results.join(',')}`);
	assert.is(results.filter((r) => r === 'pin_locked').length, 20 - PIN_THRESHOLD);
	// Locked: the right PIN opens nothing now.
	assert.is((await refusal(checkStaffPin(a.kiosk.actor, '4821'))).code, 'pin_locked');
	const [row] = await ownerDb()<{ attempts: number; failures: number; locked: boolean }[]>`
		select attempts, failures, locked_until > now() + interval '4 minutes' as locked from staff_pin_throttle where kiosk_account_id = ${a.kiosk.id}`;
	assert.equal(row, { attempts: PIN_THRESHOLD, failures: PIN_THRESHOLD, locked: true }, 'the lock is stored');
	const audit = await ownerDb()`select actor_account_id, target_id, detail from audit_log where tenant_id = ${a.t.id} and action = 'kiosk.staff_pin_locked'`;
	assert.is(audit.length, 1, 'one audit row for the lock');
	assert.is(audit[0]!.target_id, a.kiosk.id);
	// Another kiosk of the tenant and a kiosk of another tenant still open with their PIN.
	const sibling = await makeAccount(a.t, { role: 'kiosk' });
	assert.is(await checkStaffPin(sibling.actor, '4821'), true, 'another kiosk of the tenant is not locked');
	assert.is(await checkStaffPin(b.kiosk.actor, '4821'), true, 'another tenant is not locked');
	// The lock expires: a right PIN then opens and ends the lock history.
	await ownerDb()`update staff_pin_throttle set locked_until = now() - interval '1 second' where kiosk_account_id = ${a.kiosk.id}`;
	assert.is(await checkStaffPin(a.kiosk.actor, '4821'), true, 'after the lock, the right PIN opens');
	const [after] = await ownerDb()`select failures, locks, locked_until from staff_pin_throttle where kiosk_account_id = ${a.kiosk.id}`;
	assert.equal(after, { failures: 0, locks: 0, locked_until: null });
});

test('each further lock lasts twice as long; a new PIN from the admin lifts it', async () => {
	const a = await setup('4821');
	for (let i = 0; i < PIN_THRESHOLD; i++) assert.is(await checkStaffPin(a.kiosk.actor, '0000'), false);
	await ownerDb()`update staff_pin_throttle set locked_until = now() - interval '1 second' where kiosk_account_id = ${a.kiosk.id}`;
	for (let i = 0; i < PIN_THRESHOLD; i++) assert.is(await checkStaffPin(a.kiosk.actor, '0000'), false);
	const [row] = await ownerDb()<{ locks: number; minutes: number }[]>`
		select locks, extract(epoch from locked_until - now()) / 60 as minutes from staff_pin_throttle where kiosk_account_id = ${a.kiosk.id}`;
	assert.is(row!.locks, 2);
	assert.ok(row!.minutes > 9 && row!.minutes <= 10, `second lock ~10 minutes: ${row!.minutes}`);
	assert.is((await refusal(checkStaffPin(a.kiosk.actor, '4821'))).code, 'pin_locked');
	await setStaffPin(a.admin.actor, '9999');
	assert.is(await checkStaffPin(a.kiosk.actor, '9999'), true, 'the new PIN opens at once');
});

test('bad input is refused (400) and counts nothing; only a kiosk (or admin) checks', async () => {
	const a = await setup('4821');
	for (const pin of [4821, '', '123', '123456789', '12a4', null, undefined, ['4821'], { pin: '4821' }, ' 4821']) {
		const e = await refusal(checkStaffPin(a.kiosk.actor, pin));
		assert.is(e.status, 400, `${JSON.stringify(pin)}`);
		assert.is(e.code, 'bad_pin');
	}
	const rows = await ownerDb()`select 1 from staff_pin_throttle where kiosk_account_id = ${a.kiosk.id}`;
	assert.is(rows.length, 0, 'nothing counted');
	const concierge = await makeAccount(a.t, { role: 'concierge' });
	assert.is((await refusal(checkStaffPin(concierge.actor, '4821'))).status, 403);
	assert.is(await checkStaffPin(a.kiosk.actor, '4821'), true);
});

test.run();
