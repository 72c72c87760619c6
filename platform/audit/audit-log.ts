import { withTenant } from '../db.server.ts';
import { Forbidden } from '../errors.ts';
import type { Actor } from '../types.ts';
import { listAudit, type AuditRow } from './audit.repo.ts';

/** The tenant's audit log, newest first (admins and operators). */
export async function readAuditLog(actor: Actor, limit = 100): Promise<AuditRow[]> {
	if (actor.role !== 'admin' && actor.role !== 'operator') throw new Forbidden('admin_only', 'Only administrators can read the audit log.');
	return withTenant(actor.tenantId, (tx) => listAudit(tx, Math.min(Math.max(1, limit), 500)));
}
