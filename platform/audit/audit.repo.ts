import type { Sql } from '../db.server.ts';

export interface AuditRow {
	id: number;
	at: Date;
	actorLoginId: string | null;
	action: string;
	targetType: string | null;
	targetId: string | null;
	ip: string | null;
	detail: Record<string, unknown>;
}

/** Append one audit_log row (inside the caller's tenant transaction). */
export async function insertAudit(
	tx: Sql,
	row: {
		tenantId: string;
		actorAccountId: string | null;
		actorLoginId: string | null;
		action: string;
		targetType: string | null;
		targetId: string | null;
		ip: string | null;
		detail: Record<string, unknown>;
	}
): Promise<void> {
	await tx`
		insert into audit_log (tenant_id, actor_account_id, actor_login_id, action, target_type, target_id, ip, detail)
		values (${row.tenantId}, ${row.actorAccountId}, ${row.actorLoginId}, ${row.action},
		        ${row.targetType}, ${row.targetId}, ${row.ip}, ${tx.json(row.detail as never)})`;
}

/** The newest audit rows of the tenant in scope. */
export async function listAudit(tx: Sql, limit: number): Promise<AuditRow[]> {
	return tx<AuditRow[]>`
		select id, at, actor_login_id as "actorLoginId", action, target_type as "targetType",
		       target_id as "targetId", host(ip) as ip, detail
		from audit_log order by at desc, id desc limit ${limit}`;
}
