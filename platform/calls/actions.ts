/**
 * POST /api/calls/[id]/[action] for both apps: one table of what each role may do
 * to a call, so the two routes only parse and call this.
 */
import { NotFound } from '../errors.ts';
import type { Actor } from '../types.ts';
import { requireRole } from './common.ts';
import type { CallAction, CallActions, ConciergeAction, KioskAction } from './contract.ts';
import { acceptCall, cancelCall, hangUpCall } from './lifecycle.ts';
import { answerScreenRequest, reportBlinder, reportShare, requestKioskScreen } from './sharing.ts';
import { issueCallToken } from './tokens.ts';

type Handler<A extends CallAction> = (actor: Actor, callId: string, body: Record<string, unknown>) => Promise<CallActions[A]['result']>;

const KIOSK: { [A in KioskAction]: Handler<A> } = {
	cancel: (a, id) => cancelCall(a, id),
	hangup: (a, id) => hangUpCall(a, id),
	token: (a, id) => issueCallToken(a, id),
	consent: (a, id, b) => answerScreenRequest(a, id, b.consent, b.allowMore),
	blinder: (a, id, b) => reportBlinder(a, id, b.regions),
	share: (a, id, b) => reportShare(a, id, b.state)
};

const CONCIERGE: { [A in ConciergeAction]: Handler<A> } = {
	accept: (a, id) => acceptCall(a, id),
	hangup: (a, id) => hangUpCall(a, id),
	token: (a, id) => issueCallToken(a, id),
	'request-screen': (a, id) => requestKioskScreen(a, id),
	share: (a, id, b) => reportShare(a, id, b.state)
};

export async function runCallAction(actor: Actor, action: string, callId: string, body: Record<string, unknown>): Promise<CallActions[CallAction]['result']> {
	requireRole(actor, 'kiosk', 'concierge');
	const table: Record<string, Handler<CallAction>> = actor.role === 'kiosk' ? KIOSK : CONCIERGE;
	const handler = Object.hasOwn(table, action) ? table[action] : undefined;
	if (!handler) throw new NotFound('unknown_action', 'Unknown call action.');
	return handler(actor, callId, body);
}
