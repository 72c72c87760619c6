/**
 * Remote disable (seed 003): a tenant admin (own tenant) or a platform operator
 * (any tenant) disables an account by login ID. In one transaction the account is
 * marked disabled and every session it has is deleted, with an audit record; sign-in
 * and the old cookies fail from that commit on. Telling the open app and removing
 * the account from a live call follow after the commit (see propagate below) and
 * never hold up the disable itself.
 */
import { db, withTenant, type Sql } from '../db.server.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { revokeAccountSessions } from '../sessions/sessions.ts';
import type { Actor, Role } from '../types.ts';
import { findLogin, getAccountByLogin, type AccountRow } from './accounts.repo.ts';
import { parseLoginId } from './sign-in.ts';

export interface DisableResult {
	accountId: string;
	tenantId: string;
	loginId: string;
	role: Role;
	disabled: boolean;
	/** Sessions revoked by this call (0 when it was already disabled). */
	revokedSessions: number;
	/** False when the account was already in the requested state (nothing changed). */
	changed: boolean;
}

type Propagator = (r: DisableResult, actor: Actor) => Promise<void>;
const propagators: Propagator[] = [];

/**
 * Register what must happen after an account is disabled or enabled: tell its app
 * over the real-time channel, remove it from a live call. Each runs after the
 * commit; a failure is logged and must be retried by the propagator itself (a job),
 * never rolled into the disable.
 */
export function onAccountStateChange(p: Propagator): () => void {
	propagators.push(p);
	return () => {
		const i = propagators.indexOf(p);
		if (i >= 0) propagators.splice(i, 1);
	};
}

async function propagate(r: DisableResult, actor: Actor): Promise<void> {
	for (const p of propagators) {
		try {
			await p(r, actor);
		} catch (e) {
			console.error(JSON.stringify({ level: 'error', msg: 'disable propagation failed', accountId: r.accountId, error: e instanceof Error ? e.stack : String(e) }));
		}
	}
}

/** Which tenant an actor may act in for this login ID; NotFound hides other tenants' accounts. */
async function locate(actor: Actor, loginId: string): Promise<{ tenantId: string }> {
	if (actor.role === 'operator') {
		const found = await findLogin(db(), loginId);
		if (!found) throw new NotFound('account_not_found', `No account has the login ID "${loginId}".`);
		return { tenantId: found.tenantId };
	}
	if (actor.role === 'admin') return { tenantId: actor.tenantId };
	throw new Forbidden('admin_only', 'Only administrators can disable or enable accounts.');
}

async function setDisabled(actor: Actor, rawLoginId: unknown, disable: boolean, reason: unknown): Promise<DisableResult> {
	const loginId = parseLoginId(rawLoginId);
	if (!loginId) throw new Invalid('bad_login_id', 'Enter the login ID of the account.');
	if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new Invalid('bad_reason', 'The reason must be text of at most 500 characters.');
	const { tenantId } = await locate(actor, loginId);
	const result = await withTenant(tenantId, async (tx: Sql) => {
		const account: AccountRow | null = await getAccountByLogin(tx, loginId);
		if (!account) throw new NotFound('account_not_found', `No account in your organisation has the login ID "${loginId}".`);
		if (account.id === actor.accountId) throw new Forbidden('self_disable', 'You cannot disable or enable your own account.');
		if (account.role === 'operator' && actor.role !== 'operator') throw new Forbidden('operator_account', 'Only platform operators can change operator accounts.');
		const already = disable ? account.disabledAt !== null : account.disabledAt === null;
		let revokedSessions = 0;
		if (!already) {
			if (disable) {
				await tx`update accounts set disabled_at = now(), disabled_by = ${actor.accountId}, updated_at = now() where id = ${account.id}`;
				revokedSessions = await revokeAccountSessions(tx, account.id);
			} else {
				await tx`update accounts set disabled_at = null, disabled_by = null, failed_attempts = 0, locked_until = null, updated_at = now() where id = ${account.id}`;
			}
			await writeAudit(tx, actor, {
				tenantId,
				action: disable ? 'account.disabled' : 'account.enabled',
				targetType: 'account',
				targetId: account.id,
				ip: actor.ip ?? null,
				detail: { loginId, role: account.role, byRole: actor.role, actorTenantId: actor.tenantId, revokedSessions, ...(typeof reason === 'string' && reason ? { reason } : {}) }
			});
		}
		return { accountId: account.id, tenantId, loginId, role: account.role, disabled: disable, revokedSessions, changed: !already };
	});
	if (result.changed) await propagate(result, actor);
	return result;
}

/** Disable an account by login ID: sign-in refused, sessions revoked, app told, call ended. */
export function disableAccount(actor: Actor, loginId: unknown, reason?: unknown): Promise<DisableResult> {
	return setDisabled(actor, loginId, true, reason);
}

/** Enable a disabled account again (also clears a lockout). */
export function enableAccount(actor: Actor, loginId: unknown): Promise<DisableResult> {
	return setDisabled(actor, loginId, false, undefined);
}
