import { error, json } from '@sveltejs/kit';
import { answerScreenRequest, cancelCall, hangUpCall, issueCallToken, reportShare } from '$platform/calls/calls.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** What the kiosk can do to its own call: cancel, hang up, get its token, answer a share request, report its share. */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['kiosk']);
	const body = await readJsonObject(event.request);
	const id = event.params.id;
	switch (event.params.action) {
		case 'cancel':
			return json(await httpCall(() => cancelCall(actor, id)));
		case 'hangup':
			return json(await httpCall(() => hangUpCall(actor, id)));
		case 'token':
			return json(await httpCall(() => issueCallToken(actor, id)));
		case 'consent':
			return json(await httpCall(() => answerScreenRequest(actor, id, body.consent)));
		case 'share':
			return json(await httpCall(() => reportShare(actor, id, body.state)));
		default:
			error(404, { message: 'Unknown call action.', code: 'not_found' });
	}
};
