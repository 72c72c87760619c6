/**
 * Calls the platform ends without a party pressing anything: a party gone from the
 * room (or its console gone) past the grace, the maximum duration, an account
 * disabled or signed out mid-call, rings nobody answered. The worker runs
 * sweepCalls() every second; each tenant is swept inside its own scope, so the
 * sweep is safe to run from several workers at once and as often as wanted.
 */
import { config } from '../config.server.ts';
import { db, withTenant, type Sql } from '../db.server.ts';
import { isUuid } from '../ids.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Actor } from '../types.ts';
import { log, logError, publishAll, requireRole, to } from './common.ts';
import type { EndReason, RealtimeEvent } from './contract.ts';
import type { Target } from '../events/events.ts';
import * as repo from './calls.repo.ts';
import type { CallRow } from './calls.repo.ts';
import { cancelRinging, endCall, missCall } from './outcomes.ts';
import { publicPresence, publishPresence, tenantState } from './presence.ts';
import { rungAmong, settleQueue } from './queue.ts';
import { closeRoom, removeFromRoom } from './rooms.ts';
import { identityOf } from './tokens.ts';

/** Two unanswered rings in a row set a concierge away. */
export const MISSED_RINGS_LIMIT = 2;
/** A party that never joins the room within the grace plus this long after the accept is gone. */
const JOIN_ALLOWANCE_SECONDS = 15;
const WARNING_BEFORE_END_MS = 5 * 60_000;

const END_REASONS: readonly string[] = ['account_disabled', 'concierge_signed_out', 'kiosk_left', 'concierge_left', 'max_duration', 'media_unavailable'];

/**
 * End every live call of one account (remote disable, sign-out): end it for the other
 * side with the reason, then remove the account from the LiveKit room and close it.
 * The database part commits first; a LiveKit removal that fails (LiveKit unreachable)
 * is returned in `pendingRemovals` for the caller to retry as a job (removeFromCallRoom).
 */
export async function endCallsOfAccount(actor: Actor, accountId: string, reason: EndReason): Promise<{ ended: number; pendingRemovals: string[] }> {
	requireRole(actor, 'admin', 'operator');
	return endLiveCalls(actor, accountId, reason);
}

async function endLiveCalls(actor: Actor, accountId: string, reason: EndReason): Promise<{ ended: number; pendingRemovals: string[] }> {
	if (!isUuid(accountId)) throw new NotFound('account_not_found', 'That account does not exist.');
	if (!END_REASONS.includes(reason)) throw new Invalid('bad_reason', 'The reason must be a known end reason.');
	const calls = await withTenant(actor.tenantId, async (tx) => {
		const live = await repo.liveCallsOfAccount(tx, accountId);
		for (const c of live) {
			if (c.state === 'ringing') await cancelRinging(tx, actor, c, reason, { account: accountId });
			else await endCall(tx, actor, c, reason, { account: accountId });
		}
		if (live.length) await publishPresence(tx, actor.tenantId, await settleQueue(tx, actor.tenantId));
		return live;
	});
	const pendingRemovals: string[] = [];
	for (const c of calls) {
		if (!c.acceptedAt) continue;
		try {
			await removeFromRoom(c.roomName, identityOf(actor.tenantId, accountId));
		} catch (e) {
			logError('removing a participant failed; will retry', e, { callId: c.id });
			pendingRemovals.push(c.id);
		}
	}
	return { ended: calls.length, pendingRemovals };
}

/**
 * Signing out: a concierge goes offline and its live call ends properly for the
 * kiosk; a kiosk's live call ends too. Called by the sign-out action before the
 * session is deleted.
 */
export async function leaveOnSignOut(actor: Actor): Promise<void> {
	if (actor.role !== 'concierge' && actor.role !== 'kiosk') return;
	if (actor.role === 'concierge') {
		await withTenant(actor.tenantId, async (tx) => {
			await repo.upsertPresence(tx, actor.tenantId, actor.accountId, 'offline');
			await publishAll(tx, [[to.account(actor.tenantId, actor.accountId), { type: 'presence.self', data: { state: 'offline', reason: 'signed_out' } }]]);
		});
	}
	const { pendingRemovals } = await endLiveCalls(actor, actor.accountId, actor.role === 'concierge' ? 'concierge_signed_out' : 'kiosk_left');
	if (pendingRemovals.length) logError('sign-out: LiveKit removal failed; the room closes by its own timeout', new Error('LiveKit unreachable'), { calls: pendingRemovals });
	if (actor.role === 'concierge') {
		// With no call to end, the tenant still has to hear that one concierge fewer can answer.
		await withTenant(actor.tenantId, async (tx) => publishPresence(tx, actor.tenantId, await settleQueue(tx, actor.tenantId)));
	}
}

/**
 * Remove one account from one (ended) call's LiveKit room and close the room; the
 * retry job of remote disable. Throws while LiveKit cannot be reached, so the job
 * runs again; a participant or room already gone counts as done.
 */
