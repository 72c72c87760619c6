/**
 * A call's life as its parties drive it: the kiosk places it (ringing, or queued
 * while every concierge is busy), cancels it, a concierge accepts it (exactly one
 * wins), and either side hangs up. Hang-up and cancel are idempotent: a party that
 * repeats one (a lost answer, a retry) gets the ended call back, never an error.
 */
import { randomUUID } from 'node:crypto';
import { config } from '../config.server.ts';
import { withTenant, withTenantInTwoWrites } from '../db.server.ts';
import { Conflict, RateLimited } from '../errors.ts';
import type { Actor } from '../types.ts';
import { loadCall, log, logError, parseCallId, record, requireParty, requireRole, to, view } from './common.ts';
import type { AcceptResult, CallView } from './contract.ts';
import * as repo from './calls.repo.ts';
import { cancelRinging, endCall } from './outcomes.ts';
import { presenceOfAccount, publishPresence, tenantState } from './presence.ts';
import { ringNewCall, settleQueue } from './queue.ts';
import { closeRoom, createCallRoom, newRoomName } from './rooms.ts';
import { issueCallToken } from './tokens.ts';
import { metrics } from '../metrics.ts';
import { noteTenantKind } from '../tenants/synthetic.ts';
import { isSynthetic } from '../tenants/synthetic.repo.ts';
import { readPolicy } from '../policies/policies.repo.ts';
import { isOpen } from '../policies/hours.ts';
import { groupOfKiosk, membersOf } from '../groups/groups.repo.ts';

/**
 * The kiosk's call button. Rings every available concierge of the tenant (the kiosk's
 * concierge group first, when it has one: see queue.ts), or queues behind busy ones.
 */
export async function createCall(actor: Actor): Promise<CallView> {
	requireRole(actor, 'kiosk');
	// A ring's latency is mostly this transaction's round trips to PostgreSQL, so it takes
	// two (withTenantInTwoWrites): BEGIN with the reads the checks need, then the row, its
	// read-back, its audit row and its events with the COMMIT.
	const { call, synthetic } = await withTenantInTwoWrites(
		actor.tenantId,
		async (tx) => {
			const [recent, policy, s, group, now, synthetic] = await Promise.all([
				repo.recentCallsOfKiosk(tx, actor.accountId),
				readPolicy(tx, actor.tenantId),
				tenantState(tx),
				groupOfKiosk(tx, actor.accountId),
				repo.transactionNow(tx),
				isSynthetic(tx, actor.tenantId)
			]);
			// Only a kiosk in a concierge group needs a third round trip, for the group's members.
			return { recent, policy, s, group, now, synthetic, members: await membersOf(tx, group ? [group.groupId] : []) };
		},
		async (tx, { recent, policy, s, group, now, members, synthetic }) => {
			if (recent >= config().callRatePerMinute) throw new RateLimited('call_rate_limited', 'Please wait a moment before calling again.');
			// Out of business hours (issue 11, item 4) no call is placed; the kiosk shows the tenant's message.
			if (policy && !isOpen(policy)) throw new Conflict('closed', policy.closedMessage || 'We are closed now. Please come back during business hours.');
			// The tenant's own ring timeout when it set one (issue 11, item 4).
			const ringSeconds = policy?.ringTimeoutSeconds ?? config().callRingTimeoutSeconds;
			if (s.available === 0 && s.busy === 0) throw new Conflict('no_concierge', 'No concierge is available right now. Please try again in a moment.');
			// The id is made here rather than by the insert, so that the queries using it need not wait for it.
			const id = randomUUID();
			const ringing = s.available > 0;
			// The row as the insert writes it (now() is the transaction's start, as read above): what the ring needs.
			const placed = {
				id,
				tenantId: actor.tenantId,
				kioskName: actor.displayName,
				createdAt: now,
				ringExpiresAt: ringing ? new Date(now.getTime() + ringSeconds * 1000) : null,
				ringGroupId: group?.groupId ?? null,
				overflowAt: group ? new Date(now.getTime() + group.overflowSeconds * 1000) : null,
				overflowedAt: null
			};
			try {
				// Every statement is sent here, in this order, before anything is awaited (see withTenantInTwoWrites).
				const [, , c] = await Promise.all([
					repo.insertCall(tx, { id, tenantId: actor.tenantId, kioskAccountId: actor.accountId, roomName: newRoomName(), ringSeconds: ringing ? ringSeconds : null, group }),
					ringNewCall(tx, placed, s.byState.get('available')!, members, ringSeconds),
					loadCall(tx, id),
					record(tx, actor, actor.tenantId, { action: 'call.created', callId: id, detail: { queued: !ringing } }),
					publishPresence(tx, actor.tenantId, { ...s, waiting: [...s.waiting, id] })
				]);
				return { call: c, synthetic };
			} catch (e) {
				// The insert answers first, so a second live call is this constraint (the statements after it fail with it).
				if ((e as { constraint_name?: string }).constraint_name === 'calls_one_live_per_kiosk')
					throw new Conflict('call_in_progress', 'A call from this terminal is already in progress.');
				throw e;
			}
		}
	);
	// A tenant made synthetic a moment ago counts as such from its first call metric on (read above, not queried again).
	noteTenantKind(actor.tenantId, synthetic);
	metrics.callPlaced(actor.tenantId, call.ringExpiresAt === null ? 'queued' : 'ringing');
	log('call placed', { callId: call.id, tenantId: actor.tenantId, queued: call.ringExpiresAt === null });
	return view(call, actor);
}

