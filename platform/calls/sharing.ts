/**
 * Screen sharing both ways. The concierge may show its screen if its administrator
 * allows it; it may ask to see the kiosk's screen, and only the kiosk user can
 * answer, on the kiosk. Consent opens SCREEN_SHARE in the kiosk's LiveKit grant;
 * stopping closes it again, so the next share needs new consent.
 */
import { withTenant } from '../db.server.ts';
import { Conflict, DomainError, Forbidden, Invalid, RateLimited } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { TrackSource } from '../livekit.server.ts';
import type { Actor } from '../types.ts';
import { loadCall, logError, parseCallId, record, requireParty, requireRole, to, view } from './common.ts';
import type { BlinderRegion, CallView, ShareReport } from './contract.ts';
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

/** After a refusal, the concierge cannot ask again for this long. */
export const SHARE_REFUSAL_COOLDOWN_SECONDS = 60;
/** Requests in one call before the shopper must have allowed further ones. */
export const SHARE_REQUESTS_WITHOUT_LEAVE = 2;

/**
 * The concierge asks to see the kiosk's screen. Only the kiosk can answer. A refusal
 * blocks the next request for 60 s; a third request in one call needs the shopper to
 * have allowed further requests (on the kiosk). A blocked request is audited too.
 */
export async function requestKioskScreen(actor: Actor, callId: unknown): Promise<CallView> {
	requireRole(actor, 'concierge');
	const id = parseCallId(callId);
	const { call, blocked } = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		requireParty(c, actor);
		if (c.state !== 'accepted') throw new Conflict('call_not_active', 'This call is not in progress.');
		const perms = await repo.getSharePermissions(tx, actor.accountId);
		if (!perms?.canViewKioskScreen) throw new Forbidden('share_not_permitted', 'Your administrator has not allowed you to view kiosk screens.');
		if (c.kioskShare === 'allowed') throw new Conflict('already_sharing', 'The kiosk is already sharing its screen.');
		if (c.kioskShare === 'requested') throw new Conflict('already_requested', 'The kiosk has not answered your request yet.');
		const rs = await repo.getShareRequestState(tx, id);
		let blocked: DomainError | null = null;
		if (rs && rs.refusedAgo !== null && rs.refusedAgo < SHARE_REFUSAL_COOLDOWN_SECONDS) {
			const wait = Math.max(1, Math.ceil(SHARE_REFUSAL_COOLDOWN_SECONDS - rs.refusedAgo));
			blocked = new RateLimited('share_refused_recently', `The customer declined a moment ago. You can ask again in ${wait} s.`);
		} else if (rs && rs.requests >= SHARE_REQUESTS_WITHOUT_LEAVE && !rs.moreAllowed) {
			blocked = new Forbidden('share_requests_exhausted', 'The customer has not allowed further screen requests in this call.');
		}
		if (blocked) {
			await record(tx, actor, actor.tenantId, { action: 'call.share_request_blocked', callId: id, detail: { reason: blocked.code } });
			return { call: c, blocked };
		}
		await repo.countShareRequest(tx, id);
		await repo.setKioskShare(tx, id, 'requested');
		await record(tx, actor, actor.tenantId, { action: 'call.share_requested', callId: id, detail: { nth: (rs?.requests ?? 0) + 1 } }, [
			[to.account(actor.tenantId, c.kioskAccountId), { type: 'call.share_requested', data: { callId: id, conciergeName: c.conciergeName } }]
		]);
		return { call: await loadCall(tx, id), blocked: null };
	});
	if (blocked) throw blocked;
	return view(call, actor);
}

/**
 * The kiosk user answers the request, on the kiosk (only a kiosk session reaches
 * this; no concierge or platform path sets the answer). Consent opens SCREEN_SHARE
 * in the kiosk's grant; `allowMore` lets the concierge ask beyond the second request.
 */