export async function removeFromCallRoom(tenantId: string, callId: string, accountId: string): Promise<'removed'> {
	const call = await withTenant(tenantId, (tx) => repo.getCall(tx, callId));
	if (!call) throw new NotFound('call_not_found', 'That call does not exist.');
	if (call.state === 'ringing' || call.state === 'accepted') throw new Conflict('call_live', 'The call is still live; end it first.');
	await removeFromRoom(call.roomName, identityOf(tenantId, accountId));
	await withTenant(tenantId, (tx) => writeAudit(tx, null, { tenantId, action: 'call.participant_removed', targetType: 'call', targetId: callId, detail: { account: accountId } }));
	return 'removed';
}

// --- the sweep -----------------------------------------------------------------------

export interface SweepResult {
	missed: number;
	ended: number;
	offline: number;
}

/** What each tenant was last told about presence by this process (publish only on change). */
const lastPresence = new Map<string, string>();

/** Why an answered call must end now, if it must. */
function gone(c: CallRow, now: number, offline: Set<string>): EndReason | null {
	const grace = config().callGraceSeconds * 1000;
	const accepted = c.acceptedAt!.getTime();
	if (accepted + config().callMaxMinutes * 60_000 <= now) return 'max_duration';
	if (c.kioskLeftAt && c.kioskLeftAt.getTime() + grace <= now) return 'kiosk_left';
	if (c.conciergeLeftAt && c.conciergeLeftAt.getTime() + grace <= now) return 'concierge_left';
	const joinBy = accepted + grace + JOIN_ALLOWANCE_SECONDS * 1000;
	if (!c.kioskJoinedAt && joinBy <= now) return 'kiosk_left';
	if (!c.conciergeJoinedAt && joinBy <= now) return 'concierge_left';
	if (c.conciergeAccountId && offline.has(c.conciergeAccountId)) return 'concierge_left';
	return null;
}

async function sweepTenant(tx: Sql, tenantId: string, now: number): Promise<SweepResult & { closeRooms: string[] }> {
	const result = { missed: 0, ended: 0, offline: 0, closeRooms: [] as string[] };
	const events: [Target, RealtimeEvent][] = [];

	// Concierges whose console has been gone past the grace become offline.
	let s = await tenantState(tx);
	const lapsed = s.rows.filter((r) => r.state === 'offline' && r.status !== 'offline').map((r) => r.accountId);
	await repo.persistOffline(tx, lapsed);
	result.offline = lapsed.length;
	for (const a of lapsed) events.push([to.account(tenantId, a), { type: 'presence.self', data: { state: 'offline', reason: 'stream_lost' } }]);
	const offline = new Set(s.byState.get('offline'));

	// Answered calls whose party is gone, or that ran too long.
	for (const c of await repo.answeredCalls(tx)) {
		const reason = gone(c, now, offline);
		if (reason) {
			if (await endCall(tx, null, c, reason)) {
				result.ended++;
				result.closeRooms.push(c.roomName);
			}
		} else if (!c.warnedAt && c.acceptedAt!.getTime() + config().callMaxMinutes * 60_000 - WARNING_BEFORE_END_MS <= now) {
			await repo.markWarned(tx, c.id);
			const endsAt = new Date(c.acceptedAt!.getTime() + config().callMaxMinutes * 60_000).toISOString();
			events.push([to.parties(c), { type: 'call.warning', data: { callId: c.id, endsAt } }]);
		}
	}

	// Unanswered calls: waited too long in the queue, or rang out.
	const available = s.byState.get('available')!;
	const queueMax = config().callQueueMaxSeconds * 1000;
	for (const c of await repo.waitingCalls(tx, { forUpdate: true })) {
		if (c.createdAt.getTime() + queueMax <= now) {
			if (await missCall(tx, c, 'queue_timeout')) result.missed++;
		} else if (c.ringExpiresAt && c.ringExpiresAt.getTime() <= now) {
			if (!(await missCall(tx, c, 'no_answer'))) continue;
			result.missed++;
			for (const a of await repo.countMissedRings(tx, await rungAmong(tx, c, available), MISSED_RINGS_LIMIT)) {
				await writeAudit(tx, null, { tenantId, action: 'presence.changed', targetType: 'account', targetId: a, detail: { to: 'away', reason: 'missed_rings' } });
				events.push([to.account(tenantId, a), { type: 'presence.self', data: { state: 'away', reason: 'missed_rings' } }]);
			}
		}
	}

	await publishAll(tx, events);
	s = await settleQueue(tx, tenantId);
	const told = JSON.stringify(publicPresence(s));
	if (lastPresence.get(tenantId) !== told || result.missed || result.ended || result.offline) {
		lastPresence.set(tenantId, told);
		await publishPresence(tx, tenantId, s);
	}
	return result;
}

/** One pass over every tenant with live calls or connected concierges. */
export async function sweepCalls(now: Date = new Date()): Promise<SweepResult> {
	const total: SweepResult = { missed: 0, ended: 0, offline: 0 };
	for (const tenantId of await repo.sweepTenants(db())) {
		try {
			const r = await withTenant(tenantId, (tx) => sweepTenant(tx, tenantId, now.getTime()));
			total.missed += r.missed;
			total.ended += r.ended;
			total.offline += r.offline;
			for (const room of r.closeRooms) await closeRoom(room);
		} catch (e) {
			logError('sweep of one tenant failed; the next sweep retries', e, { tenantId });
		}
	}
	if (total.missed || total.ended || total.offline) log('calls swept', { ...total });
	return total;
}
