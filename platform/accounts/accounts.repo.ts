import type { Sql } from '../db.server.ts';
import type { Role } from '../types.ts';

export interface AccountRow {
	id: string;
	tenantId: string;
	loginId: string;
	displayName: string;
	role: Role;
	passwordHash: string;
	passwordChangedAt: Date;
	failedAttempts: number;
	lockedUntil: Date | null;
	disabledAt: Date | null;
	createdAt: Date;
	/** Share permissions (seed 002); only meaningful for concierges. Enforced in calls.ts grants. */
	canShareScreen: boolean;
	canViewKioskScreen: boolean;
}

export interface TenantPolicyRow {
	lockoutThreshold: number;
	lockoutMinutes: number;
	passwordMinLength: number;
	passwordMinClasses: number;
	passwordMaxAgeDays: number;
}

const accountColumns = (sql: Sql) => sql`
	id, tenant_id as "tenantId", login_id as "loginId", display_name as "displayName", role,
	password_hash as "passwordHash", password_changed_at as "passwordChangedAt",
	failed_attempts as "failedAttempts", locked_until as "lockedUntil", disabled_at as "disabledAt",
	created_at as "createdAt", can_share_screen as "canShareScreen", can_view_kiosk_screen as "canViewKioskScreen"`;

/** Which account (and tenant) a login ID names, across tenants, via auth_find_login(). */
export async function findLogin(sql: Sql, loginId: string): Promise<{ accountId: string; tenantId: string } | null> {
	const [row] = await sql<{ accountId: string; tenantId: string }[]>`
		select account_id as "accountId", tenant_id as "tenantId" from auth_find_login(${loginId})`;
	return row ?? null;
}

export async function getAccount(tx: Sql, id: string): Promise<AccountRow | null> {
	const [row] = await tx<AccountRow[]>`select ${accountColumns(tx)} from accounts where id = ${id}`;
	return row ?? null;
}

export async function getAccountByLogin(tx: Sql, loginId: string): Promise<AccountRow | null> {
	const [row] = await tx<AccountRow[]>`select ${accountColumns(tx)} from accounts where login_id = ${loginId}`;
	return row ?? null;
}

export async function listAccountRows(tx: Sql): Promise<AccountRow[]> {
	return tx<AccountRow[]>`select ${accountColumns(tx)} from accounts order by role, login_id`;
}

export async function getPolicy(tx: Sql, tenantId: string): Promise<TenantPolicyRow> {
	const [row] = await tx<TenantPolicyRow[]>`
		select lockout_threshold as "lockoutThreshold", lockout_minutes as "lockoutMinutes",
		       password_min_length as "passwordMinLength", password_min_classes as "passwordMinClasses",
		       password_max_age_days as "passwordMaxAgeDays"
		from tenants where id = ${tenantId}`;
	if (!row) throw new Error(`tenant ${tenantId} not visible in its own transaction`);
	return row;
}

export async function insertAccount(
	tx: Sql,
	a: { tenantId: string; loginId: string; displayName: string; role: Role; passwordHash: string }
): Promise<AccountRow> {
	const [row] = await tx<AccountRow[]>`
		insert into accounts (tenant_id, login_id, display_name, role, password_hash)
		values (${a.tenantId}, ${a.loginId}, ${a.displayName}, ${a.role}, ${a.passwordHash})
		returning ${accountColumns(tx)}`;
	return row!;
}

/**
 * Count one failed sign-in atomically; lock when the tenant's threshold is reached.
 * The counter restarts once a lock is set, so after the lock expires the account
 * again gets the full number of tries.
 */
export async function recordFailure(
	tx: Sql,
	id: string,
	threshold: number,
	lockMinutes: number
): Promise<{ locked: boolean; lockedUntil: Date | null; failedAttempts: number }> {
	const [row] = await tx<{ lockedUntil: Date | null; failedAttempts: number; locked: boolean }[]>`
		update accounts set
			locked_until = case when failed_attempts + 1 >= ${threshold}
				then now() + make_interval(mins => ${lockMinutes}) else locked_until end,
			failed_attempts = case when failed_attempts + 1 >= ${threshold} then 0 else failed_attempts + 1 end,
			updated_at = now()
		where id = ${id}
		returning locked_until as "lockedUntil", failed_attempts as "failedAttempts",
		          (locked_until is not null and locked_until > now()) as locked`;
	return row!;
}

export async function recordSuccess(tx: Sql, id: string): Promise<void> {
	await tx`update accounts set failed_attempts = 0, locked_until = null, updated_at = now() where id = ${id}`;
}

export async function setPasswordHash(tx: Sql, id: string, passwordHash: string): Promise<void> {
	await tx`update accounts set password_hash = ${passwordHash}, password_changed_at = now(), updated_at = now() where id = ${id}`;
}

export async function setSharePermissionFlags(tx: Sql, id: string, p: { canShareScreen: boolean; canViewKioskScreen: boolean }): Promise<void> {
	await tx`update accounts set can_share_screen = ${p.canShareScreen}, can_view_kiosk_screen = ${p.canViewKioskScreen}, updated_at = now() where id = ${id}`;
}
