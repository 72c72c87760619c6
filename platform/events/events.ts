/**
 * Real-time events: what they look like and whom they address. Publishing is a
 * PostgreSQL NOTIFY, so an event sent inside a transaction is delivered only if
 * that transaction commits, and every app process (each LISTENs once, see
 * hub.server.ts) delivers it to the streams it holds.
 */
import type { Sql } from '../db.server.ts';
import { notify } from './events.repo.ts';
import type { Role } from '../types.ts';
import type { RealtimeEvent } from '../calls/contract.ts';

export const CHANNEL = 'concierge_events';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD = 7900;

/** Whom an event is for. Every target is inside one tenant. */
export type Target =
	| { tenantId: string; account: string }
	| { tenantId: string; accounts: string[] }
	| { tenantId: string; audience: 'concierges' | 'kiosks' | 'admins' }
	| { tenantId: string; call: string; accounts: string[] }
	| { tenantId: string; session: string; account: string };

export type { RealtimeEvent };

/**
 * How the hub may thin out a stream of state events (presence): each one replaces the
 * last, so the recipients need the latest, not every step. Applied by every app process
 * to the notifications it hears, in the order PostgreSQL delivers them (commit order).
 */
export interface Coalesce {
	/** Events with the same key in the same tenant replace each other. */
	key: string;
	/** At most one delivery per this many ms; the trailing edge delivers the latest, so the final state is never dropped. 0: no wait. */
	everyMs: number;
	/** What the recipients show of the event: delivered only when this changed since the last one of the key. */
	shows?: string;
}

export interface Subscriber {
	tenantId: string;
	accountId: string;
	role: Role;
	/** The session the stream was opened with (events for one session reach only its streams). */
	sessionId?: string;
}

/** Does this target reach this subscriber? The one place the rule lives. */
export function reaches(target: Target, s: Subscriber): boolean {
	if (target.tenantId !== s.tenantId) return false;
	if ('session' in target) return target.account === s.accountId && target.session === s.sessionId;
	if ('account' in target) return target.account === s.accountId;
	if ('accounts' in target) return target.accounts.includes(s.accountId);
	if (target.audience === 'admins') return s.role === 'admin';
	return target.audience === 'kiosks' ? s.role === 'kiosk' : s.role === 'concierge';
}

export function encode(target: Target, event: RealtimeEvent, coalesce?: Coalesce): string {
	const payload = JSON.stringify(coalesce ? { target, event, at: Date.now(), coalesce } : { target, event, at: Date.now() });
	if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new Error(`event ${event.type} is too large for NOTIFY (${payload.length} bytes): send ids, not data`);
	return payload;
}

/**
 * Publish an event. Pass the caller's transaction to deliver it only on commit;
 * pass the pool to deliver it now.
 */
export async function publish(sql: Sql, target: Target, event: RealtimeEvent, coalesce?: Coalesce): Promise<void> {
	await notify(sql, CHANNEL, encode(target, event, coalesce));
}

/** The admins' fleet and problem-report pages read their data again (on commit, with a transaction). */
export function publishFleetChanged(sql: Sql, tenantId: string, kind: 'kiosk' | 'concierge' | 'report'): Promise<void> {
	return publish(sql, { tenantId, audience: 'admins' }, { type: 'fleet.changed', data: { kind } });
}

/** Tell the streams opened with one session that it is over (they close; their reconnects meet a 401). */
export async function publishSessionEnded(
	sql: Sql,
	who: { tenantId: string; accountId: string },
	sessionId: string,
	reason: 'signed_out' | 'password_changed' | 'expired' | 'revoked'
): Promise<void> {
	await publish(sql, { tenantId: who.tenantId, account: who.accountId, session: sessionId }, { type: 'session.ended', data: { sessionId, reason } });
}
