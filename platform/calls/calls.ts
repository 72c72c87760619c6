/**
 * Calls: a kiosk rings its tenant's available concierges, the first accept wins,
 * both parties get a LiveKit token for the call's one room, and either side ends it.
 * Tenant checks, audit writes and real-time events all happen here; routes only
 * parse input and call these functions.
 */
import { randomBytes } from 'node:crypto';
import { config } from '../config.server.ts';
import { db, isUuid, withTenant, type Sql } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { publish, type RealtimeEvent, type Target } from '../events/events.ts';
import { livekitUrl, mintJoinToken, roomService, TrackSource } from '../livekit.server.ts';
import type { Actor } from '../types.ts';
import { logError as logErrorLine, logInfo } from '../log.ts';
import * as repo from './calls.repo.ts';
import type { CallRow, CallState } from './calls.repo.ts';

/** Join tokens only need to last until the client connects; LiveKit refreshes them for connected clients. */
export const TOKEN_TTL_SECONDS = 120;
/** An answered call's room closes this long after it empties. */
const ROOM_EMPTY_TIMEOUT_SECONDS = 30;
const ROOM_DEPARTURE_TIMEOUT_SECONDS = 20;

/** What the apps (and so the browsers) see of a call. No room name: that travels only inside a token. */
export interface CallView {
	id: string;
	state: CallState;
	kioskName: string;
	conciergeName: string | null;
	createdAt: string;
	ringExpiresAt: string;
	acceptedAt: string | null;
	endedAt: string | null;
	endReason: string | null;
	kioskShare: repo.KioskShare;
	/** The viewer's own part in the call, if any. */
	mine: boolean;
}

export interface Connection {
	url: string;
	token: string;
	identity: string;
}

const view = (c: CallRow, viewer: Actor): CallView => ({
	id: c.id,
	state: c.state,
	kioskName: c.kioskName,
	conciergeName: c.conciergeName,
	createdAt: c.createdAt.toISOString(),
	ringExpiresAt: c.ringExpiresAt.toISOString(),
	acceptedAt: c.acceptedAt?.toISOString() ?? null,
	endedAt: c.endedAt?.toISOString() ?? null,
	endReason: c.endReason,
	kioskShare: c.kioskShare,
	mine: c.kioskAccountId === viewer.accountId || c.conciergeAccountId === viewer.accountId
});

/** LiveKit identity: derived from tenant and account, so one account is one participant. */
export const identityOf = (tenantId: string, accountId: string) => `${tenantId}.${accountId}`;

export function parseIdentity(identity: string): { tenantId: string; accountId: string } | null {
	const [tenantId, accountId, ...rest] = identity.split('.');
	if (rest.length || !isUuid(tenantId) || !isUuid(accountId)) return null;
	return { tenantId, accountId };
}

const newRoomName = () => `call_${randomBytes(24).toString('base64url')}`;

const parties = (c: Pick<CallRow, 'tenantId' | 'id' | 'kioskAccountId' | 'conciergeAccountId'>): Target => ({
	tenantId: c.tenantId,
	call: c.id,
	accounts: [c.kioskAccountId, ...(c.conciergeAccountId ? [c.conciergeAccountId] : [])]
});
const concierges = (tenantId: string): Target => ({ tenantId, audience: 'concierges' });
const kiosks = (tenantId: string): Target => ({ tenantId, audience: 'kiosks' });

const log = (msg: string, fields: Record<string, unknown> = {}) => logInfo('calls', msg, fields);
const logError = (msg: string, e: unknown, fields: Record<string, unknown> = {}) => logErrorLine('calls', msg, e, fields);

/** LiveKit's answer when the participant or room is already gone: for a removal, the outcome we wanted. */
const gone = (e: unknown) => /not.?found|does not exist/i.test(String((e as Error)?.message));

function requireRole(actor: Actor, ...roles: Actor['role'][]): void {
	if (!roles.includes(actor.role)) throw new Forbidden('wrong_role', 'Your account cannot do this.');
}

