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
	// Both queries go out in one write on the transaction's connection: one round trip, not two.
	const [rows, waiting] = await Promise.all([repo.presenceStates(tx, presenceTimes()), repo.waitingIds(tx)]);
	const byState = new Map<PresenceState, string[]>([
		['available', []],
		['busy', []],
		['away', []],
		['offline', []]
	]);
	for (const r of rows) byState.get(r.state)!.push(r.accountId);
	return { available: byState.get('available')!.length, busy: byState.get('busy')!.length, waiting, byState, rows };
}

export const presenceOfAccount = (tx: Sql, accountId: string): Promise<PresenceState> => repo.presenceOf(tx, accountId, presenceTimes());

export const publicPresence = (s: TenantPresence): TenantPresence => ({ available: s.available, busy: s.busy, waiting: s.waiting });

/** A console hears the tenant's counts at most this often (the latest always arrives, at most this late). */
export const PRESENCE_EVERY_MS = 250;

/**
 * What a kiosk shows of the tenant's presence: its button (ring someone, queue, or
 * nobody), and the queue of unanswered calls while nobody is available (its position).
 * While someone is available, counts and queue change nothing on a kiosk.
 */
export function kioskShows(s: TenantPresence): string {
	if (s.available > 0) return 'call';
	return `${s.busy > 0 ? 'queue' : 'none'}:${s.waiting.join(',')}`;
}

/** The coalescing lane of the kiosks' presence events (hub.server.ts): its key. */
export const KIOSK_PRESENCE_LANE = 'presence:kiosks';

/**
 * Tell every kiosk, concierge and admin (fleet page) of the tenant who can answer and how long the queue is.
 * Every call placed, cancelled or answered changes the counts, and a tenant may have
 * thousands of kiosks, so each app process thins the event out (hub.server.ts):
 * kiosks get it only when what they show changes (kioskShows), at once, so a ringing
 * kiosk whose last answerer goes away is told without delay; consoles get the latest
 * counts at most every PRESENCE_EVERY_MS, and so do admins' fleet pages.
 */
export async function publishPresence(tx: Sql, tenantId: string, s: TenantPresence): Promise<void> {
	const event = { type: 'presence', data: publicPresence(s) } as const;
	await publishAll(tx, [
		[to.kiosks(tenantId), event, { key: KIOSK_PRESENCE_LANE, everyMs: 0, shows: kioskShows(s) }],
		[to.concierges(tenantId), event, { key: 'presence:concierges', everyMs: PRESENCE_EVERY_MS }],
		[to.admins(tenantId), event, { key: 'presence:admins', everyMs: PRESENCE_EVERY_MS }]
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
