/**
 * The concierge's photo for the kiosk of a live call (issue 9, item 2): shown on the
 * kiosk while the call connects and while the concierge's camera is off. Only the
 * call's own kiosk gets it, only while the call is answered and not over: another
 * tenant's kiosk finds no call (RLS: 404), another kiosk of the tenant is no party
 * (403), a ringing or ended call has no photo to show (404).
 */
import { withTenant } from '../db.server.ts';
import { NotFound } from '../errors.ts';
import { getPhoto } from '../accounts/accounts.repo.ts';
import type { Actor } from '../types.ts';
import { loadCall, parseCallId, requireParty, requireRole } from './common.ts';

export async function callConciergePhoto(actor: Actor, callId: unknown): Promise<{ photo: Uint8Array; type: string; updatedAt: Date }> {
	requireRole(actor, 'kiosk');
	const id = parseCallId(callId);
	return withTenant(actor.tenantId, async (tx) => {
		const call = await loadCall(tx, id);
		requireParty(call, actor);
		if (call.state !== 'accepted' || call.endedAt !== null || !call.conciergeAccountId) throw new NotFound('call_not_live', 'That call is not in progress.');
		const p = await getPhoto(tx, call.conciergeAccountId);
		if (!p) throw new NotFound('photo_not_found', 'The concierge has no photo.');
		return p;
	});
}