function parseCallId(callId: unknown): string {
	if (!isUuid(callId)) throw new NotFound('call_not_found', 'That call does not exist.');
	return callId;
}

async function loadCall(tx: Sql, callId: string, forUpdate = false): Promise<CallRow> {
	const call = await repo.getCall(tx, callId, { forUpdate });
	if (!call) throw new NotFound('call_not_found', 'That call does not exist.');
	return call;
}

function requireParty(call: CallRow, actor: Actor): 'kiosk' | 'concierge' {
	if (actor.role === 'kiosk' && call.kioskAccountId === actor.accountId) return 'kiosk';
	if (actor.role === 'concierge' && call.conciergeAccountId === actor.accountId) return 'concierge';
	throw new Forbidden('not_your_call', 'This call is not yours.');
}

const ended = (c: CallRow): RealtimeEvent => ({ type: 'call.ended', data: { callId: c.id, reason: c.endReason } });

/** Delete the room after a call ends; a room that is already gone is fine. */
async function closeRoom(roomName: string): Promise<void> {
	try {
		await roomService().deleteRoom(roomName);
	} catch (e) {
		if (!gone(e)) logError('deleteRoom failed', e, { room: roomName });
	}
}

// --- presence ---------------------------------------------------------------------

/** A concierge sets itself available or away. Kiosks and consoles of the tenant hear the new count. */
export async function setAvailability(actor: Actor, status: unknown): Promise<{ status: 'available' | 'away'; available: number }> {
	requireRole(actor, 'concierge');
	if (status !== 'available' && status !== 'away') throw new Invalid('bad_status', 'Choose available or away.');
	return withTenant(actor.tenantId, async (tx) => {
		await repo.upsertPresence(tx, actor.tenantId, actor.accountId, status);
		const available = await repo.countAvailable(tx);
		await publishPresence(tx, actor.tenantId, available);
		return { status, available };
	});
}

async function publishPresence(tx: Sql, tenantId: string, available: number): Promise<void> {
	const ev: RealtimeEvent = { type: 'presence', data: { available } };
	await publish(tx, kiosks(tenantId), ev);
	await publish(tx, concierges(tenantId), ev);
}

/** Called while a concierge's event stream is open, so "available" means "connected". */
export async function touchPresence(actor: Actor): Promise<void> {
	if (actor.role !== 'concierge') return;
	await withTenant(actor.tenantId, (tx) => repo.touchPresence(tx, actor.accountId));
}

// --- ringing ----------------------------------------------------------------------

/** The kiosk's call button. Rings every available concierge of the kiosk's tenant. */
export async function createCall(actor: Actor): Promise<CallView> {
	requireRole(actor, 'kiosk');
	const call = await withTenant(actor.tenantId, async (tx) => {
		if ((await repo.countAvailable(tx)) === 0) throw new Conflict('no_concierge', 'No concierge is available right now. Please try again in a moment.');
		let id: string;
		try {
			id = await repo.insertCall(tx, { tenantId: actor.tenantId, kioskAccountId: actor.accountId, roomName: newRoomName(), ringSeconds: config().callRingTimeoutSeconds });
		} catch (e) {
			if ((e as { constraint_name?: string }).constraint_name === 'calls_one_live_per_kiosk')
				throw new Conflict('call_in_progress', 'A call from this terminal is already in progress.');
			throw e;
		}
		const c = await loadCall(tx, id);
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'call.created', targetType: 'call', targetId: id, ip: actor.ip });
		await publish(tx, concierges(actor.tenantId), {
			type: 'call.ringing',
			data: { callId: id, kioskName: c.kioskName, createdAt: c.createdAt.toISOString(), ringExpiresAt: c.ringExpiresAt.toISOString() }
		});
		return c;
	});
	log('call ringing', { callId: call.id, tenantId: actor.tenantId });
	return view(call, actor);
}

