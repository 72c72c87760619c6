/**
 * The only place holding LiveKit credentials and clients. platform/calls decides
 * who gets what; this file only talks to LiveKit.
 */
import { AccessToken, RoomServiceClient, TrackSource, WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk';
import { config } from './config.server.ts';

export { TrackSource };
export type { WebhookEvent };

let rooms: RoomServiceClient | null = null;
let receiver: WebhookReceiver | null = null;

function httpUrl(wsUrl: string): string {
	return wsUrl.replace(/^ws(s?):/, 'http$1:');
}

export function roomService(): RoomServiceClient {
	const { apiUrl, apiKey, apiSecret } = config().livekit;
	rooms ??= new RoomServiceClient(httpUrl(apiUrl), apiKey, apiSecret);
	return rooms;
}

/** The HTTP base the server reaches LiveKit at (LIVEKIT_API_URL, else LIVEKIT_URL): `GET /` answers `OK`. */
export function livekitApiBase(): string {
	return httpUrl(config().livekit.apiUrl);
}

/** The URL browsers connect to. */
export function livekitUrl(): string {
	return config().livekit.url;
}

export interface TokenRequest {
	room: string;
	identity: string;
	name: string;
	ttlSeconds: number;
	sources: TrackSource[];
	attributes: Record<string, string>;
}

/** A join token for exactly one room, with explicit grants and no admin rights. */
export async function mintJoinToken(r: TokenRequest): Promise<string> {
	const { apiKey, apiSecret } = config().livekit;
	const at = new AccessToken(apiKey, apiSecret, { identity: r.identity, name: r.name, ttl: r.ttlSeconds, attributes: r.attributes });
	at.addGrant({
		room: r.room,
		roomJoin: true,
		roomCreate: false,
		roomAdmin: false,
		roomList: false,
		canSubscribe: true,
		canPublish: true,
		// No data messages: nothing in a call can carry input to the other side (issue 12: no remote-input path).
		canPublishData: false,
		canPublishSources: r.sources,
		canUpdateOwnMetadata: false
	});
	return at.toJwt();
}

/** Verify a webhook's signature against the raw body; throws when it does not match. */
export async function receiveWebhook(rawBody: string, authorization: string | null): Promise<WebhookEvent> {
	const { apiKey, apiSecret } = config().livekit;
	receiver ??= new WebhookReceiver(apiKey, apiSecret);
	return receiver.receive(rawBody, authorization ?? undefined);
}
