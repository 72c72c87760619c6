// npm run seed: the demo tenants (two stores and the platform), idempotent.
import postgres from 'postgres';
import { db, closeDb, withTenant, type Sql } from '../db.server.ts';
import { createTenant } from '../tenants/tenants.ts';
import { findTenantIdBySlug } from '../tenants/tenants.repo.ts';
import { findLogin, insertAccount } from '../accounts/accounts.repo.ts';
import { hashPassword } from '../accounts/password.ts';
import type { Role } from '../types.ts';
import { DEMO_OPERATOR, DEMO_PASSWORD, DEMO_TENANTS, demoAccounts } from './demo-data.ts';

const ownerUrl = process.env.DATABASE_OWNER_URL;
if (!ownerUrl) {
	console.error('DATABASE_OWNER_URL is not set (source infra/env.sh for the development defaults).');
	process.exit(2);
}
const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });

async function ensureTenant(slug: string, name: string, isPlatform = false, loginPrefix?: string): Promise<string> {
	const found = await findTenantIdBySlug(owner as unknown as Sql, slug);
	if (found) return found;
	return (await createTenant(owner as unknown as Sql, { slug, name, isPlatform, loginPrefix })).id;
}

const hash = await hashPassword(DEMO_PASSWORD);
async function ensureAccount(tenantId: string, a: { loginId: string; displayName: string; role: Role }): Promise<boolean> {
	if (await findLogin(db(), a.loginId)) return false;
	await withTenant(tenantId, (tx) => insertAccount(tx, { tenantId, ...a, passwordHash: hash }));
	return true;
}

let created = 0;
try {
	for (const t of DEMO_TENANTS) {
		const id = await ensureTenant(t.slug, t.name, false, t.prefix);
		for (const a of demoAccounts(t.prefix)) if (await ensureAccount(id, a)) created++;
	}
	const platformId = await ensureTenant(DEMO_OPERATOR.slug, DEMO_OPERATOR.name, true);
	if (await ensureAccount(platformId, { loginId: DEMO_OPERATOR.loginId, displayName: 'Platform operator', role: 'operator' })) created++;
	console.log(created ? `seeded ${created} demo account(s)` : 'demo data already present');
} finally {
	await owner.end({ timeout: 2 });
	await closeDb();
}
