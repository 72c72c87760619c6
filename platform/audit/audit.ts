import type { Sql } from '../db.server.ts';
import type { Actor } from '../types.ts';

/** Every audited action. Adding one here is how a new kind of event enters the log. */
export type AuditAction =
	| 'signin.success'
	| 'signin.failed'
	| 'signin.refused_role'
	| 'signin.refused_disabled'
	| 'signin.refused_locked'
	| 'signin.refused_expired'
	| 'account.locked'
	| 'account.lock_alert'
	| 'account.created'
	| 'account.disabled'
	| 'account.enabled'
	| 'account.password_changed'
	| 'account.permissions_changed'
	| 'session.signed_out'
	| 'operator.read'
	| 'call.created'
	| 'call.cancelled'
	| 'call.accepted'
	| 'call.ended'
	| 'call.missed'
	| 'call.token_issued'
	| 'call.intruder_removed'
	| 'call.participant_removed'
	| 'call.share_requested'
	| 'call.share_consented'
	| 'call.share_refused'
	| 'call.share_started'
	| 'call.share_paused'
	| 'call.share_resumed'
	| 'call.share_stopped'
	| 'presence.changed';

export interface AuditEntry {
	tenantId: string;
	action: AuditAction;
	targetType?: string;
	targetId?: string;
	detail?: Record<string, unknown>;
	ip?: string | null;
}

/**
 * Append one audit record inside the caller's tenant transaction, so the record
 * commits or rolls back with the change it describes.
 */
export async function writeAudit(tx: Sql, actor: Pick<Actor, 'accountId' | 'loginId'> | null, e: AuditEntry): Promise<void> {
	await tx`
		insert into audit_log (tenant_id, actor_account_id, actor_login_id, action, target_type, target_id, ip, detail)
		values (${e.tenantId}, ${actor?.accountId ?? null}, ${actor?.loginId ?? null}, ${e.action},
		        ${e.targetType ?? null}, ${e.targetId ?? null}, ${cleanIp(e.ip)}, ${tx.json((e.detail ?? {}) as never)})`;
}

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

export async function listAudit(tx: Sql, limit = 100): Promise<AuditRow[]> {
	return tx<AuditRow[]>`
		select id, at, actor_login_id as "actorLoginId", action, target_type as "targetType",
		       target_id as "targetId", host(ip) as ip, detail
		from audit_log order by at desc, id desc limit ${limit}`;
}

/** An address fit for the inet column (IPv4-mapped written as IPv4), or null. */
export function cleanIp(ip: string | null | undefined): string | null {
	if (!ip) return null;
	const v = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
	return /^[0-9a-f:.]{2,45}$/i.test(v) ? v : null;
}
