import { json } from '@sveltejs/kit';
import { checkStaffPin } from '$platform/policies/policies.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/**
 * The kiosk's staff menu asks for the tenant's staff PIN ({ pin }): { ok }. Not a PIN
 * (not a string of 4 to 8 digits): 400 bad_pin. Five wrong PINs lock this kiosk's PIN
 * entry (429 pin_locked), in the database, across restarts and app instances
 * (platform/policies/staff-pin.ts).
 */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['kiosk']);
	const body = await readJsonObject(event.request);
	const ok = await httpCall(() => checkStaffPin(actor, body.pin));
	return json({ ok });
};
