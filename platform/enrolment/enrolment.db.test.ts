/**
 * Enrolment codes from the attacker's side (issue 11, item 3): guessing, racing the
 * five-check limit, replay, another tenant's admin, wrong roles, bad input, the
 * per-source limit and the tenant-wide alert.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALERT_FAILURES, SOURCE_LIMIT, enrolKiosk, issueEnrolmentCode, revokeEnrolmentCode } from './enrolment.ts';
import { disableAccount } from '../accounts/disable.ts';
import { validateSessionToken } from '../sessions/sessions.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { refusal } from '../testing/assert.ts';
import type { SignInResult } from '../accounts/sign-in.ts';

const test = suite('enrolment codes');

const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
let ipN = 0;
const freshIp = () => `198.18.${10 + Math.floor(ipN / 250)}.${(ipN++ % 250) + 1}`;

async function setup() {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const kiosk = await makeAccount(t, { role: 'kiosk' });
	return { t, admin, kiosk };
}
const codeRows = (accountId: string) =>
	ownerDb()<{ codeHash: string; attempts: number; failures: number; usedAt: Date | null; voidedAt: Date | null; voidReason: string | null }[]>`
		select code_hash as "codeHash", attempts, failures, used_at as "usedAt", voided_at as "voidedAt", void_reason as "voidReason"
		from enrolment_codes where account_id = ${accountId} order by created_at`;
const auditActions = async (tenantId: string) =>
	(await ownerDb()<{ action: string }[]>`select action from audit_log where tenant_id = ${tenantId} order by id`).map((r) => r.action);

test('an issued code signs the kiosk in once, gives a kiosk session, and is stored only as a hash', async () => {
	const { t, admin, kiosk } = await setup();
	const issued = await issueEnrolmentCode(admin.actor, kiosk.id);
	assert.match(issued.code, /^\d{6}$/);
	assert.ok(issued.expiresAt.getTime() - Date.now() > 9.9 * 60_000 && issued.expiresAt.getTime() - Date.now() <= 10 * 60_000);
	const [row] = await codeRows(kiosk.id);
	assert.match(row!.codeHash, /^[0-9a-f]{64}$/);
	const dump = JSON.stringify(await ownerDb()`select * from enrolment_codes where account_id = ${kiosk.id}`);
	assert.not.ok(dump.includes(issued.code), 'the plain code is nowhere in the table');
	const ip = freshIp();
	const res = await enrolKiosk({ loginId: kiosk.loginId, code: issued.code.slice(0, 3) + ' ' + issued.code.slice(3) }, { ip });
	const ctx = await validateSessionToken(res.token, 'kiosk');
	assert.is(ctx?.actor.accountId, kiosk.id);
	assert.is(await validateSessionToken(res.token, 'console'), null, 'a kiosk session, not a console one');
	const replay = await refusal(enrolKiosk({ loginId: kiosk.loginId, code: issued.code }, { ip }));
	assert.is(replay.code, 'invalid_code', 'single use');
	assert.ok((await auditActions(t.id)).includes('enrolment.redeemed'));
	assert.ok((await auditActions(t.id)).includes('enrolment.code_issued'));
});

test('five wrong tries void the code: the right one is refused after them', async () => {
	const { t, admin, kiosk } = await setup();
	const { code } = await issueEnrolmentCode(admin.actor, kiosk.id);
	for (let i = 0; i < 5; i++) {
		const e = await refusal(enrolKiosk({ loginId: kiosk.loginId, code: other(code) }, { ip: freshIp() }));
		assert.is(e.code, 'invalid_code');
	}
	const [row] = await codeRows(kiosk.id);
	assert.is(row!.voidReason, 'too_many_failures');
	assert.is((await refusal(enrolKiosk({ loginId: kiosk.loginId, code }, { ip: freshIp() }))).code, 'invalid_code');
	assert.ok((await auditActions(t.id)).includes('enrolment.code_voided'));
});

test('40 concurrent guesses from 40 addresses: at most five are checked, the right one wins only within them', async () => {
	const { admin, kiosk } = await setup();
	const { code } = await issueEnrolmentCode(admin.actor, kiosk.id);
	const right = 20;
	const results = await Promise.allSettled(
		Array.from({ length: 40 }, (_, i) => enrolKiosk({ loginId: kiosk.loginId, code: i === right ? code : String(100000 + i) }, { ip: freshIp() }))
	);
	const [row] = await codeRows(kiosk.id);
	assert.is(row!.attempts, 5, 'exactly five checks reserved');
	const won = results.filter((r): r is PromiseFulfilledResult<SignInResult> => r.status === 'fulfilled');
	assert.ok(won.length <= 1);
	assert.is(won.length === 1, row!.usedAt !== null);
	assert.ok(row!.failures + (row!.usedAt ? 1 : 0) === 5);
});

test('two concurrent right codes: exactly one session', async () => {
	const { admin, kiosk } = await setup();
	const { code } = await issueEnrolmentCode(admin.actor, kiosk.id);
	const results = await Promise.allSettled([1, 2, 3].map(() => enrolKiosk({ loginId: kiosk.loginId, code }, { ip: freshIp() })));
	assert.is(results.filter((r) => r.status === 'fulfilled').length, 1);
	const sessions = await ownerDb()`select id from sessions where account_id = ${kiosk.id}`;
	assert.is(sessions.length, 1);
});

test('expired, replaced, revoked codes and codes of a disabled kiosk are refused alike', async () => {
	const { admin, kiosk } = await setup();
	const first = await issueEnrolmentCode(admin.actor, kiosk.id);
	const second = await issueEnrolmentCode(admin.actor, kiosk.id);
	if (first.code !== second.code) assert.is((await refusal(enrolKiosk({ loginId: kiosk.loginId, code: first.code }, { ip: freshIp() }))).code, 'invalid_code', 'replaced');
	await ownerDb()`update enrolment_codes set expires_at = now() - interval '1 second' where account_id = ${kiosk.id} and voided_at is null`;
	assert.is((await refusal(enrolKiosk({ loginId: kiosk.loginId, code: second.code }, { ip: freshIp() }))).code, 'invalid_code', 'expired');
	const third = await issueEnrolmentCode(admin.actor, kiosk.id);
	assert.ok(await revokeEnrolmentCode(admin.actor, kiosk.id));
	assert.is((await refusal(enrolKiosk({ loginId: kiosk.loginId, code: third.code }, { ip: freshIp() }))).code, 'invalid_code', 'revoked');
	const fourth = await issueEnrolmentCode(admin.actor, kiosk.id);
	await disableAccount(admin.actor, kiosk.loginId);
	assert.is((await refusal(enrolKiosk({ loginId: kiosk.loginId, code: fourth.code }, { ip: freshIp() }))).code, 'invalid_code', 'disabled voids the code');
	assert.is((await refusal(issueEnrolmentCode(admin.actor, kiosk.id))).code, 'account_disabled');
});

test('an unknown login ID, a non-kiosk account and another kiosk of the tenant cannot use the code', async () => {
	const { t, admin, kiosk } = await setup();
	const kiosk2 = await makeAccount(t, { role: 'kiosk' });
	const { code } = await issueEnrolmentCode(admin.actor, kiosk.id);
	for (const loginId of ['nobody-here', admin.loginId, kiosk2.loginId, 'BAD ID!'])
		assert.is((await refusal(enrolKiosk({ loginId, code }, { ip: freshIp() }))).code, 'invalid_code', loginId);
	await enrolKiosk({ loginId: kiosk.loginId, code }, { ip: freshIp() });
});

test('another tenant, wrong roles and bad input cannot issue or revoke codes; nothing is written', async () => {
	const { admin, kiosk, t } = await setup();
	const other = await setup();
	const concierge = await makeAccount(t, { role: 'concierge' });
	assert.is((await refusal(issueEnrolmentCode(other.admin.actor, kiosk.id))).code, 'account_not_found', 'other tenant');
	assert.is((await refusal(revokeEnrolmentCode(other.admin.actor, kiosk.id))).code, 'account_not_found');
	assert.is((await refusal(issueEnrolmentCode(concierge.actor, kiosk.id))).code, 'admin_only');
	assert.is((await refusal(issueEnrolmentCode(kiosk.actor, kiosk.id))).code, 'admin_only');
	assert.is((await refusal(issueEnrolmentCode({ ...admin.actor, role: 'operator' }, kiosk.id))).code, 'admin_only');
	assert.is((await refusal(issueEnrolmentCode(admin.actor, concierge.id))).code, 'not_a_kiosk');
	for (const bad of ['', 'x', null, 5, {}, kiosk.id + "'"]) assert.is((await refusal(issueEnrolmentCode(admin.actor, bad))).status, 400);
	assert.is((await codeRows(kiosk.id)).length, 0);
	for (const [loginId, code, want] of [
		['', '123456', 'login_id_required'],
		[kiosk.loginId, '', 'code_required'],
		[kiosk.loginId, '12345', 'bad_code'],
		[kiosk.loginId, 'abcdef', 'bad_code'],
		[null, null, 'login_id_required'],
		[kiosk.loginId, 123456, 'code_required']
	] as const) {
		const e = await refusal(enrolKiosk({ loginId, code }, { ip: freshIp() }));
		assert.is(e.code, want);
		assert.is(e.status, 400);
	}
});

test(`one source is refused unchecked after ${SOURCE_LIMIT} wrong codes, even with the right code for a fresh kiosk`, async () => {
	const { t, admin } = await setup();
	const ip = freshIp();
	const kiosks = await Promise.all(Array.from({ length: 3 }, () => makeAccount(t, { role: 'kiosk' })));
	const codes = await Promise.all(kiosks.map((k) => issueEnrolmentCode(admin.actor, k.id)));
	for (let i = 0; i < SOURCE_LIMIT; i++) {
		const k = kiosks[i % 2]!;
		await refusal(enrolKiosk({ loginId: k.loginId, code: other(codes[i % 2]!.code) }, { ip }));
	}
	assert.is((await refusal(enrolKiosk({ loginId: kiosks[2]!.loginId, code: codes[2]!.code }, { ip }))).code, 'invalid_code');
	const [row] = await codeRows(kiosks[2]!.id);
	assert.is(row!.attempts, 0, 'the fresh kiosk code was not checked');
	await enrolKiosk({ loginId: kiosks[2]!.loginId, code: codes[2]!.code }, { ip: freshIp() });
});

test(`${ALERT_FAILURES} wrong codes across a tenant write one enrolment.alert and slow further answers`, async () => {
	const { t, admin } = await setup();
	const kiosks = await Promise.all(Array.from({ length: 5 }, () => makeAccount(t, { role: 'kiosk' })));
	const codes = await Promise.all(kiosks.map((k) => issueEnrolmentCode(admin.actor, k.id)));
	await Promise.allSettled(
		Array.from({ length: ALERT_FAILURES + 2 }, (_, i) => enrolKiosk({ loginId: kiosks[i % 5]!.loginId, code: other(codes[i % 5]!.code) }, { ip: freshIp() }))
	);
	const alerts = (await auditActions(t.id)).filter((a) => a === 'enrolment.alert');
	assert.is(alerts.length, 1);
	const started = Date.now();
	await refusal(enrolKiosk({ loginId: kiosks[0]!.loginId, code: '000000' }, { ip: freshIp() }));
	assert.ok(Date.now() - started >= 2500, `a wrong code waits (${Date.now() - started} ms)`);
	const quiet = await setup();
	const q = await issueEnrolmentCode(quiet.admin.actor, quiet.kiosk.id);
	const s2 = Date.now();
	await refusal(enrolKiosk({ loginId: quiet.kiosk.loginId, code: other(q.code) }, { ip: freshIp() }));
	assert.ok(Date.now() - s2 < 1000, 'another tenant is not slowed');
});

test.run();
