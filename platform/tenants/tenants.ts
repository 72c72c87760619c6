import type { Sql } from '../db.server.ts';
import { withTenant } from '../db.server.ts';
import { NotFound } from '../errors.ts';
import type { Actor } from '../types.ts';

export interface Tenant {
	id: string;
	slug: string;
	name: string;
	isPlatform: boolean;
	lockoutThreshold: number;
	lockoutMinutes: number;
	passwordMinLength: number;
	passwordMinClasses: number;
	passwordMaxAgeDays: number;
	/** Login IDs an admin creates in this tenant must start with `${loginPrefix}-`. */
	loginPrefix: string;
}

const columns = (sql: Sql) => sql`
	id, slug, name, is_platform as "isPlatform", lockout_threshold as "lockoutThreshold",
	lockout_minutes as "lockoutMinutes", password_min_length as "passwordMinLength",
	password_min_classes as "passwordMinClasses", password_max_age_days as "passwordMaxAgeDays",
	login_prefix as "loginPrefix"`;

/** The actor's own tenant. */
export async function getTenant(actor: Actor): Promise<Tenant> {
	const t = await withTenant(actor.tenantId, async (tx) => {
		const [row] = await tx<Tenant[]>`select ${columns(tx)} from tenants where id = ${actor.tenantId}`;
		return row;
	});
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
	const [row] = await ownerSql<Tenant[]>`
		insert into tenants (slug, name, is_platform, lockout_threshold, lockout_minutes, password_max_age_days, login_prefix)
		values (${t.slug}, ${t.name}, ${t.isPlatform ?? false}, ${t.lockoutThreshold ?? 3}, ${t.lockoutMinutes ?? 15}, ${t.passwordMaxAgeDays ?? 0}, ${t.loginPrefix ?? t.slug})
		returning ${columns(ownerSql)}`;
	return row!;
}
