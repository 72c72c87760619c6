// Tenant writes of the operator console, each inside withTenant() of the tenant concerned
// (or, for creation, through the platform_create_tenant() definer function).
import type { Sql } from '../db.server.ts';

export async function createTenantRow(sql: Sql, t: { slug: string; name: string; loginPrefix: string }): Promise<string> {
	const [row] = await sql<{ id: string }[]>`select platform_create_tenant(${t.slug}, ${t.name}, ${t.loginPrefix}) as id`;
	return row!.id;
}

export async function setSuspended(tx: Sql, tenantId: string, reason: string | null, suspend: boolean): Promise<boolean> {
	const rows = suspend
		? await tx`update tenants set suspended_at = now(), suspended_reason = ${reason} where id = ${tenantId} and suspended_at is null and not is_platform returning id`
		: await tx`update tenants set suspended_at = null, suspended_reason = null where id = ${tenantId} and suspended_at is not null returning id`;
	return rows.length > 0;
}

/** Every session of the tenant, deleted; returns who had them (to tell their apps). */
export async function deleteTenantSessions(tx: Sql): Promise<{ id: string; accountId: string }[]> {
	return tx<{ id: string; accountId: string }[]>`delete from sessions returning id, account_id as "accountId"`;
}

/** Accounts of the tenant with a live call (kiosk or concierge side). */
export async function accountsInLiveCalls(tx: Sql): Promise<string[]> {
	const rows = await tx<{ id: string }[]>`select kiosk_account_id as id from calls where state in ('ringing', 'accepted')`;
	return rows.map((r) => r.id);
}
