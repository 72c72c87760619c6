/**
 * Remote disable (seed 003): a tenant admin (own tenant) or a platform operator
 * (any tenant) disables an account by login ID. In one transaction the account is
 * marked disabled and every session it has is deleted, with an audit record; sign-in
 * and the old cookies fail from that commit on, and the `account.disabled` event to
 * the account's open apps is delivered with that commit. Ending its live calls and
 * removing it from their LiveKit rooms follow right after (propagateDisable); a
 * removal LiveKit cannot take now is retried by a job and never holds up the disable.
 */
import { withTenant, type Sql } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { revokeAccountSessions } from '../sessions/sessions.ts';
import type { Actor, Role } from '../types.ts';
import { clearSignInLocks, getAccountByLogin, markDisabled, markEnabled, type AccountRow } from './accounts.repo.ts';
import { parseLoginId } from './sign-in.ts';
import { locateAccountTenant } from './locate.ts';
import { publish } from '../events/events.ts';
import { conciergeRemoved, endCallsOfAccount } from '../calls/index.ts';
import { enqueue, sharedQueue } from '../jobs/queue.server.ts';
import { logError } from '../log.ts';
import { voidLiveCodes } from '../enrolment/enrolment.repo.ts';

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

/**
 * After the commit: end the account's live calls (the other side is told why) and
 * remove it from their LiveKit rooms. A removal LiveKit cannot take now becomes a
 * job retried until it succeeds; sign-in and sessions were settled already.
 */
async function propagateDisable(r: DisableResult, actor: Actor): Promise<void> {
	const log = (msg: string, e: unknown, extra: Record<string, unknown> = {}) => logError('disable', msg, e, { accountId: r.accountId, tenantId: r.tenantId, ...extra });
	let pending: string[] = [];
	try {
		pending = (await endCallsOfAccount({ ...actor, tenantId: r.tenantId }, r.accountId, 'account_disabled')).pendingRemovals;
	} catch (e) {
		log('ending the calls of a disabled account failed', e);
		return;
	}
	for (const callId of pending) {
		try {
			await enqueue(sharedQueue(), 'calls.remove-participant', { tenantId: r.tenantId, callId, accountId: r.accountId }, REMOVAL_RETRY);
		} catch (e) {
			log('could not queue the LiveKit removal retry', e, { callId });
		}
	}
}

/** Until LiveKit answers: every 2 s, for up to 24 hours (43,200 attempts); by then any room is long closed. */
const REMOVAL_RETRY = { attempts: 43_200, backoff: { type: 'fixed', delay: 2_000 }, removeOnComplete: true } as const;

async function setDisabled(actor: Actor, rawLoginId: unknown, disable: boolean, reason: unknown): Promise<DisableResult> {
	const loginId = parseLoginId(rawLoginId);
	if (!loginId) throw new Invalid('bad_login_id', 'Enter the login ID of the account.');
	if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new Invalid('bad_reason', 'The reason must be text of at most 500 characters.');
	const { tenantId } = await locateAccountTenant(actor, loginId, 'Only administrators can disable or enable accounts.');
	const result = await withTenant(tenantId, async (tx: Sql) => {
		const account: AccountRow | null = await getAccountByLogin(tx, loginId);
		if (!account) throw new NotFound('account_not_found', `No account in your organisation has the login ID "${loginId}".`);
		if (account.id === actor.accountId) throw new Forbidden('self_disable', 'You cannot disable or enable your own account.');
		if (account.role === 'operator' && actor.role !== 'operator') throw new Forbidden('operator_account', 'Only platform operators can change operator accounts.');
		if (!disable && account.archivedAt) throw new Conflict('archived', 'This account is archived and cannot be enabled. Create a new account instead.');
		const already = disable ? account.disabledAt !== null : account.disabledAt === null;
		let revokedSessions = 0;
		if (!already) {
			if (disable) {
				await markDisabled(tx, account.id, actor.accountId);
				revokedSessions = await revokeAccountSessions(tx, account.id);
				await voidLiveCodes(tx, account.id, 'account_disabled');
				// Delivered on commit: the app locks itself and its event stream closes.
				await publish(tx, { tenantId, account: account.id }, { type: 'account.disabled', data: {} });
				if (account.role === 'concierge') await conciergeRemoved(tx, tenantId, account.id);
			} else {
				await markEnabled(tx, account.id);
				// Enabling also lifts every source's sign-in lock on the account.
				await clearSignInLocks(tx, account.loginId);
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
	if (result.changed && disable) await propagateDisable(result, actor);
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