/** Inside the caller's transaction: the kiosk's ringing call is cancelled, audited, and the concierges told. */
async function cancelRinging(tx: Sql, actor: Actor, id: string): Promise<void> {
	await repo.finishCall(tx, id, 'cancelled', 'cancelled_by_kiosk');
	await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'call.cancelled', targetType: 'call', targetId: id, ip: actor.ip });
	await publish(tx, concierges(actor.tenantId), { type: 'call.cancelled', data: { callId: id } });
}

/** The kiosk cancels while ringing. */
export async function cancelCall(actor: Actor, callId: unknown): Promise<CallView> {
	requireRole(actor, 'kiosk');
	const id = parseCallId(callId);
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		requireParty(c, actor);
		if (c.state !== 'ringing') throw new Conflict('not_ringing', 'This call is no longer ringing.');
		await cancelRinging(tx, actor, id);
		return loadCall(tx, id);
	});
	return view(call, actor);
}

/**
 * A concierge answers. Exactly one concurrent accept wins (a conditional UPDATE on
 * the still-ringing row); the others get "already answered". The room is created
 * before anyone hears about the accept, so nobody can join a room we did not make.
 */
export async function acceptCall(actor: Actor, callId: unknown): Promise<{ call: CallView; connection: Connection }> {
	requireRole(actor, 'concierge');
	const id = parseCallId(callId);
	const call = await withTenant(actor.tenantId, async (tx) => {
		const won = await repo.acceptRinging(tx, id, actor.accountId);
		const c = await loadCall(tx, id);
		if (!won) {
			if (c.state === 'accepted') throw new Conflict('already_answered', 'Another concierge has already answered this call.');
			throw new Conflict('call_over', 'This call has ended before it could be answered.');
		}
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'call.accepted', targetType: 'call', targetId: id, ip: actor.ip });
		return c;
	});
	try {
		await roomService().createRoom({
			name: call.roomName,
			emptyTimeout: ROOM_EMPTY_TIMEOUT_SECONDS,
			departureTimeout: ROOM_DEPARTURE_TIMEOUT_SECONDS,
			maxParticipants: 2,
			metadata: JSON.stringify({ tenantId: call.tenantId, callId: call.id })
		});
	} catch (e) {
		logError('createRoom failed; ending the call', e, { callId: id });
		await withTenant(actor.tenantId, async (tx) => {
			await repo.finishCall(tx, id, 'ended', 'media_unavailable');
			await publish(tx, parties(call), { type: 'call.ended', data: { callId: id, reason: 'media_unavailable' } });
		});
		throw new Conflict('media_unavailable', 'The video service is not reachable right now. Please try again in a moment.');
	}
	const connection = await issueCallToken(actor, id);
	await withTenant(actor.tenantId, async (tx) => {
		await publish(tx, parties(call), { type: 'call.accepted', data: { callId: id, conciergeName: call.conciergeName } });
		await publish(tx, concierges(actor.tenantId), { type: 'call.taken', data: { callId: id } });
	});
	log('call accepted', { callId: id, tenantId: actor.tenantId });
	return { call: view(call, actor), connection };
}

/**
 * A LiveKit token for the call's one room, only for the call's two parties, while
 * the call is answered. Grants follow the role and the account's share permissions;
 * the kiosk may publish its screen only after it consented on the kiosk.
 */
export async function issueCallToken(actor: Actor, callId: unknown): Promise<Connection> {
	requireRole(actor, 'kiosk', 'concierge');
	const id = parseCallId(callId);
	const { call, tokenId, sources } = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id);
		requireParty(c, actor);
		if (c.state !== 'accepted') throw new Conflict('call_not_active', 'This call is not in progress.');
		const sources = [TrackSource.CAMERA, TrackSource.MICROPHONE];
		if (actor.role === 'kiosk') {
			if (c.kioskShare === 'allowed') sources.push(TrackSource.SCREEN_SHARE);
		} else {
			const perms = await repo.getSharePermissions(tx, actor.accountId);
			if (perms?.canShareScreen) sources.push(TrackSource.SCREEN_SHARE);
		}
		const tokenId = await repo.insertToken(tx, { tenantId: actor.tenantId, callId: id, accountId: actor.accountId, ttlSeconds: TOKEN_TTL_SECONDS });
		return { call: c, tokenId, sources };
	});
	const identity = identityOf(actor.tenantId, actor.accountId);
	const token = await mintJoinToken({
		room: call.roomName,
		identity,
		name: actor.displayName,
		ttlSeconds: TOKEN_TTL_SECONDS,
		sources,
		attributes: { tokenId, callId: id, role: actor.role }
	});
	return { url: livekitUrl(), token, identity };
}

