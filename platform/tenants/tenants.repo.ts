import type { Sql } from '../db.server.ts';

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

export async function findTenant(sql: Sql, id: string): Promise<Tenant | null> {
	const [row] = await sql<Tenant[]>`select ${columns(sql)} from tenants where id = ${id}`;
	return row ?? null;
}

export async function findTenantIdBySlug(sql: Sql, slug: string): Promise<string | null> {
	const [row] = await sql<{ id: string }[]>`select id from tenants where slug = ${slug}`;
	return row?.id ?? null;
}

/** Insert a tenant (the owner role only: the app role cannot insert tenants). */
export async function insertTenant(
	ownerSql: Sql,
	t: { slug: string; name: string; isPlatform: boolean; lockoutThreshold: number; lockoutMinutes: number; passwordMaxAgeDays: number; loginPrefix: string }
): Promise<Tenant> {
	const [row] = await ownerSql<Tenant[]>`
		insert into tenants (slug, name, is_platform, lockout_threshold, lockout_minutes, password_max_age_days, login_prefix)
		values (${t.slug}, ${t.name}, ${t.isPlatform}, ${t.lockoutThreshold}, ${t.lockoutMinutes}, ${t.passwordMaxAgeDays}, ${t.loginPrefix})
		returning ${columns(ownerSql)}`;
	return row!;
}

/** Every tenant's name by id (the operator's pool sees all tenants). */
export async function tenantNames(sql: Sql): Promise<Map<string, string>> {
	const rows = await sql<{ id: string; name: string }[]>`select id, name from tenants`;
	return new Map(rows.map((t) => [t.id, t.name]));
}
