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

export function encode(target: Target, event: RealtimeEvent): string {
	const payload = JSON.stringify({ target, event, at: Date.now() });
	if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new Error(`event ${event.type} is too large for NOTIFY (${payload.length} bytes): send ids, not data`);
	return payload;
}

/**
 * Publish an event. Pass the caller's transaction to deliver it only on commit;
 * pass the pool to deliver it now.
 */
export async function publish(sql: Sql, target: Target, event: RealtimeEvent): Promise<void> {
	await notify(sql, CHANNEL, encode(target, event));
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