/** Either side hangs up; a kiosk hanging up while ringing cancels. */
export async function hangUpCall(actor: Actor, callId: unknown): Promise<CallView> {
	requireRole(actor, 'kiosk', 'concierge');
	const id = parseCallId(callId);
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		const party = requireParty(c, actor);
		if (c.state === 'ringing') {
			await cancelRinging(tx, actor, id);
		} else if (c.state === 'accepted') {
			await repo.finishCall(tx, id, 'ended', `hung_up_by_${party}`);
			await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'call.ended', targetType: 'call', targetId: id, ip: actor.ip, detail: { reason: `hung_up_by_${party}` } });
			const after = await loadCall(tx, id);
			await publish(tx, parties(after), ended(after));
		}
		return loadCall(tx, id);
	});
	if (call.acceptedAt) await closeRoom(call.roomName);
	return view(call, actor);
}

// --- reading ----------------------------------------------------------------------

/** A concierge sees the tenant's ringing calls and its own live call; a kiosk only its own live call. */
async function visibleCalls(tx: Sql, actor: Actor): Promise<CallView[]> {
	const rows = await repo.listLiveCalls(tx, actor.accountId);
	return rows.filter((c) => actor.role !== 'kiosk' || c.kioskAccountId === actor.accountId).map((c) => view(c, actor));
}

/** A concierge's view: the tenant's ringing calls and its own live call. A kiosk's: its own live call. */
export async function listCalls(actor: Actor): Promise<CallView[]> {
	requireRole(actor, 'kiosk', 'concierge');
	return withTenant(actor.tenantId, (tx) => visibleCalls(tx, actor));
}

export interface Snapshot {
	calls: CallView[];
	available: number;
	presence: 'available' | 'away' | null;
	permissions: repo.SharePermissions | null;
}

/** Everything a client needs to redraw itself after a (re)connect. */
export async function callSnapshot(actor: Actor): Promise<Snapshot> {
	requireRole(actor, 'kiosk', 'concierge');
	return withTenant(actor.tenantId, async (tx) => {
		const calls = await visibleCalls(tx, actor);
		const available = await repo.countAvailable(tx);
		if (actor.role === 'kiosk') return { calls, available, presence: null, permissions: null };
		return { calls, available, presence: await repo.getPresence(tx, actor.accountId), permissions: await repo.getSharePermissions(tx, actor.accountId) };
	});
}

/** One call, for its parties (and the tenant's concierges while it rings). */
export async function getCall(actor: Actor, callId: unknown): Promise<CallView> {
	const id = parseCallId(callId);
	return withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id);
		const isParty = c.kioskAccountId === actor.accountId || c.conciergeAccountId === actor.accountId;
		if (!isParty && !(actor.role === 'concierge' && c.state === 'ringing') && actor.role !== 'admin') throw new NotFound('call_not_found', 'That call does not exist.');
		return view(c, actor);
	});
}

// --- timeouts and forced ends ---------------------------------------------------------

/**
 * Unanswered calls whose ring time has passed become missed. A plain function with
 * no timer: safe to run from several processes at once and as often as wanted.
 */
export async function expireRingingCalls(now: Date = new Date()): Promise<number> {
	const expired = await repo.expireRinging(db(), now);
	for (const e of expired) {
		const ev: RealtimeEvent = { type: 'call.missed', data: { callId: e.callId } };
		await publish(db(), concierges(e.tenantId), ev);
		await publish(db(), { tenantId: e.tenantId, account: e.kioskAccountId }, ev);
	}
	if (expired.length) log('calls missed', { n: expired.length });
	return expired.length;
}

