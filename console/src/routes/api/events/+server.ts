import { callSnapshot, consoleStreamBeat, consoleStreamClosed, consoleStreamOpened } from '$platform/calls/index.ts';
import { eventStream } from '$platform/events/stream.ts';
import { requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/**
 * A concierge's real-time stream (SSE): a snapshot on every connect, then its events;
 * bound to its session. While it is open the concierge counts as connected.
 */
export const GET: RequestHandler = (event) => {
	const actor = requireRole(event, ['concierge']);
	let opened = false;
	return eventStream(actor, event.locals.session!, {
		snapshot: async () => {
			await consoleStreamOpened(actor);
			opened = true;
			return callSnapshot(actor);
		},
		onBeat: () => consoleStreamBeat(actor),
		onClose: async () => {
			if (opened) await consoleStreamClosed(actor);
		}
	});
};
