/**
 * How a call comes to an end, whoever ends it (a party, the worker, an admin):
 * the row, the audit entry and the events to everyone concerned, in the caller's
 * transaction. Closing the LiveKit room is the caller's, after the commit.
 */
import type { Sql } from '../db.server.ts';
import type { Actor } from '../types.ts';
import { record, to } from './common.ts';
import type { EndReason } from './contract.ts';
import * as repo from './calls.repo.ts';
import type { CallRow } from './calls.repo.ts';
import { metrics } from '../metrics.ts';

/** An answered call ends for both parties. Returns false if it was already over. */
export async function endCall(tx: Sql, actor: Actor | null, c: CallRow, reason: EndReason, detail: Record<string, unknown> = {}): Promise<boolean> {
	if (!(await repo.finishCall(tx, c.id, 'ended', reason))) return false;
	metrics.callFinished(c.tenantId, 'ended', reason);
	await record(tx, actor, c.tenantId, { action: 'call.ended', callId: c.id, detail: { reason, ...detail } }, [
		[to.parties(c), { type: 'call.ended', data: { callId: c.id, reason } }]
	]);
	return true;
}

/** An unanswered call is given up (no answer, nobody left to answer, waited too long). */
export async function missCall(tx: Sql, c: CallRow, reason: EndReason): Promise<boolean> {
	if (!(await repo.finishCall(tx, c.id, 'missed', reason))) return false;
	metrics.callFinished(c.tenantId, 'missed', reason);
	const event = { type: 'call.missed', data: { callId: c.id, reason } } as const;
	await record(tx, null, c.tenantId, { action: 'call.missed', callId: c.id, detail: { reason } }, [
		[to.concierges(c.tenantId), event],
		[to.account(c.tenantId, c.kioskAccountId), event]
	]);
	return true;
}

/** An unanswered call is withdrawn (the kiosk cancelled, hung up, signed out, or was disabled). */
export async function cancelRinging(tx: Sql, actor: Actor | null, c: CallRow, reason: EndReason, detail: Record<string, unknown> = {}): Promise<boolean> {
	if (!(await repo.finishCall(tx, c.id, 'cancelled', reason))) return false;
	metrics.callFinished(c.tenantId, 'cancelled', reason);
	const event = { type: 'call.cancelled', data: { callId: c.id, reason } } as const;
	await record(tx, actor, c.tenantId, { action: 'call.cancelled', callId: c.id, detail: { reason, ...detail } }, [
		[to.concierges(c.tenantId), event],
		[to.parties(c), event]
	]);
	return true;
}
