import { json } from '@sveltejs/kit';
import { setAvailability } from '$platform/calls/index.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** A concierge sets itself available or away. */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['concierge']);
	const body = await readJsonObject(event.request);
	return json(await httpCall(() => setAvailability(actor, body.status)));
};
