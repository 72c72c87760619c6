/** SQL of synthetic tenants (migration 009). */
import type { Sql } from '../db.server.ts';

export async function syntheticTenantIds(sql: Sql): Promise<string[]> {
	const rows = await sql<{ tenantId: string }[]>`select tenant_id as "tenantId" from synthetic_tenant_ids()`;
	return rows.map((r) => r.tenantId);
}

/** Mark a tenant synthetic (the owner role: the probe's set-up). */
export async function markSynthetic(ownerSql: Sql, tenantId: string): Promise<void> {
	await ownerSql`update tenants set synthetic = true where id = ${tenantId}`;
}
