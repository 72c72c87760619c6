import { json } from '@sveltejs/kit';
import { createCall } from '$platform/calls/index.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** The call button. A JSON body is required, so a cross-site form cannot press it. */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['kiosk']);
	await readJsonObject(event.request);
	return json(await httpCall(() => createCall(actor)), { status: 201 });
};
