/** SQL of synthetic tenants (migration 009). */
import type { Sql } from '../db.server.ts';

export async function syntheticTenantIds(sql: Sql): Promise<string[]> {
	const rows = await sql<{ tenantId: string }[]>`select tenant_id as "tenantId" from synthetic_tenant_ids()`;
	return rows.map((r) => r.tenantId);
}

/** Whether the tenant in scope is synthetic (inside its tenant transaction: row-level security shows only its own row). */
export async function isSynthetic(tx: Sql, tenantId: string): Promise<boolean> {
	const [row] = await tx<{ synthetic: boolean }[]>`select synthetic from tenants where id = ${tenantId}`;
	return row?.synthetic ?? false;
}

/** Mark a tenant synthetic (the owner role: the probe's set-up). */
export async function markSynthetic(ownerSql: Sql, tenantId: string): Promise<void> {
	await ownerSql`update tenants set synthetic = true where id = ${tenantId}`;
}
