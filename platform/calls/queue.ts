/**
 * The queue: only available concierges ring. A call from a kiosk in a concierge group
 * rings the group's available concierges first and every available concierge once its
 * overflow is due: the group's delay passed, or nobody of the group is available
 * (a call never waits on a group that cannot answer while others could). When all are busy a kiosk's call waits
 * (no ring timer) and the oldest waiting call rings as soon as someone becomes
 * available; when nobody is available or busy any more, waiting kiosks are told at
 * once. settleQueue() brings a tenant's unanswered calls in line with who can answer
 * now; every change of presence or of the queue goes through it.
 */
import { config } from '../config.server.ts';
import { withTenant, type Sql } from '../db.server.ts';
import { Invalid } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Actor } from '../types.ts';
import { log, publishAll, requireRole, to } from './common.ts';
import type { PresenceResult, RealtimeEvent } from './contract.ts';
import { publishFleetChanged, type Target } from '../events/events.ts';
import * as repo from './calls.repo.ts';
import type { CallRow } from './calls.repo.ts';
import { missCall } from './outcomes.ts';
import { presenceOfAccount, publicPresence, publishPresence, tenantState, type TenantState } from './presence.ts';
import { readRingTimeout } from '../policies/policies.repo.ts';
import { membersOf } from '../groups/groups.repo.ts';

type Members = Map<string, Set<string>>;

/** The members of the groups still ringing first for these calls. */
async function groupMembers(tx: Sql, calls: CallRow[]): Promise<Members> {
	return membersOf(tx, [...new Set(calls.filter((c) => c.ringGroupId && !c.overflowedAt).map((c) => c.ringGroupId!))]);
}

/** Does the call stop ringing its group only: the group's delay passed, or nobody of the group is available? */
function overflowIsDue(c: Pick<CallRow, 'ringGroupId' | 'overflowedAt' | 'overflowAt'>, available: string[], members: Members, now: number): boolean {
	return !!c.ringGroupId && !c.overflowedAt && ((c.overflowAt?.getTime() ?? 0) <= now || ringTargets(c, available, members).length === 0);
}

/** Whom of `available` the call rings: its group's members until it overflows, then all. */
export function ringTargets(c: Pick<CallRow, 'ringGroupId' | 'overflowedAt'>, available: string[], members: Members): string[] {
	if (!c.ringGroupId || c.overflowedAt) return available;
	const m = members.get(c.ringGroupId) ?? new Set<string>();
	return available.filter((a) => m.has(a));
}

/** Those of `available` the call is ringing now (the sweep counts a missed ring only for them). */
export async function rungAmong(tx: Sql, c: CallRow, available: string[]): Promise<string[]> {
	return ringTargets(c, available, await groupMembers(tx, [c]));
}

/**
 * Overflow the calls whose group had its turn (marked in the row and in `waiting`);
 * returns, per call that was already ringing, the concierges it rings only now.
 */
async function overflowDue(tx: Sql, waiting: CallRow[], available: string[], members: Members, ringSeconds: number): Promise<Map<string, string[]>> {
	const now = Date.now();
	const due = waiting.filter((c) => overflowIsDue(c, available, members, now));
	const added = new Map<string, string[]>();
	if (due.length === 0) return added;
	await repo.markOverflowed(
		tx,
		due.map((c) => c.id),
		ringSeconds
	);
	const extended = new Date(now + ringSeconds * 1000);
	for (const c of due) {
		const before = new Set(ringTargets(c, available, members));
		c.overflowedAt = new Date(now);
		if (!c.ringExpiresAt) continue;
		if (c.ringExpiresAt < extended) c.ringExpiresAt = extended;
		added.set(
			c.id,
			available.filter((a) => !before.has(a))
		);
	}
	log('calls overflowed to the whole tenant', { calls: due.map((c) => c.id) });
	return added;
}

const ringEvent = (c: Pick<CallRow, 'id' | 'kioskName' | 'createdAt'>, ringExpiresAt: string | null): RealtimeEvent => ({
	type: 'call.ringing',
	data: { callId: c.id, kioskName: c.kioskName, createdAt: c.createdAt.toISOString(), ringExpiresAt }
});

/**
 * Inside the caller's tenant transaction: nobody left to answer -> waiting calls are
 * missed ('no_concierge'); only busy concierges -> ring timers stop (queued); someone
 * available -> queued calls start ringing them. `newlyAvailable` concierges are rung
 * for every call already waiting. Returns the tenant's state after settling.
 */
