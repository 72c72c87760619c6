/**
 * LiveKit join tokens: only platform/calls mints them, for one room and one of the
 * call's two parties, while the call is answered, with grants that follow the role,
 * the account's share permissions and the kiosk user's consent. Every token is
 * recorded, so the webhook guard can refuse any token the platform did not issue.
 */
import { createHmac } from 'node:crypto';
import { config } from '../config.server.ts';
import { withTenant } from '../db.server.ts';
import { isUuid } from '../ids.ts';
import { Conflict } from '../errors.ts';
import { livekitUrl, mintJoinToken, TrackSource } from '../livekit.server.ts';
import type { Actor } from '../types.ts';
import { loadCall, parseCallId, requireParty, requireRole } from './common.ts';
import type { Connection } from './contract.ts';
import * as repo from './calls.repo.ts';

/**
 * How long a join token can be used, as the docs state it. Tokens only need to last
 * until the client connects; LiveKit refreshes them for connected clients. LiveKit
 * still accepts a token up to LIVEKIT_EXPIRY_LEEWAY_SECONDS after its `exp` (fixed
 * clock-skew leeway, measured on 1.13.5), so the token is minted that much shorter.
 */
export const TOKEN_TTL_SECONDS = 120;
export const LIVEKIT_EXPIRY_LEEWAY_SECONDS = 60;

/** LiveKit identity: derived from tenant and account, so one account is one participant. */
export const identityOf = (tenantId: string, accountId: string) => `${tenantId}.${accountId}`;

export function parseIdentity(identity: string): { tenantId: string; accountId: string } | null {
	const [tenantId, accountId, ...rest] = identity.split('.');
	if (rest.length || !isUuid(tenantId) || !isUuid(accountId)) return null;
	return { tenantId, accountId };
}

/**
 * A LiveKit token for the call's one room, only for the call's two parties, while
 * the call is answered. Grants follow the role and the account's share permissions;
 * the kiosk may publish its screen only after it consented on the kiosk.
 */
export async function issueCallToken(actor: Actor, callId: unknown): Promise<Connection> {
	requireRole(actor, 'kiosk', 'concierge');
	const id = parseCallId(callId);
	const { roomName, tokenId, sources, policy } = await withTenant(actor.tenantId, async (tx) => {
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
		const policy = await repo.getPrivacyPolicy(tx, actor.tenantId);
		return { roomName: c.roomName, tokenId, sources, policy };
	});
	const identity = identityOf(actor.tenantId, actor.accountId);
	const token = await mintJoinToken({
		room: roomName,
		identity,
		name: actor.displayName,
		ttlSeconds: TOKEN_TTL_SECONDS - LIVEKIT_EXPIRY_LEEWAY_SECONDS,
		sources,
		attributes: { tokenId, callId: id, role: actor.role }
	});
	return {
		url: livekitUrl(),
		token,
		identity,
		e2eeKey: policy.e2ee ? callMediaKey(id) : null,
		blinderRegions: actor.role === 'kiosk' ? policy.blinderRegions : []
	};
}

/**
 * The call's end-to-end media key: HMAC-SHA256(E2EE_SECRET, "e2ee:" + call id),
 * base64url. Derived rather than stored: both apps (separate processes) hand the
 * same key to their party without any table or shared memory holding it, nothing
 * is logged, and LiveKit (which holds only its own API secret) cannot derive it.
 * Only issueCallToken calls this, after checking the actor is a party of the
 * answered call; the key travels only in that response, over TLS.
 */
export function callMediaKey(callId: string): string {
	return createHmac('sha256', config().e2eeSecret).update(`e2ee:${callId}`).digest('base64url');
}
