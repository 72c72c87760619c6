/**
 * Screen sharing both ways. The concierge may show its screen if its administrator
 * allows it; it may ask to see the kiosk's screen, and only the kiosk user can
 * answer, on the kiosk. Consent opens SCREEN_SHARE in the kiosk's LiveKit grant;
 * stopping closes it again, so the next share needs new consent.
 */
import { withTenant } from '../db.server.ts';
import { Conflict, Forbidden, Invalid } from '../errors.ts';
import { TrackSource } from '../livekit.server.ts';
import type { Actor } from '../types.ts';
import { loadCall, logError, parseCallId, record, requireParty, requireRole, to, view } from './common.ts';
import type { CallView, ShareReport } from './contract.ts';
import * as repo from './calls.repo.ts';
import type { CallRow } from './calls.repo.ts';
import { isGone, SHARE_CONSENTED, SHARE_WITHHELD, updateGrant } from './rooms.ts';
import { identityOf } from './tokens.ts';

const SHARE_REPORTS: readonly string[] = ['live', 'paused', 'off'] satisfies ShareReport[];
const AUDIT = { live: 'call.share_started', paused: 'call.share_paused', off: 'call.share_stopped' } as const;

async function setKioskGrant(call: CallRow, sources: TrackSource[]): Promise<void> {
	try {
		await updateGrant(call.roomName, identityOf(call.tenantId, call.kioskAccountId), sources);
	} catch (e) {
		// Not joined yet: its next token carries the same grants (issueCallToken reads kiosk_share).
		logError('updateParticipant failed', e, { callId: call.id });
	}
}

/** The concierge asks to see the kiosk's screen. Only the kiosk can answer. */
export async function requestKioskScreen(actor: Actor, callId: unknown): Promise<CallView> {
	requireRole(actor, 'concierge');
	const id = parseCallId(callId);
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		requireParty(c, actor);
		if (c.state !== 'accepted') throw new Conflict('call_not_active', 'This call is not in progress.');
		const perms = await repo.getSharePermissions(tx, actor.accountId);
		if (!perms?.canViewKioskScreen) throw new Forbidden('share_not_permitted', 'Your administrator has not allowed you to view kiosk screens.');
		if (c.kioskShare === 'allowed') throw new Conflict('already_sharing', 'The kiosk is already sharing its screen.');
		await repo.setKioskShare(tx, id, 'requested');
		await record(tx, actor, actor.tenantId, { action: 'call.share_requested', callId: id }, [
			[to.account(actor.tenantId, c.kioskAccountId), { type: 'call.share_requested', data: { callId: id, conciergeName: c.conciergeName } }]
		]);
		return loadCall(tx, id);
	});
	return view(call, actor);
}

/** The kiosk user answers the request, on the kiosk. Consent opens SCREEN_SHARE in the kiosk's grant. */
export async function answerScreenRequest(actor: Actor, callId: unknown, consent: unknown): Promise<CallView> {
	requireRole(actor, 'kiosk');
	const id = parseCallId(callId);
	if (typeof consent !== 'boolean') throw new Invalid('bad_consent', 'Answer yes or no.');
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		requireParty(c, actor);
		if (c.state !== 'accepted') throw new Conflict('call_not_active', 'This call is not in progress.');
		if (c.kioskShare !== 'requested') throw new Conflict('no_request', 'There is no request to answer.');
		await repo.setKioskShare(tx, id, consent ? 'allowed' : 'off');
		await record(tx, actor, actor.tenantId, { action: consent ? 'call.share_consented' : 'call.share_refused', callId: id }, [
			[to.parties(c), { type: 'call.share_answered', data: { callId: id, consent } }]
		]);
		return loadCall(tx, id);
	});
	if (consent) await setKioskGrant(call, SHARE_CONSENTED);
	return view(call, actor);
}

/**
 * Either side reports its own share going live, pausing or stopping (audited, and
 * told to the other side). A kiosk's stop withdraws SCREEN_SHARE from its grant.
 */
export async function reportShare(actor: Actor, callId: unknown, state: unknown): Promise<CallView> {
	requireRole(actor, 'kiosk', 'concierge');
	const id = parseCallId(callId);
	if (typeof state !== 'string' || !SHARE_REPORTS.includes(state)) throw new Invalid('bad_share_state', 'Unknown sharing state.');
	const s = state as ShareReport;
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		const party = requireParty(c, actor);
		if (c.state !== 'accepted') throw new Conflict('call_not_active', 'This call is not in progress.');
		if (party === 'kiosk' && c.kioskShare !== 'allowed' && s !== 'off') throw new Forbidden('no_consent', 'Screen sharing needs the kiosk user’s consent first.');
		if (party === 'concierge' && s !== 'off' && !(await repo.getSharePermissions(tx, actor.accountId))?.canShareScreen)
			throw new Forbidden('share_not_permitted', 'Your administrator has not allowed you to share your screen.');
		if (party === 'kiosk' && s === 'off') await repo.setKioskShare(tx, id, 'off');
		await record(tx, actor, actor.tenantId, { action: AUDIT[s], callId: id, detail: { by: party } }, [
			[to.parties(c), { type: 'call.share_state', data: { callId: id, by: party, state: s } }]
		]);
		return loadCall(tx, id);
	});
	if (actor.role === 'kiosk' && s === 'off') await setKioskGrant(call, SHARE_WITHHELD);
	return view(call, actor);
}

/**
 * After an admin changed a concierge's share permissions: tell its open consoles at
 * once, and bring its grant in its live call in line (LiveKit keeps a connected
 * participant's grants across its own token refreshes). Withdrawing SCREEN_SHARE
 * makes LiveKit stop accepting the concierge's screen track. Best effort: not joined
 * yet means its next token carries the new grant; a LiveKit failure is logged and
 * never undoes the committed change.
 */
export async function applyConciergeShareGrant(tenantId: string, accountId: string): Promise<{ updated: number }> {
	const { calls, perms } = await withTenant(tenantId, async (tx) => {
		const perms = await repo.getSharePermissions(tx, accountId);
		if (perms) await record(tx, null, tenantId, null, [[to.account(tenantId, accountId), { type: 'permissions', data: perms }]]);
		return { calls: (await repo.liveCallsOfAccount(tx, accountId)).filter((c) => c.state === 'accepted' && c.conciergeAccountId === accountId), perms };
	});
	const sources = perms?.canShareScreen ? SHARE_CONSENTED : SHARE_WITHHELD;
	let updated = 0;
	for (const c of calls) {
		try {
			await updateGrant(c.roomName, identityOf(tenantId, accountId), sources);
			updated++;
		} catch (e) {
			if (!isGone(e)) logError('updateParticipant (share permissions) failed', e, { callId: c.id });
		}
	}
	return { updated };
}
