import { eventStream } from '$platform/events/stream.ts';
import { EVENTS_ROLES, eventsStreamOptions } from '$platform/events/routes.ts';
import { requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/**
 * This kiosk's real-time stream (SSE): a snapshot on every connect, then its events; bound to its session,
 * and keeping the kiosk's presence for the fleet view.
 * The built app's server answers this path with its lean handler (platform/web/lean.ts); this route serves `vite dev`.
 */
export const GET: RequestHandler = (event) => {
	const actor = requireRole(event, EVENTS_ROLES.kiosk);
	return eventStream(
		actor,
		event.locals.session!,
		eventsStreamOptions('kiosk', actor, { userAgent: event.request.headers.get('user-agent'), appVersion: event.url.searchParams.get('v') })
	);
};
