import type { Sql } from '../db.server.ts';

export interface PolicyRow {
	passwordMinLength: number;
	passwordMinClasses: number;
	passwordMaxAgeDays: number;
	lockoutThreshold: number;
	lockoutMinutes: number;
	sessionHours: number | null;
	ringTimeoutSeconds: number | null;
	ipAllowList: string[];
	timeZone: string;
	businessHours: Record<string, [string, string]>;
	holidays: string[];
	closedMessage: string;
	staffPinSet: boolean;
}

export async function readPolicy(tx: Sql, tenantId: string): Promise<PolicyRow | null> {
	const [row] = await tx<PolicyRow[]>`
		select password_min_length as "passwordMinLength", password_min_classes as "passwordMinClasses",
		       password_max_age_days as "passwordMaxAgeDays", lockout_threshold as "lockoutThreshold",
		       lockout_minutes as "lockoutMinutes", session_hours as "sessionHours",
		       ring_timeout_seconds as "ringTimeoutSeconds", ip_allow_list as "ipAllowList", time_zone as "timeZone",
		       business_hours as "businessHours", array(select to_char(d, 'YYYY-MM-DD') from unnest(holidays) d order by d) as holidays,
		       closed_message as "closedMessage", staff_pin_hash is not null as "staffPinSet"
		from tenants where id = ${tenantId}`;
	return row ?? null;
}

export async function writePolicy(tx: Sql, tenantId: string, p: Omit<PolicyRow, 'staffPinSet'>): Promise<void> {
	await tx`
		update tenants set password_min_length = ${p.passwordMinLength}, password_min_classes = ${p.passwordMinClasses},
		       password_max_age_days = ${p.passwordMaxAgeDays}, lockout_threshold = ${p.lockoutThreshold},
		       lockout_minutes = ${p.lockoutMinutes}, session_hours = ${p.sessionHours},
		       ring_timeout_seconds = ${p.ringTimeoutSeconds}, ip_allow_list = ${p.ipAllowList}::text[],
		       time_zone = ${p.timeZone}, business_hours = ${tx.json(p.businessHours as never)},
		       holidays = ${p.holidays}::date[], closed_message = ${p.closedMessage}
		where id = ${tenantId}`;
}

export async function writeStaffPin(tx: Sql, tenantId: string, hash: string | null): Promise<void> {
	await tx`update tenants set staff_pin_hash = ${hash} where id = ${tenantId}`;
}

export async function readStaffPinHash(tx: Sql, tenantId: string): Promise<string | null> {
	const [row] = await tx<{ h: string | null }[]>`select staff_pin_hash as h from tenants where id = ${tenantId}`;
	return row?.h ?? null;
}

/** Console sessions of concierges and admins, with the address each signed in from. */
export async function staffConsoleSessions(tx: Sql): Promise<{ id: string; accountId: string; ip: string | null }[]> {
	return tx<{ id: string; accountId: string; ip: string | null }[]>`
		select s.id, s.account_id as "accountId", host(s.ip) as ip from sessions s
		join accounts a on a.id = s.account_id
		where s.app = 'console' and a.role in ('concierge', 'admin')`;
}

export async function deleteSessions(tx: Sql, ids: string[]): Promise<void> {
	if (ids.length) await tx`delete from sessions where id = any(${ids}::text[])`;
}

/** The tenant's ring timeout in seconds, or null for the platform default. */
export async function readRingTimeout(tx: Sql, tenantId: string): Promise<number | null> {
	const [row] = await tx<{ s: number | null }[]>`select ring_timeout_seconds as s from tenants where id = ${tenantId}`;
	return row?.s ?? null;
}
