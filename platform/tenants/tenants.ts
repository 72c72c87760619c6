import type { Sql } from '../db.server.ts';
import { withTenant } from '../db.server.ts';
import { NotFound } from '../errors.ts';
import type { Actor } from '../types.ts';
import { findTenant, insertTenant, type Tenant } from './tenants.repo.ts';

export type { Tenant };

/** The actor's own tenant. */
export async function getTenant(actor: Actor): Promise<Tenant> {
	const t = await withTenant(actor.tenantId, (tx) => findTenant(tx, actor.tenantId));
	if (!t) throw new NotFound('tenant_not_found', 'Your organisation could not be found.');
	return t;
}

/**
 * Create a tenant. The app role cannot insert tenants, so this takes a connection
 * of the owner role: the seed command, test factories and (later) a provisioning
 * tool call it, never a request handler.
 */
export async function createTenant(
	ownerSql: Sql,
	t: { slug: string; name: string; isPlatform?: boolean; lockoutThreshold?: number; lockoutMinutes?: number; passwordMaxAgeDays?: number; loginPrefix?: string }
): Promise<Tenant> {
	// The login-ID prefix defaults to the slug; the database refuses one that equals or
	// extends another tenant's by a dash-separated part (tenants_login_prefix_disjoint).
	return insertTenant(ownerSql, {
		slug: t.slug,
		name: t.name,
		isPlatform: t.isPlatform ?? false,
		lockoutThreshold: t.lockoutThreshold ?? 3,
		lockoutMinutes: t.lockoutMinutes ?? 15,
		passwordMaxAgeDays: t.passwordMaxAgeDays ?? 0,
		loginPrefix: t.loginPrefix ?? t.slug
	});
}
