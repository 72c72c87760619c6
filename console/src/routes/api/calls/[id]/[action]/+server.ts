import { json } from '@sveltejs/kit';
import { runCallAction } from '$platform/calls/index.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** What a concierge can do to a call (the table is in platform/calls/actions.ts). */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['concierge']);
	const body = await readJsonObject(event.request);
	return json(await httpCall(() => runCallAction(actor, event.params.action, event.params.id, body)));
};