/**
 * End every live call of one account (for remote disable): end it for the other
 * side with the reason, then remove the account from the LiveKit room and close it.
 * The database part commits first; a LiveKit removal that fails (LiveKit
 * unreachable) is returned in `pendingRemovals` for the caller to retry as a job
 * (see removeFromCallRoom).
 */
export async function endCallsOfAccount(actor: Actor, accountId: string, reason: string): Promise<{ ended: number; pendingRemovals: string[] }> {
	requireRole(actor, 'admin', 'operator');
	if (!isUuid(accountId)) throw new NotFound('account_not_found', 'That account does not exist.');
	if (!/^[a-z_]{1,40}$/.test(reason)) throw new Invalid('bad_reason', 'The reason must be a short code.');
	const calls = await withTenant(actor.tenantId, async (tx) => {
		const live = await repo.liveCallsOfAccount(tx, accountId);
		for (const c of live) {
			await repo.finishCall(tx, c.id, c.state === 'ringing' ? 'cancelled' : 'ended', reason);
			await writeAudit(tx, actor, { tenantId: actor.tenantId, action: c.state === 'ringing' ? 'call.cancelled' : 'call.ended', targetType: 'call', targetId: c.id, ip: actor.ip, detail: { reason, account: accountId } });
			if (c.state === 'ringing') await publish(tx, concierges(actor.tenantId), { type: 'call.cancelled', data: { callId: c.id, reason } });
			await publish(tx, parties(c), { type: 'call.ended', data: { callId: c.id, reason } });
		}
		return live;
	});
	const pendingRemovals: string[] = [];
	for (const c of calls) {
		if (!c.acceptedAt) continue;
		try {
			await removeFromRoom(c.roomName, identityOf(actor.tenantId, accountId));
		} catch (e) {
			logError('removing a participant failed; will retry', e, { callId: c.id });
			pendingRemovals.push(c.id);
		}
	}
	return { ended: calls.length, pendingRemovals };
}

/** Remove a participant; one already gone is fine, anything else (LiveKit unreachable) throws. */
async function removeParticipant(roomName: string, identity: string): Promise<void> {
	try {
		await roomService().removeParticipant(roomName, identity);
	} catch (e) {
		if (!gone(e)) throw e;
	}
}

async function removeFromRoom(roomName: string, identity: string): Promise<void> {
	await removeParticipant(roomName, identity);
	try {
		await roomService().deleteRoom(roomName);
	} catch (e) {
		if (!gone(e)) throw e;
	}
}

/**
 * Remove one account from one (ended) call's LiveKit room and close the room; the
 * retry job of remote disable. Throws while LiveKit cannot be reached, so the job
 * runs again; a participant or room already gone counts as done.
 */
export async function removeFromCallRoom(tenantId: string, callId: string, accountId: string): Promise<'removed'> {
	const call = await withTenant(tenantId, (tx) => repo.getCall(tx, callId));
	if (!call) throw new NotFound('call_not_found', 'That call does not exist.');
	if (call.state === 'ringing' || call.state === 'accepted') throw new Conflict('call_live', 'The call is still live; end it first.');
	await removeFromRoom(call.roomName, identityOf(tenantId, accountId));
	await withTenant(tenantId, (tx) =>
		writeAudit(tx, null, { tenantId, action: 'call.participant_removed', targetType: 'call', targetId: callId, detail: { account: accountId } })
	);
	return 'removed';
}

// --- screen sharing ----------------------------------------------------------------

const SHARE_CONSENTED = [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE];
const SHARE_WITHHELD = [TrackSource.CAMERA, TrackSource.MICROPHONE];

/** Change what a joined participant may publish (LiveKit enforces it from then on). */
function updateGrant(roomName: string, identity: string, sources: TrackSource[]) {
	return roomService().updateParticipant(roomName, identity, {
		permission: { canSubscribe: true, canPublish: true, canPublishData: true, canPublishSources: sources }
	});
}

