/**
 * withTenantInTwoWrites (platform/db.server.ts): a tenant transaction in two round trips,
 * the second one's statements sent with COMMIT right behind them. What must hold: every
 * statement of both steps runs inside the one transaction with the tenant in scope; a
 * statement that fails, even one whose error the caller swallowed, leaves nothing
 * behind; the connection goes back to the pool whatever happened. And the call it places
 * (createCall) rings with what the row holds.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { withTenant, withTenantInTwoWrites, type Sql } from './db.server.ts';
import { makeAccount, makeTenant } from './testing/factories.ts';
import { ownerDb } from './testing/db.ts';
import { subscribe } from './events/hub.server.ts';
import { cancelCall, createCall, setAvailability } from './calls/index.ts';
import { rejection } from './testing/assert.ts';

const test = suite('two-write tenant transactions');

const audit = (tx: Sql, tenantId: string, action: string) => tx`insert into audit_log (tenant_id, action, detail) values (${tenantId}, ${action}, ${tx.json({})})`;
const audited = async (tenantId: string, action: string) =>
	(await ownerDb()<{ n: number }[]>`select count(*)::int as n from audit_log where tenant_id = ${tenantId} and action = ${action}`)[0]!.n;

test('both steps run in one transaction, the tenant in scope; what the second writes is committed', async () => {
	const tenant = await makeTenant();
	const [first, second] = await withTenantInTwoWrites(
		tenant.id,
		async (tx) => (await tx<{ xid: string; t: string }[]>`select txid_current()::text as xid, current_setting('app.tenant_id', true) as t`)[0]!,
		async (tx, read) => {
			const [, [row]] = await Promise.all([
				audit(tx, tenant.id, 'call.created'),
				tx<{ xid: string; t: string }[]>`select txid_current()::text as xid, current_setting('app.tenant_id', true) as t`
			]);
			return [read, row!];
		}
	);
	assert.is(first.t, tenant.id);
	assert.is(second.t, tenant.id, 'the second step still has the tenant in scope (before COMMIT)');
	assert.is(second.xid, first.xid, 'one transaction');
	assert.is(await audited(tenant.id, 'call.created'), 1);
});

test('a statement of the second step that fails: nothing is kept, and its error comes back', async () => {
	const tenant = await makeTenant();
	const e = await rejection(
		withTenantInTwoWrites(
			tenant.id,
			async () => null,
			async (tx) => Promise.all([audit(tx, tenant.id, 'call.created'), tx`select 1 / 0`])
		)
	);
	assert.is((e as { code?: string }).code, '22012', 'division by zero, not a later "transaction aborted"');
	assert.is(await audited(tenant.id, 'call.created'), 0, 'the row written before the failure was rolled back');
});

test('an error the second step swallowed still rolls back, and says so', async () => {
	const tenant = await makeTenant();
	const e = await rejection(
		withTenantInTwoWrites(
			tenant.id,
			async () => null,
			async (tx) => {
				// The row is written (execute() sends it now), then the failure is caught and ignored.
				const written = audit(tx, tenant.id, 'call.created').execute();
				await tx`select 1 / 0`.execute().catch(() => 'ignored');
				await written;
				return 'ok';
			}
		)
	);
	assert.match((e as Error).message, 'rolled back');
	assert.is(await audited(tenant.id, 'call.created'), 0);
});

test('a failure in the first step rolls back; the connection is usable again afterwards', async () => {
	const tenant = await makeTenant();
	// More failures than the pool has connections: one kept reserved, or in a transaction, would make these wait forever.
	for (let i = 0; i < 25; i++) {
		const e = await rejection(
			withTenantInTwoWrites(
				tenant.id,
				async (tx) => tx`select 1 / 0`,
				async () => assert.unreachable('the second step must not run')
			)
		);
		assert.is((e as { code?: string }).code, '22012');
	}
	const [row] = await withTenant(tenant.id, (tx) => tx<{ t: string }[]>`select current_setting('app.tenant_id', true) as t`);
	assert.is(row!.t, tenant.id);
	assert.instance(
		await rejection(
			withTenantInTwoWrites(
				'not-a-tenant',
				async () => null,
				async () => null
			)
		),
		TypeError
	);
});

test('a placed call rings with what its row holds (the ring is built before PostgreSQL answers)', async () => {
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Ginza front desk' });
	const c = await makeAccount(tenant, { role: 'concierge' });
	await setAvailability(c.actor, 'available');
	const rings: Record<string, unknown>[] = [];
	const off = await subscribe({ tenantId: tenant.id, accountId: c.id, role: 'concierge' }, (d) => {
		if (d.event.type === 'call.ringing') rings.push(d.event.data as Record<string, unknown>);
	});
	try {
		const call = await createCall(kiosk.actor);
		for (let i = 0; i < 100 && !rings.length; i++) await new Promise((r) => setTimeout(r, 20));
		const [row] = await ownerDb()<{ createdAt: Date; ringExpiresAt: Date }[]>`
			select created_at as "createdAt", ring_expires_at as "ringExpiresAt" from calls where id = ${call.id}`;
		assert.equal(rings, [{ callId: call.id, kioskName: 'Ginza front desk', createdAt: row!.createdAt.toISOString(), ringExpiresAt: row!.ringExpiresAt.toISOString() }]);
		await cancelCall(kiosk.actor, call.id);
	} finally {
		off();
	}
});

test.run();
