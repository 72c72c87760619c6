/**
 * What every call concern shares: loading a call for a party, the view the apps
 * see, whom events go to, and `record()`, the one helper that writes an audit row
 * and publishes its events in the same transaction (so both commit, or neither).
 */
import type { Sql } from '../db.server.ts';
import { isUuid } from '../ids.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { writeAudit, type AuditAction } from '../audit/audit.ts';
import { publish, type Coalesce, type Target } from '../events/events.ts';
import type { Actor, Role } from '../types.ts';
import { logError as logErrorLine, logInfo } from '../log.ts';
import * as repo from './calls.repo.ts';
import type { CallRow } from './calls.repo.ts';
import type { CallView, Party, RealtimeEvent } from './contract.ts';

export const log = (msg: string, fields: Record<string, unknown> = {}) => logInfo('calls', msg, fields);
export const logError = (msg: string, e: unknown, fields: Record<string, unknown> = {}) => logErrorLine('calls', msg, e, fields);

/** The one role check of platform code: the actor must hold one of these roles. */
export function requireRole(actor: Actor, ...roles: Role[]): void {
	if (!roles.includes(actor.role)) throw new Forbidden('wrong_role', 'Your account cannot do this.');
}

export function parseCallId(callId: unknown): string {
	if (!isUuid(callId)) throw new NotFound('call_not_found', 'That call does not exist.');
	return callId;
}

export async function loadCall(tx: Sql, callId: string, forUpdate = false): Promise<CallRow> {
	const call = await repo.getCall(tx, callId, { forUpdate });
	if (!call) throw new NotFound('call_not_found', 'That call does not exist.');
	return call;
}

/** Which side of the call the actor is; anyone else is refused. */
export function requireParty(call: CallRow, actor: Actor): Party {
	if (actor.role === 'kiosk' && call.kioskAccountId === actor.accountId) return 'kiosk';
	if (actor.role === 'concierge' && call.conciergeAccountId === actor.accountId) return 'concierge';
	throw new Forbidden('not_your_call', 'This call is not yours.');
}

export function view(c: CallRow, viewer: Pick<Actor, 'accountId'>): CallView {
	return {
		id: c.id,
		state: c.state,
		kioskName: c.kioskName,
		conciergeName: c.conciergeName,
		createdAt: c.createdAt.toISOString(),
		ringExpiresAt: c.ringExpiresAt?.toISOString() ?? null,
		acceptedAt: c.acceptedAt?.toISOString() ?? null,
		endedAt: c.endedAt?.toISOString() ?? null,
		endReason: c.endReason,
		kioskConsent: c.kioskShare,
		mine: c.kioskAccountId === viewer.accountId || c.conciergeAccountId === viewer.accountId
	};
}

// --- whom events go to -------------------------------------------------------------

export const to = {
	parties: (c: Pick<CallRow, 'tenantId' | 'id' | 'kioskAccountId' | 'conciergeAccountId'>): Target => ({
		tenantId: c.tenantId,
		call: c.id,
		accounts: [c.kioskAccountId, ...(c.conciergeAccountId ? [c.conciergeAccountId] : [])]
	}),
	concierges: (tenantId: string): Target => ({ tenantId, audience: 'concierges' }),
	kiosks: (tenantId: string): Target => ({ tenantId, audience: 'kiosks' }),
	admins: (tenantId: string): Target => ({ tenantId, audience: 'admins' }),
	account: (tenantId: string, account: string): Target => ({ tenantId, account }),
	accounts: (tenantId: string, accounts: string[]): Target => ({ tenantId, accounts })
};

/**
 * Publish one event to several targets (an account list is split to fit NOTIFY's payload limit).
 * Inside a transaction the NOTIFYs go out together, in one write on its connection: one
 * round trip, not one per target. They still run in order there, so they are delivered
 * in this order on commit. (Always called with a transaction: on the pool they could
 * take different connections and arrive in any order.)
 */
export async function publishAll(tx: Sql, events: [Target, RealtimeEvent, Coalesce?][]): Promise<void> {
	const sends: Promise<void>[] = [];
	for (const [target, event, coalesce] of events) {
		if ('accounts' in target && !('call' in target) && target.accounts.length > 100) {
			for (let i = 0; i < target.accounts.length; i += 100) sends.push(publish(tx, { tenantId: target.tenantId, accounts: target.accounts.slice(i, i + 100) }, event));
		} else if (!('accounts' in target) || target.accounts.length > 0) {
			sends.push(publish(tx, target, event, coalesce));
		}
	}
	await Promise.all(sends);
}

export interface CallAudit {
	action: AuditAction;
	callId: string;
	detail?: Record<string, unknown>;
}

/**
 * The audit row and the events of one change, written together inside the caller's
 * transaction (in one write: one round trip). `actor` null means the platform itself
 * (the worker, the webhook guard).
 */
export async function record(tx: Sql, actor: Actor | null, tenantId: string, audit: CallAudit | null, events: [Target, RealtimeEvent][] = []): Promise<void> {
	await Promise.all([
		audit &&
			writeAudit(tx, actor, {
				tenantId,
				action: audit.action,
				targetType: 'call',
				targetId: audit.callId,
				ip: actor?.ip ?? null,
				...(audit.detail ? { detail: audit.detail } : {})
			}),
		publishAll(tx, events)
	]);
}
