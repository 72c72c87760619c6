import { error, json } from '@sveltejs/kit';
import { acceptCall, hangUpCall, issueCallToken, reportShare, requestKioskScreen } from '$platform/calls/calls.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** What a concierge can do to a call: accept, hang up, get its token, ask for the kiosk's screen, report its own share. */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['concierge']);
	const body = await readJsonObject(event.request);
	const id = event.params.id;
	switch (event.params.action) {
		case 'accept':
			return json(await httpCall(() => acceptCall(actor, id)));
		case 'hangup':
			return json(await httpCall(() => hangUpCall(actor, id)));
		case 'token':
			return json(await httpCall(() => issueCallToken(actor, id)));
		case 'request-screen':
			return json(await httpCall(() => requestKioskScreen(actor, id)));
		case 'share':
			return json(await httpCall(() => reportShare(actor, id, body.state)));
		default:
			error(404, { message: 'Unknown call action.', code: 'not_found' });
	}
};
