/**
 * The LiveKit webhook guard: react to a verified webhook by recording joins and
 * leaves (telling the other party at once, so it can show "reconnecting…"), ending
 * the call when its room finishes, and removing at once anyone who does not belong
 * to the call (wrong account, a token the platform did not issue for it, or a call
 * that is over). A party that left and does not come back within the grace is
 * ended by the worker's sweep (forced-end.ts).
 */
import { config } from '../config.server.ts';
import { db, withTenant } from '../db.server.ts';
import { isUuid } from '../ids.ts';
import { writeAudit } from '../audit/audit.ts';
import { loadCall, log, logError, record, to } from './common.ts';
import type { Party } from './contract.ts';
import * as repo from './calls.repo.ts';
import { endCall } from './outcomes.ts';
import { publishPresence, tenantState } from './presence.ts';
import { closeRoom, isGone, removeParticipant } from './rooms.ts';
import { roomService, TrackSource } from '../livekit.server.ts';
import { parseIdentity } from './tokens.ts';
import { metrics } from '../metrics.ts';

export interface WebhookInput {
	event: string;
	/** LiveKit's unique event id and its time (seconds since the epoch); both set on real webhooks. */
	id?: string;
	createdAt?: number | bigint;
	room?: { name: string } | undefined;
	participant?: { identity: string; sid?: string; attributes?: Record<string, string> } | undefined;
}

/** A signed webhook older than this is not acted on (the signature itself stays valid for 5 minutes). */
export const WEBHOOK_MAX_AGE_SECONDS = 60;

/**
 * The entry for verified webhooks: each event id is acted on once, and an old event
 * (a captured body replayed within its signature's lifetime) not at all.
 */
export async function handleWebhook(ev: WebhookInput, now = Date.now()): Promise<{ removed?: string; ended?: string; ignored?: 'duplicate' | 'stale' | 'no_id' } | null> {
	if (typeof ev.id !== 'string' || ev.id.length === 0 || ev.id.length > 100) return { ignored: 'no_id' };
	const at = Number(ev.createdAt ?? 0) * 1000;
	if (!(at > now - WEBHOOK_MAX_AGE_SECONDS * 1000)) {
		log('ignoring a stale webhook', { id: ev.id, event: ev.event, ageSeconds: Math.round((now - at) / 1000) });
		return { ignored: 'stale' };
	}
	if (!(await repo.recordWebhookEvent(db(), ev.id))) {
		log('ignoring a repeated webhook', { id: ev.id, event: ev.event });
		return { ignored: 'duplicate' };
	}
	return handleLiveKitEvent(ev);
}

/** At most one track per source; a second camera (a canvas labelled as camera, say) is not allowed. */
const ONE_PER_SOURCE = new Set([TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE, TrackSource.SCREEN_SHARE_AUDIO]);
function extraTracks(tracks: { source: TrackSource }[]): boolean {
	const seen = new Set<TrackSource>();
	for (const t of tracks) {
		if (!ONE_PER_SOURCE.has(t.source) || seen.has(t.source)) return true;
		seen.add(t.source);
	}
	return false;
}

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
			const c = await loadCall(tx, found.callId, true);
			const who = parseIdentity(p.identity);
			const tokenId = p.attributes?.tokenId ?? '';
			let problem: string | null = null;
			let party: Party | null = null;
			if (!who || who.tenantId !== c.tenantId) problem = 'foreign_identity';
			else if (who.accountId === c.kioskAccountId) party = 'kiosk';
			else if (who.accountId === c.conciergeAccountId) party = 'concierge';
			else problem = 'not_a_party';
			if (!problem && c.state !== 'accepted') problem = 'call_not_active';
			if (!problem && !(isUuid(tokenId) && (await repo.tokenIssued(tx, tokenId, c.id, who!.accountId)))) problem = 'token_not_issued';
			// Single use: the first participant to join with a token owns it; a reconnect fetches a fresh one.
			if (!problem && p.sid && !(await repo.bindToken(tx, tokenId, p.sid))) problem = 'token_reused';
			if (problem) {
				await writeAudit(tx, null, {
					tenantId: c.tenantId,
					action: 'call.intruder_removed',
					targetType: 'call',
					targetId: c.id,
					detail: { identity: p.identity.slice(0, 120), problem }
				});
				return { problem, setUp: null };
			}
			const wasGone = party === 'kiosk' ? c.kioskLeftAt : c.conciergeLeftAt;
			await repo.markJoined(tx, c.id, party!);
			// The second party's first join completes the call's set-up.
			const [mine, other] = party === 'kiosk' ? [c.kioskJoinedAt, c.conciergeJoinedAt] : [c.conciergeJoinedAt, c.kioskJoinedAt];
			const setUp = !mine && other && c.acceptedAt ? (Date.now() - c.acceptedAt.getTime()) / 1000 : null;
			if (wasGone)
				await record(tx, null, c.tenantId, null, [
					[to.parties(c), { type: 'call.party', data: { callId: c.id, party: party!, present: true, graceSeconds: config().callGraceSeconds } }]
				]);
			return { problem: null, setUp };
		});
		if (verdict.problem) {
			await removeIntruder(roomName, p.identity, verdict.problem);
			return { removed: p.identity };
		}
		if (verdict.setUp !== null) metrics.callSetUp(found.tenantId, verdict.setUp);
		return null;
	}
	if (!found) return null;
	if (ev.event === 'track_published' && ev.participant) {
		// Source labels are the client's word: count what the participant publishes now.
		const p = ev.participant;
		let tracks;
		try {
			tracks = (await roomService().getParticipant(roomName, p.identity)).tracks;
		} catch (e) {
			if (!isGone(e)) logError('getParticipant failed', e, { room: roomName });
			return null;
		}
		if (!extraTracks(tracks)) return null;
		await withTenant(found.tenantId, (tx) =>
			writeAudit(tx, null, {
				tenantId: found.tenantId,
				action: 'call.intruder_removed',
				targetType: 'call',
				targetId: found.callId,
				detail: { identity: p.identity.slice(0, 120), problem: 'extra_tracks' }
			})
		);
		await removeIntruder(roomName, p.identity, 'extra_tracks');
		return { removed: p.identity };
	}
	if (ev.event === 'participant_left' && ev.participant) {
		const who = parseIdentity(ev.participant.identity);
		await withTenant(found.tenantId, async (tx) => {
			const c = await loadCall(tx, found.callId, true);
			if (c.state !== 'accepted') return;
			const party: Party | null = who?.accountId === c.kioskAccountId ? 'kiosk' : who?.accountId === c.conciergeAccountId ? 'concierge' : null;
			if (!party) return;
			await repo.markLeft(tx, c.id, party);
			await record(tx, null, c.tenantId, null, [[to.parties(c), { type: 'call.party', data: { callId: c.id, party, present: false, graceSeconds: config().callGraceSeconds } }]]);
		});
		return null;
	}
	if (ev.event === 'room_finished') {
		const done = await withTenant(found.tenantId, async (tx) => {
			const c = await loadCall(tx, found.callId, true);
			if (c.state !== 'accepted') return false;
			await endCall(tx, null, c, 'room_closed');
			await publishPresence(tx, c.tenantId, await tenantState(tx));
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
