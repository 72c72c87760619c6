/**
 * What each app's `/api/events` stream is, in one place: who may open it and what it
 * sends and does. Both the SvelteKit route (kept for `vite dev`) and the lean
 * handler of the built app's server (platform/web/lean.ts) serve it from here.
 */
import { callSnapshot, consoleStreamBeat, consoleStreamClosed, consoleStreamOpened } from '../calls/index.ts';
import { kioskGone, kioskOpened, kiosksSeen } from '../fleet/fleet.ts';
import type { Actor, AppName, Role } from '../types.ts';
import type { StreamOptions } from './stream.ts';

/** The roles that may open each app's stream. */
export const EVENTS_ROLES: Record<AppName, readonly Role[]> = { kiosk: ['kiosk'], console: ['concierge'] };

/** What the kiosk says about itself when it opens its stream (for the fleet view; validated there). */
export interface StreamClientMeta {
	userAgent?: string | null;
	appVersion?: string | null;
}

/**
 * The key and statement of the heartbeat that stamps a tenant's kiosks seen, made once per
 * tenant: a process holds thousands of kiosk streams of few tenants, and each would otherwise
 * keep its own copy of the key and of the function.
 */
const kioskSeenBeats = new Map<string, { key: string; run: (ids: string[]) => Promise<void> }>();
function kioskSeenBeat(tenantId: string) {
	let b = kioskSeenBeats.get(tenantId);
	if (!b) kioskSeenBeats.set(tenantId, (b = { key: `kiosk-seen:${tenantId}`, run: (ids) => kiosksSeen(tenantId, ids) }));
	return b;
}

/**
 * The stream's options for an actor already checked against EVENTS_ROLES: a kiosk's
 * stream keeps its presence for the fleet view (platform/fleet/fleet.ts); a concierge's
 * stream keeps the concierge online while it is open (platform/calls/presence.ts).
 */
export function eventsStreamOptions(app: AppName, actor: Actor, meta: StreamClientMeta = {}): StreamOptions {
	if (app === 'kiosk')
		return {
			// The open is stamped (and the fleet pages told) in the snapshot's transaction: one round trip and a COMMIT.
			snapshot: () => callSnapshot(actor, (tx) => kioskOpened(tx, actor, meta)),
			// A heartbeat stamps the tenant's kiosk streams beating then in one statement. Each kiosk is
			// stamped on every third beat (45 s), which keeps it inside the fleet's online window
			// (ONLINE_MS, 60 s) at a third of the writes: 10,000 kiosks cost PostgreSQL 220 rows a second.
			sharedBeat: { ...kioskSeenBeat(actor.tenantId), item: actor.accountId, everyBeats: 3 },
			onClose: () => kioskGone(actor)
		};
	let opened = false;
	return {
		snapshot: async () => {
			await consoleStreamOpened(actor);
			opened = true;
			return callSnapshot(actor);
		},
		onBeat: () => consoleStreamBeat(actor),
		onClose: async () => {
			if (opened) await consoleStreamClosed(actor);
		}
	};
}

/** Who may open the console's admin stream (`/api/admin/events`): the tenant's admins. */
export const ADMIN_EVENTS_ROLES: readonly Role[] = ['admin'];

/**
 * The stream of an admin's fleet and problem-report pages: events addressed to the
 * tenant's admins (`fleet.changed`, `presence`), on which the page reads its data again.
 * Its snapshot is only the time: after a reconnect the page reads everything again.
 * It keeps no presence: an admin is never rung.
 */
export function adminStreamOptions(): StreamOptions {
	return { snapshot: async () => ({ at: new Date().toISOString() }) };
}
