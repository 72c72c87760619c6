import type { Sql } from '../db.server.ts';
import type { Actor } from '../types.ts';
import { insertAudit } from './audit.repo.ts';

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
	| 'presence.changed'
	| 'enrolment.code_issued'
	| 'enrolment.code_revoked'
	| 'enrolment.code_voided'
	| 'enrolment.redeemed'
	| 'enrolment.alert'
	| 'signin.refused_ip'
	| 'session.refused_ip'
	| 'tenant.policy_changed'
	| 'tenant.staff_pin_changed'
	| 'kiosk.staff_pin_locked'
	| 'account.renamed'
	| 'account.password_reset'
	| 'account.archived'
	| 'account.photo_changed'
	| 'reports.group_resolved'
	| 'reports.group_reopened'
	| 'signin.refused_suspended'
	| 'tenant.created'
	| 'tenant.suspended'
	| 'tenant.resumed'
	| 'fleet.kiosk_command'
	| 'call.share_request_blocked'
	| 'call.blinder_changed'
	| 'tenant.blinder_changed'
	| 'tenant.encryption_changed'
	| 'group.created'
	| 'group.changed'
	| 'group.deleted'
	| 'group.members_changed'
	| 'group.kiosk_assigned';

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
	await insertAudit(tx, {
		tenantId: e.tenantId,
		actorAccountId: actor?.accountId ?? null,
		actorLoginId: actor?.loginId ?? null,
		action: e.action,
		targetType: e.targetType ?? null,
		targetId: e.targetId ?? null,
		ip: cleanIp(e.ip),
		detail: e.detail ?? {}
	});
}

/** An address fit for the inet column (IPv4-mapped written as IPv4), or null. */
export function cleanIp(ip: string | null | undefined): string | null {
	if (!ip) return null;
	const v = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
	return /^[0-9a-f:.]{2,45}$/i.test(v) ? v : null;
}