async function setKioskGrant(call: CallRow, sources: TrackSource[]): Promise<void> {
	try {
		await updateGrant(call.roomName, identityOf(call.tenantId, call.kioskAccountId), sources);
	} catch (e) {
		// Not joined yet: its next token carries the same grants (issueCallToken reads kiosk_share).
		logError('updateParticipant failed', e, { callId: call.id });
	}
}

/**
 * After an admin changed a concierge's share permissions: bring the concierge's
 * grant in its live call in line at once, instead of when its token is next minted
 * (LiveKit keeps a connected participant's grants across its own token refreshes).
 * Withdrawing SCREEN_SHARE makes LiveKit stop accepting the concierge's screen track.
 * Best effort: not joined yet means its next token carries the new grant; a LiveKit
 * failure is logged and never undoes the committed change. The view-kiosk permission
 * needs nothing here: it is checked on every requestKioskScreen.
 */
export async function applyConciergeShareGrant(tenantId: string, accountId: string): Promise<{ updated: number }> {
	const { calls, perms } = await withTenant(tenantId, async (tx) => ({
		calls: (await repo.liveCallsOfAccount(tx, accountId)).filter((c) => c.state === 'accepted' && c.conciergeAccountId === accountId),
		perms: await repo.getSharePermissions(tx, accountId)
	}));
	const sources = perms?.canShareScreen ? SHARE_CONSENTED : SHARE_WITHHELD;
	let updated = 0;
	for (const c of calls) {
		try {
			await updateGrant(c.roomName, identityOf(tenantId, accountId), sources);
			updated++;
		} catch (e) {
			if (!gone(e)) logError('updateParticipant (share permissions) failed', e, { callId: c.id });
		}
	}
	return { updated };
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
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'call.share_requested', targetType: 'call', targetId: id, ip: actor.ip });
		await publish(tx, { tenantId: actor.tenantId, account: c.kioskAccountId }, { type: 'call.share_requested', data: { callId: id, conciergeName: c.conciergeName } });
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
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: consent ? 'call.share_consented' : 'call.share_refused', targetType: 'call', targetId: id, ip: actor.ip });
		await publish(tx, parties(c), { type: 'call.share_answered', data: { callId: id, consent } });
		return loadCall(tx, id);
	});
	if (consent) await setKioskGrant(call, SHARE_CONSENTED);
	return view(call, actor);
}

export type ShareState = 'started' | 'paused' | 'resumed' | 'stopped';
const SHARE_STATES: readonly string[] = ['started', 'paused', 'resumed', 'stopped'];

/**
 * Either side reports its own share starting, pausing, resuming or stopping (audited).
 * A kiosk's stop withdraws SCREEN_SHARE from its grant again: the next share needs new consent.
 */
export async function reportShare(actor: Actor, callId: unknown, state: unknown): Promise<CallView> {
	requireRole(actor, 'kiosk', 'concierge');
	const id = parseCallId(callId);
	if (typeof state !== 'string' || !SHARE_STATES.includes(state)) throw new Invalid('bad_share_state', 'Unknown sharing state.');
	const s = state as ShareState;
	const call = await withTenant(actor.tenantId, async (tx) => {
		const c = await loadCall(tx, id, true);
		const party = requireParty(c, actor);
		if (c.state !== 'accepted') throw new Conflict('call_not_active', 'This call is not in progress.');
		if (party === 'kiosk' && c.kioskShare !== 'allowed') throw new Forbidden('no_consent', 'Screen sharing needs the kiosk user’s consent first.');
		if (party === 'concierge' && !(await repo.getSharePermissions(tx, actor.accountId))?.canShareScreen)
			throw new Forbidden('share_not_permitted', 'Your administrator has not allowed you to share your screen.');
		if (party === 'kiosk' && s === 'stopped') await repo.setKioskShare(tx, id, 'off');
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: `call.share_${s}`, targetType: 'call', targetId: id, ip: actor.ip, detail: { by: party } });
		await publish(tx, parties(c), { type: 'call.share_state', data: { callId: id, by: party, state: s } });
		return loadCall(tx, id);
	});
	if (actor.role === 'kiosk' && s === 'stopped') await setKioskGrant(call, SHARE_WITHHELD);
	return view(call, actor);
}

