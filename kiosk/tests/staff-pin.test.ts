/**
 * The kiosk's staff menu PIN (POST /api/staff/pin), from an attacker's side: bad
 * input is a 400, a PIN of another tenant opens nothing, concurrent wrong PINs are
 * checked no more than five times and then PIN entry is locked (429 pin_locked); the
 * lock is in the database, so a second app instance and a restarted app refuse too;
 * only a kiosk may ask; the right PIN opens.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startApps, stopApps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { setStaffPin } from '../../platform/policies/policies.ts';
import { PIN_THRESHOLD } from '../../platform/policies/staff-pin.ts';
import { api, signInCookie } from './call-helpers.ts';

const test = suite('staff PIN');

/** A second kiosk app instance on its own port (same database), as a scaled-out deployment runs it. */
async function secondKiosk(): Promise<{ origin: string; stop: () => void }> {
	const port = Number(process.env.TEST_KIOSK_PORT ?? 5183) + 6;
	const origin = `http://127.0.0.1:${port}`;
	const child = spawn(process.execPath, [fileURLToPath(new URL('../server.js', import.meta.url))], {
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: origin, SIGNIN_PER_MINUTE: '100000' },
		stdio: 'ignore'
	});
	const deadline = Date.now() + 20_000;
	for (;;) {
		if ((await fetch(origin + '/login').catch(() => null))?.ok) break;
		if (Date.now() > deadline || child.exitCode !== null) throw new Error('second kiosk instance did not start');
		await new Promise((r) => setTimeout(r, 150));
	}
	return { origin, stop: () => child.kill('SIGTERM') };
}

test("bad input is a 400; another tenant's PIN opens nothing; the right PIN opens", async () => {
	const apps = await startApps();
	const a = await makeTenant();
	const b = await makeTenant();
	await setStaffPin((await makeAccount(a, { role: 'admin' })).actor, '482913');
	await setStaffPin((await makeAccount(b, { role: 'admin' })).actor, '111111');
	const kioskA = await makeAccount(a, { role: 'kiosk' });
	const kioskB = await makeAccount(b, { role: 'kiosk' });
	const cookieA = await signInCookie(apps.kiosk, kioskA.loginId, kioskA.password);
	const cookieB = await signInCookie(apps.kiosk, kioskB.loginId, kioskB.password);

	// Tenant B's kiosk with tenant A's PIN: nothing.
	const cross = await api(apps.kiosk, cookieB, '/api/staff/pin', { pin: '482913' });
	assert.is(cross.status, 200);
	assert.is(cross.body.ok, false, "another tenant's PIN opens nothing");
	assert.is((await api(apps.kiosk, cookieB, '/api/staff/pin', { pin: '111111' })).body.ok, true, 'its own PIN opens');

	// Anything that cannot be a PIN: 400 bad_pin, never a 500.
	for (const pin of [482913, '', '4829130000', 'abcd', null, ['482913']]) {
		const r = await api(apps.kiosk, cookieA, '/api/staff/pin', { pin });
		assert.is(r.status, 400, `${JSON.stringify(pin)}: ${r.status}`);
		assert.is(r.body.code, 'bad_pin');
	}
	const noBody = await fetch(apps.kiosk + '/api/staff/pin', { method: 'POST', headers: { cookie: cookieA, 'content-type': 'application/json', origin: apps.kiosk }, body: '{' });
	assert.is(noBody.status, 400, 'broken JSON');
	assert.is((await api(apps.kiosk, cookieA, '/api/staff/pin', { pin: '482913' })).body.ok, true, 'bad input used no tries: the right PIN opens');

	// Signed out: no answer about the PIN.
	const anon = await fetch(apps.kiosk + '/api/staff/pin', {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: apps.kiosk },
		body: JSON.stringify({ pin: '482913' })
	});
	assert.ok(anon.status === 401 || anon.status === 303 || anon.status === 302, `signed out: ${anon.status}`);
});

test('concurrent wrong PINs: five checked, the rest locked; the lock holds on another app instance and after a restart', async () => {
	let apps = await startApps();
	const a = await makeTenant();
	const b = await makeTenant();
	await setStaffPin((await makeAccount(a, { role: 'admin' })).actor, '482913');
	await setStaffPin((await makeAccount(b, { role: 'admin' })).actor, '482913');
	const kioskA = await makeAccount(a, { role: 'kiosk' });
	const kioskB = await makeAccount(b, { role: 'kiosk' });
	const cookieA = await signInCookie(apps.kiosk, kioskA.loginId, kioskA.password);
	const cookieB = await signInCookie(apps.kiosk, kioskB.loginId, kioskB.password);

	const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => api(apps.kiosk, cookieA, '/api/staff/pin', { pin: String(100000 + i) })));
	const checked = answers.filter((r) => r.status === 200);
	const locked = answers.filter((r) => r.status === 429);
	assert.is(checked.length, PIN_THRESHOLD, `checked: ${answers.map((r) => r.status).join(',')}`);
	assert.ok(
		checked.every((r) => r.body.ok === false),
		'all wrong'
	);
	assert.is(locked.length, 16 - PIN_THRESHOLD);
	assert.ok(
		locked.every((r) => r.body.code === 'pin_locked' && typeof r.body.message === 'string'),
		'a stable code and a sentence'
	);
	assert.is((await api(apps.kiosk, cookieA, '/api/staff/pin', { pin: '482913' })).status, 429, 'the right PIN is refused while locked');
	// Tenant B's kiosk, with the same PIN, is not locked by tenant A's guesses.
	assert.is((await api(apps.kiosk, cookieB, '/api/staff/pin', { pin: '482913' })).body.ok, true);

	const audit = await ownerDb()`select target_id from audit_log where tenant_id = ${a.id} and action = 'kiosk.staff_pin_locked'`;
	assert.equal(
		audit.map((r) => r.target_id),
		[kioskA.id],
		'the lock is audited once, in the tenant'
	);

	// Another instance of the kiosk app: the same lock.
	const second = await secondKiosk();
	try {
		const r = await api(second.origin, cookieA, '/api/staff/pin', { pin: '482913' });
		assert.is(r.status, 429, `second instance: ${r.status}`);
	} finally {
		second.stop();
	}
	// The app restarted: still locked.
	await stopApps();
	apps = await startApps();
	assert.is((await api(apps.kiosk, cookieA, '/api/staff/pin', { pin: '482913' })).status, 429, 'after a restart');
});

test.run();
