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
import { closeRoom, removeParticipant } from './rooms.ts';
import { parseIdentity } from './tokens.ts';

export interface WebhookInput {
	event: string;
	room?: { name: string } | undefined;
	participant?: { identity: string; attributes?: Record<string, string> } | undefined;
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
			if (problem) {
				await writeAudit(tx, null, { tenantId: c.tenantId, action: 'call.intruder_removed', targetType: 'call', targetId: c.id, detail: { identity: p.identity.slice(0, 120), problem } });
				return { problem };
			}
			const wasGone = party === 'kiosk' ? c.kioskLeftAt : c.conciergeLeftAt;
			await repo.markJoined(tx, c.id, party!);
			if (wasGone) await record(tx, null, c.tenantId, null, [[to.parties(c), { type: 'call.party', data: { callId: c.id, party: party!, present: true, graceSeconds: config().callGraceSeconds } }]]);
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
