/**
 * The call contract: every shape that crosses between the platform, the routes and
 * the two browsers (real-time events, the snapshot, call views, API bodies and
 * results). Types only, so browser code imports it with `import type` and a wrong
 * payload on either side is a compile error.
 */

export type CallState = 'ringing' | 'accepted' | 'ended' | 'missed' | 'cancelled';
export type Party = 'kiosk' | 'concierge';

/**
 * One vocabulary for a screen share, whoever shares and whoever watches:
 * off -> requested (the concierge asked the kiosk) -> starting (capturing, waiting for
 * the grant) -> live <-> paused -> off.
 */
export type ShareState = 'off' | 'requested' | 'starting' | 'live' | 'paused';
/** What a side reports about its own share (POST …/share). */
export type ShareReport = Extract<ShareState, 'live' | 'paused' | 'off'>;

/** The kiosk user's consent to show its screen: asked, given; withdrawn or refused is 'off'. */
export type KioskConsent = 'off' | 'requested' | 'allowed';

/** Why a call is over. Stable codes: both apps map them to sentences in the person's language. */
export type EndReason =
	| 'hung_up_by_kiosk'
	| 'hung_up_by_concierge'
	| 'cancelled_by_kiosk'
	| 'no_answer'
	| 'no_concierge'
	| 'queue_timeout'
	| 'kiosk_left'
	| 'concierge_left'
	| 'concierge_signed_out'
	| 'max_duration'
	| 'room_closed'
	| 'media_unavailable'
	| 'account_disabled';

/**
 * A concierge's state as everyone else sees it. `available` and `away` are the
 * concierge's own choice; `busy` (in a call, or wrapping up just after one) and
 * `offline` (no live console for longer than a short grace, or signed out) are
 * decided by the platform.
 */
export type PresenceState = 'available' | 'busy' | 'away' | 'offline';
/** Why the platform changed a concierge's own state (shown to that concierge). */
export type PresenceReason = 'missed_rings' | 'signed_out' | 'stream_lost';

export interface SharePermissions {
	canShareScreen: boolean;
	canViewKioskScreen: boolean;
}

/** What a tenant's kiosks and concierges know about who can answer, and the queue. */
export interface TenantPresence {
	available: number;
	busy: number;
	/** Unanswered calls of the tenant, oldest first: a kiosk's queue position is its index + 1. */
	waiting: string[];
}

/** What the apps (and so the browsers) see of a call. No room name: that travels only inside a token. */
export interface CallView {
	id: string;
	state: CallState;
	kioskName: string;
	conciergeName: string | null;
	createdAt: string;
	/** When an unanswered call stops ringing; null while it waits in the queue for a busy concierge. */
	ringExpiresAt: string | null;
	acceptedAt: string | null;
	endedAt: string | null;
	endReason: EndReason | null;
	kioskConsent: KioskConsent;
	/** The viewer's own part in the call, if any. */
	mine: boolean;
}

/** Where and how to join a call's room. */
export interface Connection {
	url: string;
	token: string;
	identity: string;
	/**
	 * The call's end-to-end media key (base64url), only for the call's two parties,
	 * only over TLS with their token; null when the tenant's policy has E2EE off.
	 */
	e2eeKey?: string | null;
	/** For the kiosk: the tenant's fixed regions, blinded on every share of its screen. */
	blinderRegions?: BlinderRegion[];
}

/** A rectangle of the shared screen, in fractions (0..1) of its width and height. */
export interface BlinderRegion {
	x: number;
	y: number;
	w: number;
	h: number;
}

/** Timings both clients need to behave like the server. */
export interface CallSettings {
	/** How long a party may be gone from a call before it ends for the other side. */
	graceSeconds: number;
	ringSeconds: number;
	maxCallMinutes: number;
}

/** Everything a client needs to redraw itself after a (re)connect. */
export interface Snapshot {
	calls: CallView[];
	presence: TenantPresence;
	/** The concierge's own state and permissions; null for a kiosk. */
	me: { state: PresenceState; permissions: SharePermissions } | null;
	settings: CallSettings;
	/** For a kiosk: the tenant's business hours now (the call button is off while closed). */
	hours?: KioskHours;
}

/** Whether a kiosk may call now, by the tenant's business hours and holidays. */
export interface KioskHours {
	open: boolean;
	/** The tenant's closed message ('' when it set none: the kiosk says its own). */
	message: string;
	/** When the kiosk should ask again (the next opening or closing), from now; null: always open. */
	nextChangeInMs: number | null;
}

