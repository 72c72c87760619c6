import { callSnapshot } from '$platform/calls/index.ts';
import { eventStream } from '$platform/events/stream.ts';
import { requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** This kiosk's real-time stream (SSE): a snapshot on every connect, then its events; bound to its session. */
export const GET: RequestHandler = (event) => {
	const actor = requireRole(event, ['kiosk']);
	return eventStream(actor, event.locals.session!, { snapshot: () => callSnapshot(actor) });
};
