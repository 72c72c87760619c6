import { callSnapshot } from '$platform/calls/calls.ts';
import { eventStream } from '$platform/events/stream.ts';
import { requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** This actor's real-time stream (SSE): a snapshot on every connect, then its events. */
export const GET: RequestHandler = (event) => {
	const actor = requireRole(event, ['kiosk']);
	return eventStream(actor, { snapshot: () => callSnapshot(actor) });
};