/**
 * The build the server runs: a `release` frame every event stream sends on each
 * (re)connect, before its snapshot (platform/events/stream.ts). Not a published event:
 * it comes from the process that serves the stream, so a client reconnecting to a new
 * release learns of it at once (platform/release/).
 */
export interface ReleaseNotice {
	version: string;
}

/** Every real-time event, by type. `publishedAt` (ms since the epoch) is added on delivery. */
export interface EventMap {
	/** To concierges: a call waits for an answer (again, when it leaves the queue). */
	'call.ringing': { callId: string; kioskName: string; createdAt: string; ringExpiresAt: string | null };
	'call.cancelled': { callId: string; reason: EndReason };
	'call.missed': { callId: string; reason: EndReason };
	/** To concierges: someone answered it. */
	'call.taken': { callId: string };
	/** To the parties. */
	'call.accepted': { callId: string; conciergeName: string | null };
	'call.ended': { callId: string; reason: EndReason };
	/** To the parties: one side dropped out of the room (present false) or came back. */
	'call.party': { callId: string; party: Party; present: boolean; graceSeconds: number };
	/** To the parties: the call will be ended at endsAt (maximum duration). */
	'call.warning': { callId: string; endsAt: string };
	'call.share_requested': { callId: string; conciergeName: string | null };
	'call.share_answered': { callId: string; consent: boolean };
	'call.share_state': { callId: string; by: Party; state: ShareReport };
	/** To the parties: how many regions of the kiosk's shared screen are blinded (fixed by the admin, and the shopper's own). */
	'call.blinder': { callId: string; fixed: number; shopper: number };
	/** To every kiosk, concierge and admin of the tenant. */
	presence: TenantPresence;
	/** To the tenant's admins (their fleet and report pages): something they show changed; they read it again. */
	'fleet.changed': { kind: 'kiosk' | 'concierge' | 'report' };
	/** To one concierge: the platform changed its state, and why. */
	'presence.self': { state: PresenceState; reason: PresenceReason | null };
	/** To one concierge: its administrator changed what it may share. */
	permissions: SharePermissions;
	'account.disabled': Record<string, never>;
	/** To the tenant's kiosks: business hours, holidays or the closed message changed; they read their snapshot again. */
	'hours.changed': Record<string, never>;
	/** To one kiosk: its administrator sends it back to standby or makes it reload (issue 11, fleet view). */
	'kiosk.command': { command: 'standby' | 'reload' };
	/** To one session's streams: that session is over (signed out, password changed, expired). */
	'session.ended': { sessionId: string; reason: 'signed_out' | 'password_changed' | 'expired' | 'revoked' };
}

export type EventType = keyof EventMap;
export type RealtimeEvent = { [K in EventType]: { type: K; data: EventMap[K] } }[EventType];
/** What a browser receives for one event. */
export type Delivered<K extends EventType> = EventMap[K] & { publishedAt?: number };

// --- the /api shapes ------------------------------------------------------------------

export interface ApiError {
	message: string;
	code: string;
	requestId?: string;
}

export interface ConsentBody {
	consent: boolean;
	/** The shopper allows the concierge to ask again after a second request (only a touch on the kiosk sets it). */
	allowMore?: boolean;
}
export interface BlinderBody {
	/** The shopper's own regions (the tenant's fixed ones are not reported). */
	regions: BlinderRegion[];
}
export interface ShareBody {
	state: ShareReport;
}
export interface PresenceBody {
	status: 'available' | 'away';
}
export interface PresenceResult {
	state: PresenceState;
	presence: TenantPresence;
}
export interface AcceptResult {
	call: CallView;
	connection: Connection;
}

/** POST /api/calls/[id]/[action]: bodies and results per action. */
export interface CallActions {
	accept: { body: Record<string, never>; result: AcceptResult };
	cancel: { body: Record<string, never>; result: CallView };
	hangup: { body: Record<string, never>; result: CallView };
	token: { body: Record<string, never>; result: Connection };
	consent: { body: ConsentBody; result: CallView };
	share: { body: ShareBody; result: CallView };
	blinder: { body: BlinderBody; result: CallView };
	'request-screen': { body: Record<string, never>; result: CallView };
}
export type CallAction = keyof CallActions;
export type KioskAction = Extract<CallAction, 'cancel' | 'hangup' | 'token' | 'consent' | 'share' | 'blinder'>;
export type ConciergeAction = Extract<CallAction, 'accept' | 'hangup' | 'token' | 'request-screen' | 'share'>;
