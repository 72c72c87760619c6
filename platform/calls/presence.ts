/**
 * Who can answer: a concierge's state (available, busy, away, offline), the tenant's
 * counts and queue that kiosks show, and the console stream that keeps a concierge
 * online. The rule for the state itself lives in calls.repo.ts (effectiveState).
 */
import { config } from '../config.server.ts';
import { db, withTenant, type Sql } from '../db.server.ts';
import type { Actor } from '../types.ts';
import { logError, publishAll, to } from './common.ts';
import type { CallSettings, PresenceState, TenantPresence } from './contract.ts';
import * as repo from './calls.repo.ts';
import { refreshSyntheticTenants, tenantKind } from '../tenants/synthetic.ts';

export const presenceTimes = (): repo.PresenceTimes => ({
	offlineGraceSeconds: config().presenceOfflineGraceSeconds,
	wrapUpSeconds: config().callWrapUpSeconds
});

export const callSettings = (): CallSettings => ({
	graceSeconds: config().callGraceSeconds,
	ringSeconds: config().callRingTimeoutSeconds,
	maxCallMinutes: config().callMaxMinutes
});

export interface TenantState extends TenantPresence {
	/** Concierges by state, for ringing the available ones. */
	byState: Map<PresenceState, string[]>;
	rows: repo.PresenceRow[];
}

export async function tenantState(tx: Sql): Promise<TenantState> {
	const rows = await repo.presenceStates(tx, presenceTimes());
	const byState = new Map<PresenceState, string[]>([
		['available', []],
		['busy', []],
		['away', []],
		['offline', []]
	]);
	for (const r of rows) byState.get(r.state)!.push(r.accountId);
	return { available: byState.get('available')!.length, busy: byState.get('busy')!.length, waiting: await repo.waitingIds(tx), byState, rows };
}

export const presenceOfAccount = (tx: Sql, accountId: string): Promise<PresenceState> => repo.presenceOf(tx, accountId, presenceTimes());

export const publicPresence = (s: TenantPresence): TenantPresence => ({ available: s.available, busy: s.busy, waiting: s.waiting });

/** Tell every kiosk, concierge and admin (fleet page) of the tenant who can answer and how long the queue is. */
export async function publishPresence(tx: Sql, tenantId: string, s: TenantPresence): Promise<void> {
	const event = { type: 'presence', data: publicPresence(s) } as const;
	await publishAll(tx, [
		[to.kiosks(tenantId), event],
		[to.concierges(tenantId), event],
		[to.admins(tenantId), event]
	]);
}

// --- the console stream keeps a concierge online -----------------------------------

/** Open console streams per account in this process: only the last one closing marks it disconnected. */
const openStreams = new Map<string, number>();

/** A concierge's console stream opened (or beat): it is connected. */
export async function consoleStreamBeat(actor: Actor): Promise<void> {
	if (actor.role !== 'concierge') return;
	await withTenant(actor.tenantId, (tx) => repo.touchPresence(tx, actor.accountId));
}

export async function consoleStreamOpened(actor: Actor): Promise<void> {
	if (actor.role !== 'concierge') return;
	openStreams.set(actor.accountId, (openStreams.get(actor.accountId) ?? 0) + 1);
	await consoleStreamBeat(actor);
}

/** The stream closed: past the offline grace with no stream back, the worker's sweep makes it offline. */
export async function consoleStreamClosed(actor: Actor): Promise<void> {
	if (actor.role !== 'concierge') return;
	const n = (openStreams.get(actor.accountId) ?? 1) - 1;
	if (n > 0) return void openStreams.set(actor.accountId, n);
	openStreams.delete(actor.accountId);
	try {
		await withTenant(actor.tenantId, (tx) => repo.markDisconnected(tx, actor.accountId));
	} catch (e) {
		logError('marking a concierge disconnected failed', e, { accountId: actor.accountId });
	}
}

/**
 * Concierges by effective state over every customer tenant with live presence or live
 * calls (for the worker's metrics; tenants where everyone is offline are not visited).
 */
export async function conciergeCounts(): Promise<Record<PresenceState, number>> {
	const counts: Record<PresenceState, number> = { available: 0, busy: 0, away: 0, offline: 0 };
	await refreshSyntheticTenants();
	for (const tenantId of await repo.sweepTenants(db())) {
		// The probe's synthetic tenant is no staffing figure.
		if (tenantKind(tenantId) === 'synthetic') continue;
		const s = await withTenant(tenantId, (tx) => tenantState(tx));
		for (const [state, ids] of s.byState) counts[state] += ids.length;
	}
	return counts;
}
