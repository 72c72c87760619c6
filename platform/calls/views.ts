/** What each party may see of calls: lists and the snapshot sent on every stream (re)connect. */
import { withTenant, type Sql } from '../db.server.ts';
import type { Actor } from '../types.ts';
import { requireRole, view } from './common.ts';
import type { CallView, Snapshot } from './contract.ts';
import * as repo from './calls.repo.ts';
import { callSettings, KIOSK_PRESENCE_LANE, kioskShows, presenceOfAccount, publicPresence, tenantState } from './presence.ts';
import { snapshotShowed } from '../events/hub.server.ts';
import { readPolicy } from '../policies/policies.repo.ts';
import { isOpen, nextChange } from '../policies/hours.ts';

/** The kiosk's view of the tenant's business hours now (see KioskHours). */
async function kioskHours(tx: Sql, tenantId: string, now = new Date()): Promise<NonNullable<Snapshot['hours']>> {
	const p = await readPolicy(tx, tenantId);
	if (!p) return { open: true, message: '', nextChangeInMs: null };
	const next = nextChange(p, now);
	return { open: isOpen(p, now), message: p.closedMessage, nextChangeInMs: next ? next.getTime() - now.getTime() : null };
}

/**
 * A kiosk sees only its own live call. A concierge sees its own live call and, while
 * it is available, the tenant's unanswered calls (only available concierges ring).
 */
async function visibleCalls(tx: Sql, actor: Actor): Promise<CallView[]> {
	const ringing = actor.role === 'concierge' && (await presenceOfAccount(tx, actor.accountId)) === 'available';
	const rows = await repo.listLiveCalls(tx, actor.accountId, ringing);
	return rows.filter((c) => actor.role !== 'kiosk' || c.kioskAccountId === actor.accountId).map((c) => view(c, actor));
}

export async function listCalls(actor: Actor): Promise<CallView[]> {
	requireRole(actor, 'kiosk', 'concierge');
	return withTenant(actor.tenantId, (tx) => visibleCalls(tx, actor));
}

/**
 * Everything a client needs to redraw itself after a (re)connect. `alongside`, when
 * given, runs in the same transaction, its statements sent first and with the reads
 * (a kiosk's stream stamps its open this way: platform/events/routes.ts).
 */
export async function callSnapshot(actor: Actor, alongside?: (tx: Sql) => Promise<void>): Promise<Snapshot> {
	requireRole(actor, 'kiosk', 'concierge');
	return withTenant(actor.tenantId, async (tx) => {
		// The statements go out together, in one round trip with BEGIN (a restarted kiosk
		// instance reopens 10,000 streams at once, each with this snapshot).
		const kiosk = actor.role === 'kiosk';
		const [, calls, state, hours, permissions, mine] = await Promise.all([
			alongside?.(tx),
			visibleCalls(tx, actor),
			tenantState(tx),
			kiosk ? kioskHours(tx, actor.tenantId) : undefined,
			kiosk ? undefined : repo.getSharePermissions(tx, actor.accountId),
			kiosk ? undefined : presenceOfAccount(tx, actor.accountId)
		]);
		const presence = publicPresence(state);
		const settings = callSettings();
		if (kiosk) {
			// Presence may have changed by time since this process's kiosks last heard of it.
			snapshotShowed(actor.tenantId, KIOSK_PRESENCE_LANE, kioskShows(presence));
			return { calls, presence, me: null, settings, hours };
		}
		return { calls, presence, me: { state: mine!, permissions: permissions ?? { canShareScreen: false, canViewKioskScreen: false } }, settings };
	});
}
