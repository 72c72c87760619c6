/** What each party may see of calls: lists and the snapshot sent on every stream (re)connect. */
import { withTenant, type Sql } from '../db.server.ts';
import type { Actor } from '../types.ts';
import { requireRole, view } from './common.ts';
import type { CallView, Snapshot } from './contract.ts';
import * as repo from './calls.repo.ts';
import { callSettings, presenceOfAccount, publicPresence, tenantState } from './presence.ts';
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

/** Everything a client needs to redraw itself after a (re)connect. */
export async function callSnapshot(actor: Actor): Promise<Snapshot> {
	requireRole(actor, 'kiosk', 'concierge');
	return withTenant(actor.tenantId, async (tx) => {
		const calls = await visibleCalls(tx, actor);
		const presence = publicPresence(await tenantState(tx));
		const settings = callSettings();
		if (actor.role === 'kiosk') return { calls, presence, me: null, settings, hours: await kioskHours(tx, actor.tenantId) };
		const permissions = (await repo.getSharePermissions(tx, actor.accountId)) ?? { canShareScreen: false, canViewKioskScreen: false };
		return { calls, presence, me: { state: await presenceOfAccount(tx, actor.accountId), permissions }, settings };
	});
}