export async function answerScreenRequest(actor: Actor, callId: unknown, consent: unknown, allowMore: unknown = false): Promise<CallView> {
	requireRole(actor, 'kiosk');
	const id = parseCallId(callId);
	if (typeof consent !== 'boolean') throw new Invalid('bad_consent', 'Answer yes or no.');
	if (allowMore !== undefined && typeof allowMore !== 'boolean') throw new Invalid('bad_consent', 'allowMore must be true or false.');
	const more = allowMore === true;
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		requireParty(c, actor);
		if (c.state !== 'accepted') throw new Conflict('call_not_active', 'This call is not in progress.');
		if (c.kioskShare !== 'requested') throw new Conflict('no_request', 'There is no request to answer.');
		await repo.setKioskShare(tx, id, consent ? 'allowed' : 'off');
		await repo.recordShareAnswer(tx, id, consent, more);
		await record(tx, actor, actor.tenantId, { action: consent ? 'call.share_consented' : 'call.share_refused', callId: id, detail: { allowMore: more } }, [
			[to.parties(c), { type: 'call.share_answered', data: { callId: id, consent } }]
		]);
		return loadCall(tx, id);
	});
	if (consent) await setKioskGrant(call, SHARE_CONSENTED);
	return view(call, actor);
}

const MAX_REGIONS = 20;

/** Validates blinder regions: at most 20 rectangles in fractions of the screen. */
export function parseBlinderRegions(regions: unknown): BlinderRegion[] {
	if (!Array.isArray(regions) || regions.length > MAX_REGIONS) throw new Invalid('bad_regions', `Give at most ${MAX_REGIONS} regions.`);
	return regions.map((r: unknown) => {
		if (!r || typeof r !== 'object') throw new Invalid('bad_regions', 'Each region is {x, y, w, h}.');
		const { x, y, w, h } = r as Record<string, unknown>;
		const n = [x, y, w, h];
		if (!n.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1)) throw new Invalid('bad_regions', 'Region coordinates are fractions between 0 and 1.');
		const [rx, ry, rw, rh] = n as number[];
		if (rw! <= 0 || rh! <= 0 || rx! + rw! > 1.0001 || ry! + rh! > 1.0001) throw new Invalid('bad_regions', 'A region must lie within the screen.');
		const round = (v: number) => Math.round(v * 10000) / 10000;
		return { x: round(rx!), y: round(ry!), w: round(rw!), h: round(rh!) };
	});
}

/**
 * The kiosk reports the shopper's own blinder regions (each change is audited, and
 * the concierge is told how many regions are hidden; never what is under them).
 */
export async function reportBlinder(actor: Actor, callId: unknown, regions: unknown): Promise<CallView> {
	requireRole(actor, 'kiosk');
	const id = parseCallId(callId);
	const list = parseBlinderRegions(regions);
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		requireParty(c, actor);
		if (c.state !== 'accepted') throw new Conflict('call_not_active', 'This call is not in progress.');
		const policy = await repo.getPrivacyPolicy(tx, actor.tenantId);
		await record(tx, actor, actor.tenantId, { action: 'call.blinder_changed', callId: id, detail: { regions: list } }, [
			[to.parties(c), { type: 'call.blinder', data: { callId: id, fixed: policy.blinderRegions.length, shopper: list.length } }]
		]);
		return c;
	});
	return view(call, actor);
}

/** The tenant's privacy policy (admin): fixed blinder regions and end-to-end encryption. */
export async function getPrivacyPolicy(actor: Actor): Promise<repo.PrivacyPolicy> {
	requireRole(actor, 'admin');
	return withTenant(actor.tenantId, (tx) => repo.getPrivacyPolicy(tx, actor.tenantId));
}

export async function setPrivacyPolicy(actor: Actor, input: { blinderRegions?: unknown; e2ee?: unknown }): Promise<repo.PrivacyPolicy> {
	requireRole(actor, 'admin');
	const regions = input.blinderRegions === undefined ? undefined : parseBlinderRegions(input.blinderRegions);
	if (input.e2ee !== undefined && typeof input.e2ee !== 'boolean') throw new Invalid('bad_e2ee', 'End-to-end encryption is on or off.');
	const e2ee = input.e2ee as boolean | undefined;
	return withTenant(actor.tenantId, async (tx) => {
		if (regions) {
			await repo.setBlinderRegions(tx, actor.tenantId, regions);
			await writeAudit(tx, actor, {
				tenantId: actor.tenantId,
				action: 'tenant.blinder_changed',
				targetType: 'tenant',
				targetId: actor.tenantId,
				ip: actor.ip ?? null,
				detail: { regions }
			});
		}
		if (e2ee !== undefined) {
			await repo.setE2ee(tx, actor.tenantId, e2ee);
			await writeAudit(tx, actor, {
				tenantId: actor.tenantId,
				action: 'tenant.encryption_changed',
				targetType: 'tenant',
				targetId: actor.tenantId,
				ip: actor.ip ?? null,
				detail: { e2ee }
			});
		}
		return repo.getPrivacyPolicy(tx, actor.tenantId);
	});
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
