/**
 * What each app's `/api/events` stream is, in one place: who may open it and what it
 * sends and does. Both the SvelteKit route (kept for `vite dev`) and the lean
 * handler of the built app's server (platform/web/lean.ts) serve it from here.
 */
import { callSnapshot, consoleStreamBeat, consoleStreamClosed, consoleStreamOpened } from '../calls/index.ts';
import type { Actor, AppName, Role } from '../types.ts';
import type { StreamOptions } from './stream.ts';

/** The roles that may open each app's stream. */
export const EVENTS_ROLES: Record<AppName, readonly Role[]> = { kiosk: ['kiosk'], console: ['concierge'] };

/**
 * The stream's options for an actor already checked against EVENTS_ROLES: a kiosk gets
 * its snapshot; a concierge's stream also keeps the concierge online while it is open
 * (platform/calls/presence.ts).
 */
export function eventsStreamOptions(app: AppName, actor: Actor): StreamOptions {
	if (app === 'kiosk') return { snapshot: () => callSnapshot(actor) };
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
