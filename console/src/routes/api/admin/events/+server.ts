import { eventStream } from '$platform/events/stream.ts';
import { ADMIN_EVENTS_ROLES, adminStreamOptions } from '$platform/events/routes.ts';
import { requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/**
 * An admin's real-time stream (SSE) for the fleet and problem-report pages: a snapshot
 * on every connect, then the events addressed to the tenant's admins; bound to the session.
 */
export const GET: RequestHandler = (event) => {
	const actor = requireRole(event, ADMIN_EVENTS_ROLES);
	return eventStream(actor, event.locals.session!, adminStreamOptions());
};