/** The kiosk cancels while ringing (or queued). Cancelling a call that is already over answers it as it is. */
export async function cancelCall(actor: Actor, callId: unknown): Promise<CallView> {
	requireRole(actor, 'kiosk');
	const id = parseCallId(callId);
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		requireParty(c, actor);
		if (c.state === 'accepted') throw new Conflict('already_answered', 'A concierge has already answered this call.');
		if (c.state === 'ringing') {
			await cancelRinging(tx, actor, c, 'cancelled_by_kiosk');
			await publishPresence(tx, actor.tenantId, await tenantState(tx));
		}
		return loadCall(tx, id);
	});
	return view(call, actor);
}

/**
 * A concierge answers. Exactly one concurrent accept wins (a conditional UPDATE on
 * the still-ringing row); the others get "already answered". Only an available
 * concierge may answer. The room is created before anyone hears about the accept,
 * so nobody can join a room we did not make.
 */
export async function acceptCall(actor: Actor, callId: unknown): Promise<AcceptResult> {
	requireRole(actor, 'concierge');
	const id = parseCallId(callId);
	const call = await withTenant(actor.tenantId, async (tx) => {
		// A call this tenant cannot see is a 404 before anything else is said about it.
		const seen = await loadCall(tx, id);
		await repo.lockPresence(tx, actor.accountId);
		const state = await presenceOfAccount(tx, actor.accountId);
		if (state !== 'available')
			throw new Conflict('not_available', state === 'busy' ? 'Finish your current call before answering another.' : 'Set yourself available to answer calls.');
		const won = await repo.acceptRinging(tx, id, actor.accountId);
		const c = await loadCall(tx, id);
		if (!won) {
			if (c.state === 'accepted') throw new Conflict('already_answered', 'Another concierge has already answered this call.');
			if (c.state === 'ringing' && seen.ringGroupId && !c.overflowedAt)
				throw new Conflict('not_rung', 'This call is ringing its own concierge group first; it reaches you if nobody there answers.');
			throw new Conflict('call_over', 'This call has ended before it could be answered.');
		}
		await repo.resetMissedRings(tx, actor.accountId);
		await record(tx, actor, actor.tenantId, { action: 'call.accepted', callId: id });
		return c;
	});
	try {
		await createCallRoom(call.roomName, { tenantId: call.tenantId, callId: call.id });
	} catch (e) {
		logError('createRoom failed; ending the call', e, { callId: id });
		await withTenant(actor.tenantId, async (tx) => {
			await endCall(tx, null, await loadCall(tx, id, true), 'media_unavailable');
			await publishPresence(tx, actor.tenantId, await settleQueue(tx, actor.tenantId));
		});
		throw new Conflict('media_unavailable', 'The video service is not reachable right now. Please try again in a moment.');
	}
	const connection = await issueCallToken(actor, id);
	await withTenant(actor.tenantId, async (tx) => {
		await record(tx, null, actor.tenantId, null, [
			[to.parties(call), { type: 'call.accepted', data: { callId: id, conciergeName: call.conciergeName } }],
			[to.concierges(actor.tenantId), { type: 'call.taken', data: { callId: id } }]
		]);
		// One concierge fewer available: calls still waiting may have to queue.
		await publishPresence(tx, actor.tenantId, await settleQueue(tx, actor.tenantId));
	});
	metrics.callAccepted(actor.tenantId);
	log('call accepted', { callId: id, tenantId: actor.tenantId });
	return { call: view(call, actor), connection };
}

/** Either side hangs up; a kiosk hanging up while ringing cancels. Repeating it is harmless. */
export async function hangUpCall(actor: Actor, callId: unknown): Promise<CallView> {
	requireRole(actor, 'kiosk', 'concierge');
	const id = parseCallId(callId);
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		const party = requireParty(c, actor);
		if (c.state === 'ringing') {
			await cancelRinging(tx, actor, c, 'cancelled_by_kiosk');
			await publishPresence(tx, actor.tenantId, await tenantState(tx));
		} else if (c.state === 'accepted') {
			await endCall(tx, actor, c, `hung_up_by_${party}`);
			await publishPresence(tx, actor.tenantId, await tenantState(tx));
		}
		return loadCall(tx, id);
	});
	if (call.acceptedAt) await closeRoom(call.roomName);
	return view(call, actor);
}
