/**
 * The audit log page's data (issue 11, item 5): filters, keyset paging, the
 * human-readable view, the streamed CSV of the filtered set (formula-safe), and
 * refusals for wrong roles and bad filters; another tenant's entries never appear.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_PAGE, auditCsv, auditPage, parseAuditFilter } from './audit-log.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { refusal } from '../testing/assert.ts';

const test = suite('audit log page');
const none = { kind: null, loginId: null, from: null, to: null };

async function seeded() {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk', loginId: `kiosk-audit-${Date.now().toString(36)}` });
	const o = await makeTenant();
	// 120 sign-ins by the kiosk on 2026-03-01, 5 disables by the admin on 2026-03-05, one entry with a formula in it.
	await ownerDb()`
		insert into audit_log (tenant_id, actor_account_id, actor_login_id, action, target_type, target_id, ip, at)
		select ${t.id}, ${k.id}, ${k.loginId}, 'signin.success', 'account', ${k.id}, '198.18.0.9', '2026-03-01T10:00:00Z'::timestamptz + make_interval(secs => g)
		from generate_series(1, 120) g`;
	await ownerDb()`
		insert into audit_log (tenant_id, actor_account_id, actor_login_id, action, target_type, target_id, at, detail)
		select ${t.id}, ${admin.id}, ${admin.loginId}, 'account.disabled', 'account', ${k.id}, '2026-03-05T10:00:00Z'::timestamptz + make_interval(secs => g), '{"reason":"lost"}'
		from generate_series(1, 5) g`;
	await ownerDb()`
		insert into audit_log (tenant_id, actor_login_id, action, at, detail)
		values (${t.id}, '=HYPERLINK("http://evil.example","x")', 'operator.read', '2026-03-06T00:00:00Z', '{}')`;
	await ownerDb()`insert into audit_log (tenant_id, actor_login_id, action, at) values (${o.id}, 'other-tenant', 'signin.success', '2026-03-01T11:00:00Z')`;
	return { t, admin, k };
}

test('filters by kind, account and dates; pages by keyset without overlap; reads as sentences', async () => {
	const { admin, k } = await seeded();
	const all: number[] = [];
	let before: number | null = null;
	const f = { ...none, kind: 'signin', from: '2026-03-01', to: '2026-03-01' };
	do {
		const p = await auditPage(admin.actor, f, before);
		assert.ok(p.entries.length <= AUDIT_PAGE);
		all.push(...p.entries.map((e) => e.id));
		before = p.nextBefore;
	} while (before !== null);
	assert.is(all.length, 120);
	assert.is(new Set(all).size, 120, 'no entry twice');
	assert.equal(
		all,
		[...all].sort((a, b) => b - a),
		'newest first'
	);
	const disables = await auditPage(admin.actor, { ...none, loginId: admin.loginId }, null);
	assert.is(disables.entries.filter((e) => e.action === 'account.disabled').length, 5);
	const d = disables.entries.find((e) => e.action === 'account.disabled')!;
	assert.equal({ who: d.who, what: d.what, whom: d.whom }, { who: admin.loginId, what: 'disabled an account', whom: k.loginId });
	const s = (await auditPage(admin.actor, { ...none, kind: 'signin' }, null)).entries[0]!;
	assert.equal({ who: s.who, what: s.what, whom: s.whom, from: s.from }, { who: k.loginId, what: 'signed in', whom: '', from: '198.18.0.9' });
	assert.is((await auditPage(admin.actor, { ...none, to: '2026-02-28' }, null)).entries.length, 0);
	assert.ok((await auditPage(admin.actor, { ...none, loginId: k.loginId }, null)).entries.length >= 50, 'entries done to the kiosk count for it');
	assert.not.ok((await auditPage(admin.actor, none, null)).entries.some((e) => e.who === 'other-tenant'));
});

test('the CSV export holds exactly the filtered set, formula cells neutralised', async () => {
	const { admin } = await seeded();
	const text = await new Response(auditCsv(admin.actor, { ...none, from: '2026-03-01', to: '2026-03-06' })).text();
	const lines = text.trim().split('\r\n');
	assert.is(lines[0], '"time (UTC)","who","what","whom","from (IP)","action","id"');
	assert.is(lines.length, 1 + 126);
	assert.ok(
		lines.some((l) => l.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`)),
		'the formula is prefixed with a quote'
	);
	assert.not.ok(
		lines.some((l) => /(^|,)"[=+\-@]/.test(l)),
		'no cell starts with a formula character'
	);
	assert.not.ok(text.includes('other-tenant'));
	const signins = await new Response(auditCsv(admin.actor, { ...none, kind: 'signin', from: '2026-03-01', to: '2026-03-01' })).text();
	assert.is(signins.trim().split('\r\n').length, 121);
});

test('wrong roles and bad filters are refused', async () => {
	const t = await makeTenant();
	for (const role of ['concierge', 'kiosk'] as const) {
		const a = await makeAccount(t, { role });
		assert.is((await refusal(auditPage(a.actor, none, null))).code, 'admin_only');
		assert.throws(() => auditCsv(a.actor, none));
	}
	for (const q of ['kind=nope', 'account=%27%3B--', 'from=2026-13-01', 'to=yesterday', 'from=2026-03-05&to=2026-03-01', 'before=-1', 'before=1e9'])
		assert.throws(
			() => parseAuditFilter(new URLSearchParams(q)),
			(e: unknown) => (e as { status?: number }).status === 400,
			q
		);
	assert.equal(parseAuditFilter(new URLSearchParams('kind=call&account=Ginza-Kiosk-1&from=2026-03-01&before=77')), {
		kind: 'call',
		loginId: 'ginza-kiosk-1',
		from: '2026-03-01',
		to: null,
		before: 77
	});
});

test.run();
