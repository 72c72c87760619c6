import type { Sql } from '../db.server.ts';

export interface EnrolmentReservation {
	allowed: boolean;
	codeId: string | null;
	codeHash: string | null;
	accountId: string | null;
	tenantId: string | null;
	tenantFailures: number;
}

/** Reserve one check of a kiosk's live code for (login ID, source): auth_enrol_reserve. */
export async function reserveEnrolment(sql: Sql, loginId: string, source: string, sourceLimit: number): Promise<EnrolmentReservation> {
	const [row] = await sql<EnrolmentReservation[]>`
		select allowed, code_id as "codeId", code_hash as "codeHash", account_id as "accountId", tenant_id as "tenantId",
		       tenant_failures as "tenantFailures"
		from auth_enrol_reserve(${loginId}, ${source}, ${sourceLimit})`;
	return row!;
}

/** Count a wrong (or unchecked) code: auth_enrol_failed. Returns the tenant's wrong codes in 15 minutes. */
export async function recordEnrolmentFailure(sql: Sql, r: { loginId: string; source: string; codeId: string | null; ip: string | null; alertFailures: number }): Promise<number> {
	const [row] = await sql<{ n: number }[]>`
		select auth_enrol_failed(${r.loginId}, ${r.source}, ${r.codeId}, ${r.ip}::inet, ${r.alertFailures}) as n`;
	return row!.n;
}

/** Mark a right code used, once: the row comes back only to the first caller. */
export async function redeemEnrolment(sql: Sql, codeId: string): Promise<{ accountId: string; tenantId: string } | null> {
	const [row] = await sql<{ accountId: string; tenantId: string }[]>`
		select account_id as "accountId", tenant_id as "tenantId" from auth_enrol_redeem(${codeId})`;
	return row ?? null;
}

/** Void the account's live code, if any (a new one replaces it; revoke; disable). */
export async function voidLiveCodes(tx: Sql, accountId: string, reason: 'replaced' | 'revoked' | 'account_disabled'): Promise<number> {
	const rows = await tx`
		update enrolment_codes set voided_at = now(), void_reason = ${reason}
		where account_id = ${accountId} and used_at is null and voided_at is null returning id`;
	return rows.length;
}

export async function insertCode(tx: Sql, c: { id: string; tenantId: string; accountId: string; codeHash: string; issuedBy: string; expiresAt: Date }): Promise<void> {
	await tx`
		insert into enrolment_codes (id, tenant_id, account_id, code_hash, issued_by, expires_at)
		values (${c.id}, ${c.tenantId}, ${c.accountId}, ${c.codeHash}, ${c.issuedBy}, ${c.expiresAt})`;
}

export interface LiveCodeRow {
	accountId: string;
	expiresAt: Date;
	attempts: number;
}

/** The tenant's live codes (unused, not voided, not expired), for the accounts page. */
export async function listLiveCodes(tx: Sql): Promise<LiveCodeRow[]> {
	return tx<LiveCodeRow[]>`
		select account_id as "accountId", expires_at as "expiresAt", attempts from enrolment_codes
		where used_at is null and voided_at is null and expires_at > now()`;
}