// --- the LiveKit webhook guard --------------------------------------------------------

export interface WebhookInput {
	event: string;
	room?: { name: string } | undefined;
	participant?: { identity: string; attributes?: Record<string, string> } | undefined;
}

/**
 * React to a verified LiveKit webhook: record joins and leaves, end the call when
 * its room finishes, and remove at once anyone who does not belong to the call
 * (wrong account, a token the platform did not issue for it, or a call that is over).
 */
export async function handleLiveKitEvent(ev: WebhookInput): Promise<{ removed?: string; ended?: string } | null> {
	const roomName = ev.room?.name;
	if (!roomName) return null;
	const found = await repo.findCallByRoom(db(), roomName);
	if (ev.event === 'participant_joined' && ev.participant) {
		const p = ev.participant;
		if (!found) {
			await removeIntruder(roomName, p.identity, 'unknown_room');
			await closeRoom(roomName);
			return { removed: p.identity };
		}
		const verdict = await withTenant(found.tenantId, async (tx) => {
			const c = await loadCall(tx, found.callId);
			const who = parseIdentity(p.identity);
			const tokenId = p.attributes?.tokenId ?? '';
			let problem: string | null = null;
			let party: 'kiosk' | 'concierge' | null = null;
			if (!who || who.tenantId !== c.tenantId) problem = 'foreign_identity';
			else if (who.accountId === c.kioskAccountId) party = 'kiosk';
			else if (who.accountId === c.conciergeAccountId) party = 'concierge';
			else problem = 'not_a_party';
			if (!problem && c.state !== 'accepted') problem = 'call_not_active';
			if (!problem && !(isUuid(tokenId) && (await repo.tokenIssued(tx, tokenId, c.id, who!.accountId)))) problem = 'token_not_issued';
			if (problem) {
				await writeAudit(tx, null, { tenantId: c.tenantId, action: 'call.intruder_removed', targetType: 'call', targetId: c.id, detail: { identity: p.identity.slice(0, 120), problem } });
				return { problem };
			}
			await repo.markJoined(tx, c.id, party!);
			return { problem: null };
		});
		if (verdict.problem) {
			await removeIntruder(roomName, p.identity, verdict.problem);
			return { removed: p.identity };
		}
		return null;
	}
	if (!found) return null;
	if (ev.event === 'participant_left' && ev.participant) {
		const who = parseIdentity(ev.participant.identity);
		await withTenant(found.tenantId, async (tx) => {
			const c = await loadCall(tx, found.callId);
			if (who?.accountId === c.kioskAccountId) await repo.markLeft(tx, c.id, 'kiosk');
			else if (who?.accountId === c.conciergeAccountId) await repo.markLeft(tx, c.id, 'concierge');
		});
		return null;
	}
	if (ev.event === 'room_finished') {
		const done = await withTenant(found.tenantId, async (tx) => {
			const c = await loadCall(tx, found.callId, true);
			if (c.state !== 'accepted') return false;
			await repo.finishCall(tx, c.id, 'ended', 'room_closed');
			await writeAudit(tx, null, { tenantId: c.tenantId, action: 'call.ended', targetType: 'call', targetId: c.id, detail: { reason: 'room_closed' } });
			await publish(tx, parties(c), { type: 'call.ended', data: { callId: c.id, reason: 'room_closed' } });
			return true;
		});
		return done ? { ended: found.callId } : null;
	}
	return null;
}

async function removeIntruder(room: string, identity: string, problem: string): Promise<void> {
	log('removing participant who does not belong', { room, identity: identity.slice(0, 120), problem });
	try {
		await removeParticipant(room, identity);
	} catch (e) {
		logError('removeParticipant failed', e, { room });
	}
}
