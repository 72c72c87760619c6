import { json } from '@sveltejs/kit';
import { checkStaffPin } from '$platform/policies/policies.ts';
import { TokenBucket } from '$platform/web/rate-limit.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** Five tries per kiosk, then one a minute: a shopper cannot guess the staff PIN. */
const tries = new TokenBucket(5, 1 / 60);

/** The kiosk's staff menu asks for the tenant's staff PIN ({ pin }): { ok }. */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['kiosk']);
	const body = await readJsonObject(event.request);
	if (!tries.take(actor.accountId)) return json({ code: 'pin_locked', message: 'Too many wrong PINs. Try again in a minute.' }, { status: 429 });
	const ok = await httpCall(() => checkStaffPin(actor, body.pin));
	return json({ ok });
};
