/**
 * Tenant isolation in the database itself, from the attacker's side: code running
 * as the app role with tenant A set tries to read and change tenant B's rows by
 * raw SQL. Row-level security must stop every attempt.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { withTenant, db } from './db.server.ts';
import { makeAccount, makeTenant } from './testing/factories.ts';
import { ownerDb, rawAppDb } from './testing/db.ts';
import { signIn } from './accounts/sign-in.ts';
import { writeAudit } from './audit/audit.ts';

const test = suite('row-level security');

async function twoTenants() {
	const a = await makeTenant();
	const b = await makeTenant();
	const adminA = await makeAccount(a, { role: 'admin' });
	const kioskB = await makeAccount(b, { role: 'kiosk' });
	await signIn('kiosk', { loginId: kioskB.loginId, password: kioskB.password });
	await withTenant(b.id, (tx) => writeAudit(tx, null, { tenantId: b.id, action: 'account.created', targetId: kioskB.id }));
	return { a, b, adminA, kioskB };
}

test('with tenant A set, raw queries see none of tenant B', async () => {
	const { a, b, kioskB } = await twoTenants();
	await withTenant(a.id, async (tx) => {
		for (const table of ['tenants', 'accounts', 'sessions', 'audit_log']) {
			const col = table === 'tenants' ? 'id' : 'tenant_id';
			const [r] = await tx.unsafe(`select count(*)::int as n from ${table} where ${col} = $1`, [b.id]);
			assert.is(r!.n, 0, `${table} leaks tenant B`);
		}
		const [k] = await tx`select count(*)::int as n from accounts where id = ${kioskB.id} or login_id = ${kioskB.loginId}`;
		assert.is(k!.n, 0);
		const [all] = await tx`select count(*)::int as n from accounts where tenant_id <> ${a.id}`;
		assert.is(all!.n, 0, 'no other tenant at all');
	});
});

test('with tenant A set, writes to tenant B change nothing or are refused', async () => {
	const { a, b, kioskB } = await twoTenants();
	await withTenant(a.id, async (tx) => {
		const upd = await tx`update accounts set display_name = 'pwned', disabled_at = now() where id = ${kioskB.id} returning id`;
		assert.is(upd.length, 0);
		const del = await tx`delete from sessions where tenant_id = ${b.id} returning id`;
		assert.is(del.length, 0);
		const tup = await tx`update tenants set lockout_threshold = 100 where id = ${b.id} returning id`;
		assert.is(tup.length, 0);
	});
	// Inserting a row into tenant B while scoped to A violates the policy's WITH CHECK.
	let refused = false;
	try {
		await withTenant(
			a.id,
			(tx) => tx`insert into accounts (tenant_id, login_id, display_name, role, password_hash) values (${b.id}, ${'intruder-' + Date.now()}, 'x', 'admin', 'x')`
		);
	} catch (e) {
		refused = /row-level security/.test((e as Error).message);
	}
	assert.ok(refused, 'insert into another tenant refused by RLS');
	const [after] = await ownerDb()<
		{ displayName: string; disabledAt: Date | null }[]
	>`select display_name as "displayName", disabled_at as "disabledAt" from accounts where id = ${kioskB.id}`;
	assert.is(after!.displayName, kioskB.displayName);
	assert.is(after!.disabledAt, null);
});

test('a query that forgets to scope sees nothing at all', async () => {
	await twoTenants();
	const raw = rawAppDb();
	try {
		for (const table of ['tenants', 'accounts', 'sessions', 'audit_log']) {
			const [r] = await raw.unsafe(`select count(*)::int as n from ${table}`);
			assert.is(r!.n, 0, table);
		}
		// A setting left over from an earlier transaction on the same connection does not linger.
		const t = await makeTenant();
		await raw.begin((tx) => tx`select set_config('app.tenant_id', ${t.id}, true)`);
		const [r] = await raw`select count(*)::int as n from tenants`;
		assert.is(r!.n, 0);
	} finally {
		await raw.end();
	}
});

test('the app role cannot escape: no bypass, no owner, no role switch, append-only audit', async () => {
	const { a } = await twoTenants();
	const [me] = await db()<{ bypass: boolean; superuser: boolean }[]>`select rolbypassrls as bypass, rolsuper as superuser from pg_roles where rolname = current_user`;
	assert.is(me!.bypass, false);
	assert.is(me!.superuser, false);
	const [owned] = await db()`select count(*)::int as n from pg_tables where schemaname = 'public' and tableowner = current_user`;
	assert.is(owned!.n, 0, 'the app role owns no table');
	const attempts: [string, () => Promise<unknown>][] = [
		['set role owner', () => db()`set role concierge_owner`],
		['disable rls', () => db()`alter table accounts disable row level security`],
		['insert tenant', () => db()`insert into tenants (slug, name) values ('evil-tenant', 'Evil')`],
		['rewrite audit', () => withTenant(a.id, (tx) => tx`update audit_log set action = 'signin.success'`)],
		['erase audit', () => withTenant(a.id, (tx) => tx`delete from audit_log`)]
	];
	for (const [name, run] of attempts) {
		let denied = false;
		try {
			await run();
		} catch (e) {
			denied = /permission denied|must be owner|must be member/.test((e as Error).message);
		}
		assert.ok(denied, `${name} must be refused`);
	}
});

test('cross-tenant entry points: search_path pinned, not executable by PUBLIC, the per-request lookups in PL/pgSQL', async () => {
	// SECURITY DEFINER functions are the only way the app role reaches across tenants.
	const fns = await ownerDb()<{ name: string; lang: string; config: string[] | null; publicExec: boolean; appExec: boolean }[]>`
		select p.proname as name, l.lanname as lang, p.proconfig as config,
		       exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x where x.grantee = 0 and x.privilege_type = 'EXECUTE') as "publicExec",
		       has_function_privilege('concierge_app', p.oid, 'execute') as "appExec"
		from pg_proc p join pg_language l on l.oid = p.prolang join pg_namespace n on n.oid = p.pronamespace
		where n.nspname = 'public' and p.prosecdef`;
	assert.ok(fns.length >= 10, `found ${fns.length}`);
	for (const f of fns) {
		assert.ok(
			f.config?.some((c) => c.startsWith('search_path=')),
			`${f.name}: search_path pinned`
		);
		assert.not.ok(f.publicExec, `${f.name}: not executable by PUBLIC`);
	}
	// Run on every request or heartbeat: PL/pgSQL keeps their plans (a SQL-language SECURITY
	// DEFINER function is planned again on every call; migration 015), and the app may call them.
	for (const name of ['auth_find_session', 'auth_live_sessions', 'synthetic_tenant_ids', 'calls_find_by_room', 'calls_sweep_tenants']) {
		const f = fns.find((x) => x.name === name);
		assert.is(f?.lang, 'plpgsql', `${name} in PL/pgSQL`);
		assert.ok(f?.appExec, `${name}: executable by the app role`);
	}
});

test.run();
