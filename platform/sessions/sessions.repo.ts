import type { Sql } from '../db.server.ts';
import type { AppName, Role } from '../types.ts';

export interface SessionLookup {
	sessionId: string;
	tenantId: string;
	accountId: string;
	app: AppName;
	expiresAt: Date;
	role: Role;
	loginId: string;
	displayName: string;
	disabledAt: Date | null;
	passwordChangedAt: Date;
	tenantSlug: string;
	tenantName: string;
	passwordMaxAgeDays: number;
	/** The tenant's IP allow-list for concierge and admin sessions (empty: none). */
	ipAllowList: string[];
	/** The tenant's session lifetime in hours, or null for the platform default. */
	sessionHours: number | null;
	/** Set by an admin's password reset: the password must be changed first. */
	mustChangePassword: boolean;
	/** The tenant is suspended by a platform operator. */
	tenantSuspended: boolean;
}

/** Cross-tenant lookup through the auth_find_session() definer function. */
export async function findSession(sql: Sql, sessionId: string): Promise<SessionLookup | null> {
	const [row] = await sql<SessionLookup[]>`
		select session_id as "sessionId", tenant_id as "tenantId", account_id as "accountId", app,
		       expires_at as "expiresAt", role, login_id as "loginId", display_name as "displayName",
		       disabled_at as "disabledAt", password_changed_at as "passwordChangedAt",
		       tenant_slug as "tenantSlug", tenant_name as "tenantName", password_max_age_days as "passwordMaxAgeDays",
		       ip_allow_list as "ipAllowList", session_hours as "sessionHours",
		       must_change_password as "mustChangePassword", tenant_suspended as "tenantSuspended"
		from auth_find_session(${sessionId})`;
	return row ?? null;
}

export async function insertSession(
	tx: Sql,
	s: { id: string; tenantId: string; accountId: string; app: AppName; expiresAt: Date; ip: string | null; userAgent: string | null }
): Promise<void> {
	await tx`
		insert into sessions (id, tenant_id, account_id, app, expires_at, ip, user_agent)
		values (${s.id}, ${s.tenantId}, ${s.accountId}, ${s.app}, ${s.expiresAt}, ${s.ip}, ${s.userAgent})`;
}

export async function updateSessionExpiry(tx: Sql, id: string, expiresAt: Date): Promise<void> {
	await tx`update sessions set expires_at = ${expiresAt} where id = ${id}`;
}

export async function deleteSession(tx: Sql, id: string): Promise<void> {
	await tx`delete from sessions where id = ${id}`;
}

export async function deleteAccountSessions(tx: Sql, accountId: string): Promise<number> {
	const rows = await tx`delete from sessions where account_id = ${accountId} returning id`;
	return rows.length;
}

/** The tenant's session lifetime in hours, or null for the platform default. */
export async function tenantSessionHours(tx: Sql, tenantId: string): Promise<number | null> {
	const [row] = await tx<{ h: number | null }[]>`select session_hours as h from tenants where id = ${tenantId}`;
	return row?.h ?? null;
}
