import { json } from '@sveltejs/kit';
import { listCalls } from '$platform/calls/index.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** The tenant's ringing calls and this concierge's own live call. */
export const GET: RequestHandler = async (event) => {
	const actor = requireRole(event, ['concierge']);
	return json(await httpCall(() => listCalls(actor)));
};
