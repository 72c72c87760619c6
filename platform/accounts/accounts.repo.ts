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
	mustChangePassword: boolean;
	archivedAt: Date | null;
	archivedLoginId: string | null;
	hasPhoto: boolean;
}

export interface TenantPolicyRow {
	lockoutThreshold: number;
	lockoutMinutes: number;
	passwordMinLength: number;
	passwordMinClasses: number;
	passwordMaxAgeDays: number;
	/** Login IDs created in this tenant start with `${loginPrefix}-`. */
	loginPrefix: string;
	/** CIDR ranges concierges and admins may sign in from (empty: anywhere). */
	ipAllowList: string[];
	/** Set when a platform operator suspended the tenant. */
	suspendedAt: Date | null;
}

const accountColumns = (sql: Sql) => sql`
	id, tenant_id as "tenantId", login_id as "loginId", display_name as "displayName", role,
	password_hash as "passwordHash", password_changed_at as "passwordChangedAt",
	failed_attempts as "failedAttempts",
	(select max(st.locked_until) from signin_throttle st
	  where st.login_id = accounts.login_id and st.tenant_id = accounts.tenant_id and st.locked_until > now()) as "lockedUntil",
	disabled_at as "disabledAt",
	created_at as "createdAt", can_share_screen as "canShareScreen", can_view_kiosk_screen as "canViewKioskScreen",
	must_change_password as "mustChangePassword", archived_at as "archivedAt", archived_login_id as "archivedLoginId",
	photo is not null as "hasPhoto"`;

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

export interface SignInReservation {
	allowed: boolean;
	/** Set only when allowed and the login ID names an account. */
	accountId: string | null;
	tenantId: string | null;
	passwordHash: string | null;
	recentFailures: number;
}

/**
 * Reserve one sign-in attempt for (login ID, source) before any password is
 * checked, in one statement (auth_signin_reserve): at most the tenant's threshold
 * are allowed per window however many arrive at once. Same work for unknown IDs.
 */
export async function reserveSignIn(sql: Sql, loginId: string, source: string): Promise<SignInReservation> {
	const [row] = await sql<SignInReservation[]>`
		select allowed, account_id as "accountId", tenant_id as "tenantId", password_hash as "passwordHash",
		       recent_failures as "recentFailures"
		from auth_signin_reserve(${loginId}, ${source})`;
	return row!;
}

export interface SignInRefusal {
	lockedNow: boolean;
	/** Failures for this login ID in the last hour, from every source. */
	recentFailures: number;
	failingSources: number;
}

/**
 * Record a refused attempt (auth_signin_refused): a wrong password (checked) or
 * one refused unchecked because the source is locked out. Counts it, locks the
 * source at the threshold, writes the aggregated audit rows and the many-sources
 * alert. Same work for unknown IDs (minus the audit rows).
 */
export async function recordSignInRefusal(
	sql: Sql,
	r: { loginId: string; source: string; ip: string | null; checked: boolean; detail: Record<string, unknown>; alertSources: number }
): Promise<SignInRefusal> {
	const [row] = await sql<SignInRefusal[]>`
		select locked_now as "lockedNow", recent_failures as "recentFailures", failing_sources as "failingSources"
		from auth_signin_refused(${r.loginId}, ${r.source}, ${r.ip}::inet, ${r.checked}, ${sql.json(r.detail as never)}, ${r.alertSources})`;
	return row!;
}

/** A correct password from this source ends its window and lock history. */
export async function recordSignInSuccess(sql: Sql, loginId: string, source: string): Promise<void> {
	await sql`select auth_signin_succeeded(${loginId}, ${source})`;
}

