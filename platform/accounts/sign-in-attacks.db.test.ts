/**
 * Attacks on sign-in from the attacker's side (issue 8: items 2, 7, 9, 11, 12, 16):
 * concurrency against the lockout, locking someone else out, telling locks and
 * unknown IDs apart, the change-password oracle, audit flooding, and learning
 * another tenant's login IDs through account creation.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signIn, failureDelayMs } from './sign-in.ts';
import { changePassword, createAccount } from './accounts.ts';
import { readAuditLog } from '../audit/audit-log.ts';
import { createTenant } from '../tenants/tenants.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb, rawAppDb } from '../testing/db.ts';
import { withTenant } from '../db.server.ts';
import { refusal } from '../testing/assert.ts';
import type { DomainError } from '../errors.ts';

const test = suite('sign-in attacks');
const WRONG = 'Wrong-pass-1';

interface Row {
	action: string;
	count: number;
}
async function auditRows(accountId: string): Promise<Row[]> {
	return ownerDb()<Row[]>`select action, coalesce((detail->>'count')::int, 1) as count from audit_log where target_id = ${accountId} order by id`;
}
const total = (rows: Row[], action: string) => rows.filter((r) => r.action === action).reduce((n, r) => n + r.count, 0);

test('30 concurrent wrong passwords from one source: exactly 3 are checked, the rest refused unchecked; then the right one is refused', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	const meta = { ip: '198.51.100.30' };
	const results = await Promise.allSettled(Array.from({ length: 30 }, () => signIn('console', { loginId: c.loginId, password: WRONG }, meta)));
	const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as DomainError) : null));
	assert.ok(
		reasons.every((e) => e?.status === 401 && e.code === 'invalid_credentials'),
		'all 30 answer as a wrong password'
	);
	assert.is(new Set(reasons.map((e) => e!.message)).size, 1, 'one message for checked and unchecked refusals');
	const rows = await auditRows(c.id);
	assert.is(total(rows, 'signin.failed'), 3, 'passwords checked in the window');
	assert.is(total(rows, 'signin.refused_locked'), 27, 'refused without a check');
	assert.is(total(rows, 'account.locked'), 1);
	const late = await refusal(signIn('console', { loginId: c.loginId, password: c.password }, meta));
	assert.is(late.code, 'invalid_credentials', 'a correct password after the lock is refused');
	assert.is(total(await auditRows(c.id), 'signin.success'), 0);
});

test('29 wrong and 1 right at once: at most 3 passwords are checked, and the right one wins only if it came within them', async () => {
	for (let round = 0; round < 2; round++) {
		const t = await makeTenant();
		const c = await makeAccount(t);
		const meta = { ip: `198.51.100.${40 + round}` };
		const right = Math.floor(Math.random() * 30);
		const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => signIn('console', { loginId: c.loginId, password: i === right ? c.password : WRONG }, meta)));
		const rows = await auditRows(c.id);
		const won = results[right]!.status === 'fulfilled';
		assert.is(won, total(rows, 'signin.success') === 1);
		const checked = total(rows, 'signin.failed') + total(rows, 'signin.success');
		assert.is(checked + total(rows, 'signin.refused_locked'), 30, 'every attempt is accounted for');
		// The right one can win only within the first 3 reservations. A success ends the
		// window (the owner proved the password), so attempts reserved after it count anew.
		if (!won) assert.ok(checked <= 3, `checked ${checked} passwords`);
		else assert.ok(total(rows, 'signin.failed') <= 5, `checked ${checked} passwords`);
		assert.ok(results.every((r, i) => i === right || r.status === 'rejected'));
	}
});

test('no pooled connection is held while argon2 runs: 30 concurrent sign-ins leave no transaction open', async () => {
	const t = await makeTenant();
	const accounts = await Promise.all(Array.from({ length: 3 }, () => makeAccount(t)));
	let running = true;
	let maxOpen = 0;
	let samples = 0;
	const sampler = (async () => {
		while (running) {
			const [row] = await ownerDb()<{ n: number }[]>`
				select count(*)::int as n from pg_stat_activity
				where datname = current_database() and usename = 'concierge_app' and state like 'idle in transaction%'`;
			maxOpen = Math.max(maxOpen, row!.n);
			samples++;
		}
	})();
	// Wrong passwords from 10 sources per account: every one is checked by argon2.
	await Promise.allSettled(Array.from({ length: 30 }, (_, i) => signIn('console', { loginId: accounts[i % 3]!.loginId, password: WRONG }, { ip: `198.18.${i % 3}.${i}` })));
	running = false;
	await sampler;
	assert.ok(samples > 5, `${samples} samples`);
	assert.is(maxOpen, 0, 'no app connection sat in an open transaction while passwords were checked');
});

test('an attacker locks only his own address: the owner signs in from another one at once', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	for (let i = 0; i < 10; i++) await refusal(signIn('console', { loginId: admin.loginId, password: WRONG }, { ip: '203.0.113.66' }));
	assert.is((await signIn('console', { loginId: admin.loginId, password: admin.password }, { ip: '192.0.2.10' })).role, 'admin');
	assert.is((await refusal(signIn('console', { loginId: admin.loginId, password: admin.password }, { ip: '203.0.113.66' }))).code, 'invalid_credentials');
	// The IPv4-mapped form of the attacker's address is the same source.
	assert.is((await refusal(signIn('console', { loginId: admin.loginId, password: admin.password }, { ip: '::ffff:203.0.113.66' }))).code, 'invalid_credentials');
});

test('IPv6: every address of one /64 is one source; the next /64 is another', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	for (let i = 1; i <= 3; i++) await refusal(signIn('console', { loginId: c.loginId, password: WRONG }, { ip: `2001:db8:aa:1::${i}` }));
	assert.is(
		(await refusal(signIn('console', { loginId: c.loginId, password: c.password }, { ip: '2001:db8:aa:1:ffff::9' }))).code,
		'invalid_credentials',
		'rotating within the /64 does not help'
	);
	assert.is((await signIn('console', { loginId: c.loginId, password: c.password }, { ip: '2001:db8:aa:2::1' })).role, 'concierge');
});

test('a second lock of the same source lasts twice as long (escalation)', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	const meta = { ip: '198.51.100.77' };
	for (let i = 0; i < 3; i++) await refusal(signIn('console', { loginId: c.loginId, password: WRONG }, meta));
	await ownerDb()`update signin_throttle set locked_until = now() - interval '1 second' where login_id = ${c.loginId}`;
	for (let i = 0; i < 3; i++) await refusal(signIn('console', { loginId: c.loginId, password: WRONG }, meta));
	const [row] = await ownerDb()<
		{ m: number; locks: number }[]
	>`select round(extract(epoch from locked_until - now()) / 60)::int as m, locks from signin_throttle where login_id = ${c.loginId}`;
	assert.is(row!.locks, 2);
	assert.is(row!.m, 30);
});

test('failures are answered after an escalating delay; a first mistake is not slowed', async () => {
	assert.is(failureDelayMs(0), 0);
	assert.is(failureDelayMs(1), 0);
	assert.is(failureDelayMs(2), 250);
	assert.is(failureDelayMs(3), 500);
	assert.is(failureDelayMs(5), 2000);
	assert.is(failureDelayMs(50), 3000);
	const t = await makeTenant();
	const c = await makeAccount(t);
	// Failures from 4 sources: the next failure, from a fifth, waits at least 2 s.
	for (let i = 1; i <= 4; i++) await refusal(signIn('console', { loginId: c.loginId, password: WRONG }, { ip: `192.0.2.${100 + i}` }));
	const t0 = Date.now();
	await refusal(signIn('console', { loginId: c.loginId, password: WRONG }, { ip: '192.0.2.105' }));
	assert.ok(Date.now() - t0 >= 2000, `answered after ${Date.now() - t0} ms`);
	// The owner with the right password is not delayed.
	const t1 = Date.now();
	await signIn('console', { loginId: c.loginId, password: c.password }, { ip: '192.0.2.200' });
	assert.ok(Date.now() - t1 < 1500, `success took ${Date.now() - t1} ms`);
});

test('failures from many addresses raise one account.lock_alert that the tenant admin reads', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const victim = await makeAccount(t);
	await Promise.all(Array.from({ length: 8 }, (_, i) => refusal(signIn('console', { loginId: victim.loginId, password: WRONG }, { ip: `198.18.0.${i + 1}` }))));
	const log = await readAuditLog(admin.actor, 100);
	const alerts = log.filter((r) => r.action === 'account.lock_alert');
	assert.is(alerts.length, 1, 'one alert, not one per source');
	assert.is(alerts[0]!.targetId, victim.id);
	assert.ok(Number(alerts[0]!.detail.sources) >= 5);
	// Another tenant's admin does not see it.
	const other = await makeTenant();
	const otherAdmin = await makeAccount(other, { role: 'admin' });
	assert.not.ok((await readAuditLog(otherAdmin.actor, 100)).some((r) => r.action === 'account.lock_alert'));
});

test('audit flooding: 60 refused sign-ins in a burst write a handful of rows with counts, not 60', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	await Promise.all(Array.from({ length: 60 }, (_, i) => refusal(signIn('console', { loginId: c.loginId, password: WRONG }, { ip: `198.19.${i % 2}.1` }))));
	const rows = await auditRows(c.id);
	assert.ok(rows.length <= 8, `${rows.length} rows`);
	assert.is(total(rows, 'signin.failed') + total(rows, 'signin.refused_locked'), 60, 'every refusal is counted');
	assert.is(total(rows, 'signin.failed'), 6, '3 checked per source');
	const [detail] = await ownerDb()<{ ips: string[] }[]>`select detail->'ips' as ips from audit_log where target_id = ${c.id} and action = 'signin.refused_locked' limit 1`;
	assert.ok(detail!.ips.length >= 1, 'the sources are kept in the row');
});

test('enumeration: an unknown ID and an existing one answer the same, also once locked, in comparable time', async () => {
	const t = await makeTenant();
	const accounts = await Promise.all(Array.from({ length: 30 }, () => makeAccount(t)));
	const time = async (loginId: string, ip: string) => {
		const t0 = performance.now();
		const e = await refusal(signIn('console', { loginId, password: WRONG }, { ip }));
		return { ms: performance.now() - t0, e };
	};
	// Timing on a shared machine is noisy: compare the lower quartiles of interleaved
	// runs, and allow up to three rounds. A systematic gap (an unknown ID skipping the
	// database or argon2) fails all three.
	const quartile = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 4)]!;
	let verdict = '';
	for (let round = 0; round < 3; round++) {
		const known: number[] = [];
		const unknown: number[] = [];
		for (let i = 0; i < 10; i++) {
			const a = await time(accounts[round * 10 + i]!.loginId, '192.0.2.50');
			const b = await time(`nobody-${crypto.randomUUID().slice(0, 8)}`, '192.0.2.50');
			assert.equal([a.e.status, a.e.code, a.e.message], [b.e.status, b.e.code, b.e.message]);
			known.push(a.ms);
			unknown.push(b.ms);
		}
		const [k, u] = [quartile(known), quartile(unknown)];
		verdict = `known ${k.toFixed(1)} ms vs unknown ${u.toFixed(1)} ms`;
		if (Math.abs(k - u) < Math.max(10, 0.3 * Math.max(k, u))) break;
		verdict += ' (too far apart)';
	}
	assert.not.match(verdict, /too far apart/, verdict);
	// Locked: 4 tries on an unknown ID and on an existing one answer alike.
	const ghost = 'ghost-' + crypto.randomUUID().slice(0, 8);
	const real = accounts[0]!.loginId;
	for (let i = 0; i < 4; i++) {
		const a = await refusal(signIn('console', { loginId: real, password: WRONG }, { ip: '192.0.2.51' }));
		const b = await refusal(signIn('console', { loginId: ghost, password: WRONG }, { ip: '192.0.2.51' }));
		assert.equal([a.status, a.code, a.message], [b.status, b.code, b.message], `try ${i + 1}`);
	}
	const [g] = await ownerDb()<{ locked: boolean }[]>`select locked_until > now() as locked from signin_throttle where login_id = ${ghost}`;
	assert.ok(g!.locked, 'unknown IDs are counted and locked the same way');
});

test('change password: wrong "current" answers count toward the same lockout and then stop being checked', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	const actor = { ...c.actor, ip: '198.51.100.120' };
	for (let i = 0; i < 2; i++) assert.is((await refusal(changePassword(actor, { current: WRONG, next: 'New-pass-12345' }))).code, 'wrong_password');
	// The signed-in owner may be told about the lock: the third wrong answer says so.
	assert.is((await refusal(changePassword(actor, { current: WRONG, next: 'New-pass-12345' }))).code, 'too_many_attempts');
	const limited = await refusal(changePassword(actor, { current: c.password, next: 'New-pass-12345' }));
	assert.is(limited.status, 429, 'the right current password is no longer checked from this source');
	// The same lock holds for sign-in from that address.
	assert.is((await refusal(signIn('console', { loginId: c.loginId, password: c.password }, { ip: '198.51.100.120' }))).code, 'invalid_credentials');
	const rows = await auditRows(c.id);
	assert.is(total(rows, 'signin.failed'), 3);
	assert.ok(total(rows, 'account.locked') === 1);
	// From another address the owner can still change it.
	await changePassword({ ...c.actor, ip: '198.51.100.121' }, { current: c.password, next: 'New-pass-12345' });
	assert.is((await signIn('console', { loginId: c.loginId, password: 'New-pass-12345' }, { ip: '198.51.100.121' })).role, 'concierge');
});

test('change password: 10 concurrent guesses of "current" check at most 3', async () => {
	const t = await makeTenant();
	const c = await makeAccount(t);
	const actor = { ...c.actor, ip: '198.51.100.130' };
	const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => changePassword(actor, { current: `Guess-${i}-abcdef`, next: 'New-pass-12345' })));
	assert.ok(results.every((r) => r.status === 'rejected'));
	assert.is(total(await auditRows(c.id), 'signin.failed'), 3);
});

test("a tenant admin cannot learn another tenant's login IDs by creating accounts", async () => {
	const ginza = await createTenant(ownerDb(), { slug: `ginza-${crypto.randomUUID().slice(0, 6)}`, name: 'Ginza', loginPrefix: `gz${crypto.randomUUID().slice(0, 6)}` });
	const osaka = await makeTenant();
	const ginzaAdmin = await makeAccount(ginza, { role: 'admin', loginId: `${ginza.loginPrefix}-admin` });
	const osakaAdmin = await makeAccount(osaka, { role: 'admin', loginId: `${osaka.loginPrefix}-admin` });
	const input = (loginId: string) => ({ loginId, displayName: 'X', role: 'admin', password: 'Strong-pass-123' });
	for (const taken of [ginzaAdmin.loginId, ginzaAdmin.loginId.toUpperCase(), ` ${ginzaAdmin.loginId} `]) {
		const e = await refusal(createAccount(osakaAdmin.actor, input(taken)));
		assert.is(e.status, 400, taken);
		assert.is(e.code, 'bad_login_id_prefix');
		assert.not.match(e.message, /in use/);
	}
	// An ID that does not exist anywhere answers the same.
	assert.is((await refusal(createAccount(osakaAdmin.actor, input(`${ginza.loginPrefix}-nobody`)))).code, 'bad_login_id_prefix');
	// The admin's own prefix works; a duplicate in its own tenant is "in use".
	const made = await createAccount(osakaAdmin.actor, input(`${osaka.loginPrefix}-kiosk-9`));
	assert.is(made.loginId, `${osaka.loginPrefix}-kiosk-9`);
	assert.is((await refusal(createAccount(osakaAdmin.actor, input(`${osaka.loginPrefix}-kiosk-9`)))).code, 'login_id_taken');
	assert.is((await refusal(createAccount(osakaAdmin.actor, input(`${osaka.loginPrefix}-`)))).status, 400);
});

test('tenant prefixes can never overlap, so cross-tenant collisions are impossible', async () => {
	const base = `p${crypto.randomUUID().slice(0, 6)}`;
	await createTenant(ownerDb(), { slug: `${base}-one`, name: 'One', loginPrefix: base });
	for (const prefix of [base, `${base}-x`]) {
		let failed = false;
		await createTenant(ownerDb(), { slug: `s${crypto.randomUUID().slice(0, 6)}`, name: 'Two', loginPrefix: prefix }).catch(() => (failed = true));
		assert.ok(failed, `prefix ${prefix} refused`);
	}
	// A longer prefix that is not a dash-extension is fine.
	await createTenant(ownerDb(), { slug: `s${crypto.randomUUID().slice(0, 6)}`, name: 'Three', loginPrefix: `${base}x` });
});

test('the app cannot touch the lock table or rewrite audit rows except through the sign-in functions', async () => {
	const t = await makeTenant();
	const other = await makeTenant();
	const c = await makeAccount(t);
	const o = await makeAccount(other);
	await refusal(signIn('console', { loginId: c.loginId, password: WRONG }, { ip: '192.0.2.77' }));
	await refusal(signIn('console', { loginId: o.loginId, password: WRONG }, { ip: '192.0.2.77' }));
	const raw = rawAppDb();
	try {
		assert.is((await raw`select count(*)::int as n from signin_throttle`)[0]!.n, 0, 'unscoped: nothing visible');
		for (const attempt of [
			raw`insert into signin_throttle (login_id, source) values ('x-y', 'z')`,
			raw`update signin_throttle set locked_until = null`,
			raw`delete from signin_throttle`,
			raw`select audit_signin_event(${t.id}::uuid, ${c.id}::uuid, 'x', 'signin.failed', null, '{}'::jsonb)`,
			raw`update audit_log set detail = '{}'`
		]) {
			let refused = false;
			await attempt.catch(() => (refused = true));
			assert.ok(refused);
		}
	} finally {
		await raw.end({ timeout: 2 });
	}
	const seen = await withTenant(t.id, (tx) => tx<{ loginId: string }[]>`select login_id as "loginId" from signin_throttle`);
	assert.equal(
		seen.map((r) => r.loginId),
		[c.loginId],
		"a tenant sees only its own accounts' rows"
	);
});

test.run();
