/**
 * Factories: build the data a test needs, with unique names, through the real
 * code paths where one exists (password hashing, RLS-scoped inserts).
 */
import { withTenant } from '../db.server.ts';
import { insertAccount, type AccountRow } from '../accounts/accounts.repo.ts';
import { hashPassword } from '../accounts/password.ts';
import { createTenant, type Tenant } from '../tenants/tenants.ts';
import type { Actor, Role } from '../types.ts';
import { ownerDb } from './db.ts';

let n = 0;
const unique = () => `${Date.now().toString(36)}${(n++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export const TEST_PASSWORD = 'Test-pass-1234';
let testHash: Promise<string> | null = null;

export async function makeTenant(opts: Partial<Parameters<typeof createTenant>[1]> = {}): Promise<Tenant> {
	const id = unique();
	return createTenant(ownerDb(), { slug: `t-${id}`, name: `Tenant ${id}`, ...opts });
}

export interface TestAccount extends AccountRow {
	password: string;
	actor: Actor;
}

export async function makeAccount(tenant: { id: string }, opts: { role?: Role; loginId?: string; displayName?: string; password?: string } = {}): Promise<TestAccount> {
	const role = opts.role ?? 'concierge';
	const password = opts.password ?? TEST_PASSWORD;
	testHash ??= hashPassword(TEST_PASSWORD);
	const passwordHash = password === TEST_PASSWORD ? await testHash : await hashPassword(password);
	const loginId = opts.loginId ?? `${role}-${unique()}`;
	const row = await withTenant(tenant.id, (tx) => insertAccount(tx, { tenantId: tenant.id, loginId, displayName: opts.displayName ?? `${role} ${loginId}`, role, passwordHash }));
	return { ...row, password, actor: { accountId: row.id, tenantId: tenant.id, role, loginId, displayName: row.displayName } };
}
