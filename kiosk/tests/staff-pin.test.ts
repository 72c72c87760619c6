/**
 * The kiosk's staff menu PIN (POST /api/staff/pin), from an attacker's side: a
 * wrong PIN is refused, guessing is throttled per kiosk (429 pin_locked), a PIN of
 * another tenant opens nothing, only a kiosk may ask, and the right PIN opens the menu.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { setStaffPin } from '../../platform/policies/policies.ts';
import { api, signInCookie } from './call-helpers.ts';

const test = suite('staff PIN');

test("wrong PINs are refused and throttled; another tenant's PIN opens nothing; the right PIN opens", async () => {
	const apps = await startApps();
	const a = await makeTenant();
	const b = await makeTenant();
	const adminA = await makeAccount(a, { role: 'admin' });
	const adminB = await makeAccount(b, { role: 'admin' });
	await setStaffPin(adminA.actor, '482913');
	await setStaffPin(adminB.actor, '111111');
	const kioskA = await makeAccount(a, { role: 'kiosk' });
	const kioskB = await makeAccount(b, { role: 'kiosk' });
	const cookieA = await signInCookie(apps.kiosk, kioskA.loginId, kioskA.password);
	const cookieB = await signInCookie(apps.kiosk, kioskB.loginId, kioskB.password);

	// Tenant B's kiosk with tenant A's PIN: nothing.
	const cross = await api(apps.kiosk, cookieB, '/api/staff/pin', { pin: '482913' });
	assert.is(cross.status, 200);
	assert.is(cross.body.ok, false, "another tenant's PIN opens nothing");
	assert.is((await api(apps.kiosk, cookieB, '/api/staff/pin', { pin: '111111' })).body.ok, true, 'its own PIN opens');

	// Garbage and wrong PINs on kiosk A: refused, then throttled.
	assert.is((await api(apps.kiosk, cookieA, '/api/staff/pin', { pin: 482913 })).body.ok, false, 'a number, not a string');
	for (const pin of ['000000', '', '4829130000']) assert.is((await api(apps.kiosk, cookieA, '/api/staff/pin', { pin })).body.ok, false);
	const fifth = await api(apps.kiosk, cookieA, '/api/staff/pin', { pin: '482913' });
	assert.is(fifth.body.ok, true, 'the right PIN within the tries opens');
	const locked = await api(apps.kiosk, cookieA, '/api/staff/pin', { pin: '482913' });
	assert.is(locked.status, 429, 'then guessing is throttled');
	assert.is(locked.body.code, 'pin_locked');

	// Signed out: no answer about the PIN.
	const anon = await fetch(apps.kiosk + '/api/staff/pin', {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: apps.kiosk },
		body: JSON.stringify({ pin: '482913' })
	});
	assert.ok(anon.status === 401 || anon.status === 303 || anon.status === 302, `signed out: ${anon.status}`);
});

test.run();