/** Clear every source's lock on a login ID of the caller's tenant (on enable). */
export async function clearSignInLocks(tx: Sql, loginId: string): Promise<void> {
	await tx`select auth_signin_clear(${loginId})`;
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
		       password_max_age_days as "passwordMaxAgeDays", login_prefix as "loginPrefix",
		       ip_allow_list as "ipAllowList", suspended_at as "suspendedAt"
		from tenants where id = ${tenantId}`;
	if (!row) throw new Error(`tenant ${tenantId} not visible in its own transaction`);
	return row;
}

export async function insertAccount(tx: Sql, a: { tenantId: string; loginId: string; displayName: string; role: Role; passwordHash: string }): Promise<AccountRow> {
	const [row] = await tx<AccountRow[]>`
		insert into accounts (tenant_id, login_id, display_name, role, password_hash)
		values (${a.tenantId}, ${a.loginId}, ${a.displayName}, ${a.role}, ${a.passwordHash})
		returning ${accountColumns(tx)}`;
	return row!;
}

export async function setPasswordHash(tx: Sql, id: string, passwordHash: string, mustChange = false): Promise<void> {
	await tx`update accounts set password_hash = ${passwordHash}, password_changed_at = now(), must_change_password = ${mustChange}, updated_at = now() where id = ${id}`;
}

export async function setDisplayName(tx: Sql, id: string, displayName: string): Promise<void> {
	await tx`update accounts set display_name = ${displayName}, updated_at = now() where id = ${id}`;
}

/** Archive: disabled for good; with freeLoginId the login ID is renamed out of the way (kept in archived_login_id). */
export async function markArchived(tx: Sql, id: string, byAccountId: string, freeLoginId: boolean): Promise<void> {
	await tx`
		update accounts set archived_at = coalesce(archived_at, now()), disabled_at = coalesce(disabled_at, now()),
		       disabled_by = coalesce(disabled_by, ${byAccountId}), updated_at = now()
		       ${freeLoginId ? tx`, archived_login_id = login_id, login_id = 'archived.' || replace(id::text, '-', '')` : tx``}
		where id = ${id}`;
}

export async function setPhoto(tx: Sql, id: string, photo: Uint8Array | null, type: string | null): Promise<void> {
	await tx`update accounts set photo = ${photo ? Buffer.from(photo) : null}, photo_type = ${type}, photo_updated_at = now(), updated_at = now() where id = ${id}`;
}

export async function getPhoto(tx: Sql, id: string): Promise<{ photo: Uint8Array; type: string; updatedAt: Date } | null> {
	const [row] = await tx<{ photo: Uint8Array; type: string; updatedAt: Date }[]>`
		select photo, photo_type as type, photo_updated_at as "updatedAt" from accounts where id = ${id} and photo is not null and role = 'concierge'`;
	return row ?? null;
}

export async function setSharePermissionFlags(tx: Sql, id: string, p: { canShareScreen: boolean; canViewKioskScreen: boolean }): Promise<void> {
	await tx`update accounts set can_share_screen = ${p.canShareScreen}, can_view_kiosk_screen = ${p.canViewKioskScreen}, updated_at = now() where id = ${id}`;
}

/** Remote disable: the account can no longer sign in (its sessions are revoked by the caller). */
export async function markDisabled(tx: Sql, accountId: string, byAccountId: string): Promise<void> {
	await tx`update accounts set disabled_at = now(), disabled_by = ${byAccountId}, updated_at = now() where id = ${accountId}`;
}

/** Enable again, clearing the old account-wide failure count and lock too. */
export async function markEnabled(tx: Sql, accountId: string): Promise<void> {
	await tx`update accounts set disabled_at = null, disabled_by = null, failed_attempts = 0, locked_until = null, updated_at = now() where id = ${accountId}`;
}

/** The account must change its password at the next sign-in (a first admin, a reset). */
export async function setMustChangePassword(tx: Sql, id: string): Promise<void> {
	await tx`update accounts set must_change_password = true where id = ${id}`;
}

export async function getPreferredLocale(tx: Sql, id: string): Promise<string | null> {
	const [row] = await tx<{ locale: string | null }[]>`select preferred_locale as locale from accounts where id = ${id}`;
	return row?.locale ?? null;
}

export async function setPreferredLocale(tx: Sql, id: string, locale: string): Promise<boolean> {
	const rows = await tx`update accounts set preferred_locale = ${locale} where id = ${id} returning id`;
	return rows.length === 1;
}