export async function settleQueue(tx: Sql, tenantId: string, opts: { newlyAvailable?: string[] } = {}): Promise<TenantState> {
	const s = await tenantState(tx);
	const waiting = await repo.waitingCalls(tx, { forUpdate: true });
	if (waiting.length === 0) return s;
	if (s.available === 0 && s.busy === 0) {
		for (const c of waiting) await missCall(tx, c, 'no_concierge');
		s.waiting = [];
		return s;
	}
	if (s.available === 0) {
		await repo.setRingExpiry(
			tx,
			waiting.filter((c) => c.ringExpiresAt).map((c) => c.id),
			null
		);
		return s;
	}
	const ringSeconds = await ringSecondsOf(tx, tenantId);
	const available = s.byState.get('available')!;
	const members = await groupMembers(tx, waiting);
	const overflowed = await overflowDue(tx, waiting, available, members, ringSeconds);
	const queued = waiting.filter((c) => !c.ringExpiresAt);
	await repo.setRingExpiry(
		tx,
		queued.map((c) => c.id),
		ringSeconds
	);
	const expiry = new Date(Date.now() + ringSeconds * 1000).toISOString();
	const newly = new Set(opts.newlyAvailable ?? []);
	const events: [Target, RealtimeEvent][] = [];
	for (const c of waiting) {
		const wasQueued = !c.ringExpiresAt;
		const ringExpiresAt = wasQueued ? expiry : c.ringExpiresAt!.toISOString();
		const targets = ringTargets(c, available, members);
		if (wasQueued) events.push([to.accounts(tenantId, targets), ringEvent(c, ringExpiresAt)]);
		else {
			const more = new Set([...(overflowed.get(c.id) ?? []), ...targets.filter((a) => newly.has(a))]);
			if (more.size) events.push([to.accounts(tenantId, [...more]), ringEvent(c, ringExpiresAt)]);
		}
	}
	await publishAll(tx, events);
	return s;
}

/** How long a ring lasts in this tenant: its own ring timeout, or the platform's. */
export async function ringSecondsOf(tx: Sql, tenantId: string): Promise<number> {
	return (await readRingTimeout(tx, tenantId)) ?? config().callRingTimeoutSeconds;
}

/**
 * Ring a call just placed, inside its transaction: the kiosk's group first when it has
 * one, or every available concierge of the tenant at once. `c` is the row as the insert
 * writes it (createCall knows every field the ring needs before PostgreSQL answers), so
 * that the ring goes out in the same write as the insert and the COMMIT
 * (withTenantInTwoWrites): it makes all its statements when called, before it first awaits.
 */
export function ringNewCall(
	tx: Sql,
	c: Pick<CallRow, 'id' | 'tenantId' | 'kioskName' | 'createdAt' | 'ringExpiresAt' | 'ringGroupId' | 'overflowAt' | 'overflowedAt'>,
	available: string[],
	members: Members,
	ringSeconds: number
): Promise<unknown> {
	const sent: Promise<unknown>[] = [];
	if (available.length > 0 && overflowIsDue(c, available, members, Date.now())) {
		// Its group has nobody available (or no delay): everyone rings now. A new call's ring timer already
		// runs ringSeconds from the insert, so the mark does not move it.
		sent.push(repo.markOverflowed(tx, [c.id], ringSeconds));
		c = { ...c, overflowedAt: c.createdAt };
	}
	sent.push(publishAll(tx, [[to.accounts(c.tenantId, ringTargets(c, available, members)), ringEvent(c, c.ringExpiresAt?.toISOString() ?? null)]]));
	return Promise.all(sent);
}

/**
 * A concierge left the tenant's presence by an admin's hand, in the transaction that disabled
 * or archived its account, after the account's update: its presence row goes offline (the
 * tenant's presence read trusts the rows: calls.repo.ts, presenceStates), calls ringing it ring
 * whom they should now, and kiosks and consoles hear the new counts at once, not at the next
 * change of someone else's presence. The row's update must be a statement after the account's:
 * that one waited for any presence write holding the account row (upsertPresence), and only a
 * new statement sees a row such a write inserted (PostgreSQL's READ COMMITTED).
 */
export async function conciergeRemoved(tx: Sql, tenantId: string, accountId: string): Promise<void> {
	await repo.persistOffline(tx, [accountId]);
	await publishPresence(tx, tenantId, await settleQueue(tx, tenantId));
}

/** A concierge sets itself available or away. Kiosks and consoles of the tenant hear the new counts at once. */
export async function setAvailability(actor: Actor, status: unknown): Promise<PresenceResult> {
	requireRole(actor, 'concierge');
	if (status !== 'available' && status !== 'away') throw new Invalid('bad_status', 'Choose available or away.');
	return withTenant(actor.tenantId, async (tx) => {
		const before = await presenceOfAccount(tx, actor.accountId);
		await repo.upsertPresence(tx, actor.tenantId, actor.accountId, status);
		const state = await presenceOfAccount(tx, actor.accountId);
		if (before !== state)
			await writeAudit(tx, actor, {
				tenantId: actor.tenantId,
				action: 'presence.changed',
				targetType: 'account',
				targetId: actor.accountId,
				ip: actor.ip ?? null,
				detail: { from: before, to: state }
			});
		const s = await settleQueue(tx, actor.tenantId, { newlyAvailable: state === 'available' && before !== 'available' ? [actor.accountId] : [] });
		await publishPresence(tx, actor.tenantId, s);
		if (before !== state) await publishFleetChanged(tx, actor.tenantId, 'concierge');
		return { state, presence: publicPresence(s) };
	});
}
