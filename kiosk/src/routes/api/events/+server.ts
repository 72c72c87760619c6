import { callSnapshot } from '$platform/calls/index.ts';
import { kioskGone, kioskSeen } from '$platform/fleet/fleet.ts';
import { eventStream } from '$platform/events/stream.ts';
import { requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/**
 * This kiosk's real-time stream (SSE): a snapshot on every connect, then its events;
 * bound to its session. The stream also keeps the kiosk's presence for the fleet view.
 */
export const GET: RequestHandler = (event) => {
	const actor = requireRole(event, ['kiosk']);
	const meta = { userAgent: event.request.headers.get('user-agent'), appVersion: event.url.searchParams.get('v') };
	return eventStream(actor, event.locals.session!, {
		snapshot: async () => {
			await kioskSeen(actor, true, meta);
			return callSnapshot(actor);
		},
		onBeat: () => kioskSeen(actor, false),
		onClose: () => kioskGone(actor)
	});
};
