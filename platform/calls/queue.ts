/**
 * The queue: only available concierges ring. When all are busy a kiosk's call waits
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
import { publishAll, requireRole, to } from './common.ts';
import type { PresenceResult, RealtimeEvent } from './contract.ts';
import type { Target } from '../events/events.ts';
import * as repo from './calls.repo.ts';
import type { CallRow } from './calls.repo.ts';
import { missCall } from './outcomes.ts';
import { presenceOfAccount, publicPresence, publishPresence, tenantState, type TenantState } from './presence.ts';
import { readRingTimeout } from '../policies/policies.repo.ts';

const ringEvent = (c: CallRow, ringExpiresAt: string | null): RealtimeEvent => ({
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
	const ringSeconds = (await readRingTimeout(tx, tenantId)) ?? config().callRingTimeoutSeconds;
	const queued = waiting.filter((c) => !c.ringExpiresAt);
	await repo.setRingExpiry(
		tx,
		queued.map((c) => c.id),
		ringSeconds
	);
	const expiry = new Date(Date.now() + ringSeconds * 1000).toISOString();
	const available = s.byState.get('available')!;
	const newly = new Set(opts.newlyAvailable ?? []);
	const events: [Target, RealtimeEvent][] = [];
	for (const c of waiting) {
		const wasQueued = !c.ringExpiresAt;
		const ringExpiresAt = wasQueued ? expiry : c.ringExpiresAt!.toISOString();
		if (wasQueued) events.push([to.accounts(tenantId, available), ringEvent(c, ringExpiresAt)]);
		else if (newly.size) events.push([to.accounts(tenantId, [...newly]), ringEvent(c, ringExpiresAt)]);
	}
	await publishAll(tx, events);
	return s;
}

/** Ring the tenant's available concierges for a new call (inside its transaction). */
export async function ringAvailable(tx: Sql, s: TenantState, c: CallRow): Promise<void> {
	await publishAll(tx, [[to.accounts(c.tenantId, s.byState.get('available')!), ringEvent(c, c.ringExpiresAt?.toISOString() ?? null)]]);
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
		return { state, presence: publicPresence(s) };
	});
}
