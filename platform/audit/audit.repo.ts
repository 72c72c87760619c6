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

export interface AuditFilter {
	/** An action family ('signin', 'call', …): actions starting with `${kind}.`. */
	kind: string | null;
	/** A login ID: entries it did, or done to it. */
	loginId: string | null;
	/** Inclusive bounds, as dates (UTC). */
	from: string | null;
	to: string | null;
}

export interface AuditListRow extends AuditRow {
	targetLoginId: string | null;
}

/**
 * One page of the tenant's audit log, newest first, filtered; keyset paging by id
 * (`beforeId`: rows older than that one), so a page is stable while rows are added.
 */
export async function searchAudit(tx: Sql, f: AuditFilter, limit: number, beforeId: number | null): Promise<AuditListRow[]> {
	return tx<AuditListRow[]>`
		select l.id::float8 as id, l.at, l.actor_login_id as "actorLoginId", l.action, l.target_type as "targetType",
		       l.target_id as "targetId", host(l.ip) as ip, l.detail, ta.login_id as "targetLoginId"
		from audit_log l
		left join accounts ta on l.target_type = 'account' and ta.id::text = l.target_id
		where true
		  ${f.kind ? tx`and l.action like ${f.kind + '.%'}` : tx``}
		  ${f.loginId ? tx`and (l.actor_login_id = ${f.loginId} or ta.login_id = ${f.loginId} or l.detail->>'loginId' = ${f.loginId})` : tx``}
		  ${f.from ? tx`and l.at >= ${f.from}::date` : tx``}
		  ${f.to ? tx`and l.at < ${f.to}::date + 1` : tx``}
		  ${beforeId !== null ? tx`and l.id < ${beforeId}` : tx``}
		order by l.id desc
		limit ${limit}`;
}
