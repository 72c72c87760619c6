/**
 * The kiosk's call policy and UI state, over the shared client core
 * ($platform/client: the /api wrapper, the event feed, the LiveKit session).
 *
 * Policy (issue 7):
 * - Hang up (or cancel) disconnects and stops camera and microphone at once,
 *   locally, then repeats the request until the server confirms. The call's id is
 *   remembered in localStorage: a snapshot or reload that still shows it live leads
 *   to another hang-up, never to a rejoin.
 * - The kiosk only ever joins a call it placed, that was answered, and that it did
 *   not hang up; a reload during such a call resumes it.
 * - The other party gone (or our own connection re-establishing): "Reconnecting…"
 *   on the stage; `call.ended` (or, if the server cannot be reached, the grace
 *   period + 5 s) stops camera and microphone and returns to standby.
 * - While the event stream or the network is down the button is disabled and a
 *   bilingual "connection lost" is shown; it recovers by itself.
 *
 * Problems are reported as `concierge:problem` / `concierge:log` window events
 * (the crash-report module listens for them); this file never imports that module.
 */
import { version } from '$app/environment';
import type { BlinderRegion, CallSettings, CallView, EndReason, KioskHours, ShareState, Snapshot, TenantPresence } from '$platform/calls/contract.ts';
import { BlinderProcessor } from '$platform/client/blinder-processor.ts';
import { ApiRequestError, callAction, createCall, retryUntilConfirmed } from '$platform/client/api.ts';
import { EventFeed, type FeedState } from '$platform/client/event-feed.ts';
import type { SessionEvent } from '$platform/client/media-session.ts';
import { CallMedia, noVideos, type VideoElements, type VideoRefs } from '$platform/client/call-media.ts';
import { HungUpCalls } from '$platform/client/hung-up.ts';

export type Phase = 'standby' | 'ringing' | 'connecting' | 'incall';
/** What pressing the button will do. */
export type ButtonMode = 'call' | 'queue' | 'none' | 'closed';

type ProblemKind = 'livekit_disconnect' | 'media_error' | 'call_error';

function problem(kind: ProblemKind, message: string, extra: { reason?: string; stats?: object } = {}): void {
	window.dispatchEvent(new CustomEvent('concierge:problem', { detail: { kind, message, ...extra } }));
}
function logLine(line: string): void {
	window.dispatchEvent(new CustomEvent('concierge:log', { detail: line }));
}

/** Why a call ended, as the shopper reads it (Japanese, then English). Every code has a sentence. */
export const END_MESSAGES: Record<EndReason, string> = {
	hung_up_by_kiosk: '通話を終了しました。 The call has ended.',
	hung_up_by_concierge: 'コンシェルジュが通話を終了しました。 The concierge ended the call.',
	cancelled_by_kiosk: '呼び出しを取り消しました。 The call was cancelled.',
	no_answer: '応答がありませんでした。もう一度お試しください。 No concierge answered. Please try again.',
	no_concierge: 'ただいま対応できるコンシェルジュがいません。 No concierge is available right now. Please try again later.',
	queue_timeout: 'ただいま混み合っています。もう一度お試しください。 All concierges are still busy. Please try again in a moment.',
	kiosk_left: '接続が切れたため通話を終了しました。 The call ended because this terminal lost its connection.',
	concierge_left: 'コンシェルジュが通話から退出しました。 The concierge has left the call.',
	concierge_signed_out: 'コンシェルジュが通話から退出しました。 The concierge has left the call.',
	max_duration: '通話の上限時間に達したため終了しました。 The call reached its maximum length and has ended.',
	room_closed: '通話が終了しました。 The call has ended.',
	media_unavailable: 'カメラまたはマイクを使用できないため通話を終了しました。 The call ended because the camera or microphone is not available.',
	account_disabled: 'この端末は無効化されました。 This terminal has been disabled.'
};

export const MESSAGES = {
	ended: '通話が終了しました。 The call has ended.',
	callFailed: '通話を開始できませんでした。もう一度お試しください。 The call could not be started. Please try again.',
	joinFailed: '通話に接続できませんでした。もう一度お試しください。 The call could not be connected. Please try again.',
	media: 'カメラまたはマイクを使用できません。 The camera or microphone is not available.',
	shareFailed: '画面を共有できませんでした。 Your screen could not be shared.',
	tooMany: '少し待ってからもう一度お試しください。 Please wait a moment, then try again.'
} as const;

export interface Notice {
	text: string;
	/** The stable code the page localises (an end reason or a MESSAGES key); `text` is the ja+en fallback. */
	code: EndReason | keyof typeof MESSAGES;
	/** info: an end-of-call notice or an answer from the platform; error: something failed. */
	tone: 'info' | 'error';
}

/** Calls this kiosk hung up or cancelled: never to be rejoined, whatever a snapshot says. */
const hungUp = new HungUpCalls('concierge:hung-up-calls');

const DEFAULT_SETTINGS: CallSettings = { graceSeconds: 20, ringSeconds: 45, maxCallMinutes: 60 };

export class KioskCall {
	#phase = $state<Phase>('standby');
	#presence = $state<TenantPresence>({ available: 0, busy: 0, waiting: [] });
	#feedState = $state<FeedState>('connecting');
	/** The tenant's business hours as the server last told them (open until told otherwise). */
	#hours = $state<KioskHours>({ open: true, message: '', nextChangeInMs: null });
	#hoursTimer: ReturnType<typeof setTimeout> | null = null;
	#notice = $state<Notice | null>(null);
	#conciergeName = $state<string | null>(null);
	#share = $state<ShareState>('off');
	#pressing = $state(false);
	#hasRemoteScreen = $state(false);
	#disabled = $state(false);
	#callId = $state<string | null>(null);
	/** The call waits in the queue (all concierges busy) rather than ringing. */
	#queued = $state(false);
	#partyGone = $state(false);
	#reconnecting = $state(false);
	#warningEndsAt = $state<string | null>(null);
	/** When the ring (or the wait in the queue) and the call itself started, ms since the epoch. */
	#ringStartedAt = $state<number | null>(null);
	#callStartedAt = $state<number | null>(null);
	/** The shopper's own microphone and camera switches: only ever changed by a touch here. */
	#micOn = $state(true);
	#cameraOn = $state(true);
	/** The concierge's camera as the room reports it (off: show a placeholder with the name). */
	#remoteCameraOn = $state(true);
	/** Has the concierge's camera track reached us in this call (until then the kiosk shows the concierge's photo)? */
	#remoteCameraSeen = $state(false);
	#ringSeconds = $state(DEFAULT_SETTINGS.ringSeconds);
	/** The blinder: the store's fixed regions (from the call token) and the shopper's own. */
	#fixedRegions = $state.raw<BlinderRegion[]>([]);
	#shopperRegions = $state.raw<BlinderRegion[]>([]);
	#blinder: BlinderProcessor | null = null;

	#settings: CallSettings = DEFAULT_SETTINGS;
	#feed: EventFeed | null = null;
	/** The page's <video> elements (state, so `bind:this` binds to a reactive property). */
	#els = $state<VideoRefs>(noVideos());
	#media = new CallMedia({
		onEvent: (e) => this.#onSession(e),
		e2eeWorker: () => new Worker(new URL('livekit-client/e2ee-worker', import.meta.url), { type: 'module' }),
		elements: this.#els
	});
	#graceTimer: ReturnType<typeof setTimeout> | null = null;
	#rejoins = 0;
	/** The page is being closed or reloaded: nothing is ended or rejoined from here on (a reload resumes). */
	#unloading = false;

	get phase(): Phase {
		return this.#phase;
	}
	get presence(): TenantPresence {
		return this.#presence;
	}
	get notice(): Notice | null {
		return this.#notice;
	}
	get conciergeName(): string | null {
		return this.#conciergeName;
	}
	/** The concierge's camera has reached this kiosk in this call (false while connecting to it). */
	get remoteCameraSeen(): boolean {
		return this.#remoteCameraSeen;
	}
	/** The current call's id (ringing or in a call), null on standby. */
	get callId(): string | null {
		return this.#callId;
	}
	get share(): ShareState {
		return this.#share;
	}
	get fixedRegions(): BlinderRegion[] {
		return this.#fixedRegions;
	}
	get blinderRegions(): BlinderRegion[] {
		return this.#shopperRegions;
	}
	get hasRemoteScreen(): boolean {
		return this.#hasRemoteScreen;
	}
	/** The account was disabled by an administrator: the terminal is locked for good. */
	get disabled(): boolean {
		return this.#disabled;
	}
	/** The event stream or the network is down (not merely still starting). */
	/** Out of business hours: the tenant's own message ('' when it set none). */
	get closedMessage(): string {
		return this.#hours.message;
	}
	get connectionLost(): boolean {
		return this.#feedState === 'lost';
	}
	get buttonMode(): ButtonMode {
		if (!this.#hours.open) return 'closed';
		if (this.#presence.available > 0) return 'call';
		return this.#presence.busy > 0 ? 'queue' : 'none';
	}
	get canPress(): boolean {
		return this.#phase === 'standby' && !this.#pressing && this.#feedState === 'open' && this.buttonMode !== 'none' && this.buttonMode !== 'closed' && !this.#disabled;
	}
	/**
	 * 1-based place in the queue while the call waits for a busy concierge; null when
	 * it rings. `presence.waiting` lists every unanswered call of the tenant, oldest
	 * first; they wait in the queue exactly while no concierge is available.
	 */
	get queuePosition(): number | null {
		if (this.#phase !== 'ringing' || !this.#callId || this.#presence.available > 0) return null;
		const i = this.#presence.waiting.indexOf(this.#callId);
		if (i >= 0) return i + 1;
		return this.#queued ? this.#presence.waiting.length + 1 : null;
	}
	/** What the stage says over the video, if anything. */
	get stageNotice(): 'connecting' | 'reconnecting' | null {
		if (this.#phase === 'standby' || this.#phase === 'ringing') return null;
		// Our own network or LiveKit connection is re-establishing, or the concierge's media is gone.
		if (this.#reconnecting || (this.#phase === 'incall' && (this.#partyGone || this.#feedState === 'lost'))) return 'reconnecting';
		return this.#phase === 'connecting' ? 'connecting' : null;
	}
	/** When the call will be ended for its length (shown from the warning on). */
	get ringStartedAt(): number | null {
		return this.#ringStartedAt;
	}
	get callStartedAt(): number | null {
		return this.#callStartedAt;
	}
	/** How long a call rings before it is given up as unanswered, seconds. */
	get ringSeconds(): number {
		return this.#ringSeconds;
	}
	get queued(): boolean {
		return this.#queued;
	}
	get micOn(): boolean {
		return this.#micOn;
	}
	get cameraOn(): boolean {
		return this.#cameraOn;
	}
	get remoteCameraOn(): boolean {
		return this.#remoteCameraOn;
	}

	/** The standby screen is clean again: the last call's notice goes. */
	clearNotice(): void {
		this.#notice = null;
	}

	/** Mute or unmute the microphone (a touch on the kiosk; nothing remote calls this). */
	async toggleMic(): Promise<void> {
		this.#micOn = !this.#micOn;
		await this.#media.session?.setMicEnabled(this.#micOn);
	}

	/** Turn the camera off or back on (a touch on the kiosk; nothing remote calls this). */
	async toggleCamera(): Promise<void> {
		this.#cameraOn = !this.#cameraOn;
		await this.#media.session?.setCameraEnabled(this.#cameraOn);
	}

	get warningEndsAt(): string | null {
		return this.#warningEndsAt;
	}

	/** Where the page binds its <video> elements. */
	get videos(): VideoElements {
		return this.#media.videos;
	}

	/** Is this kiosk's camera capturing for a call? (tests and diagnostics) */
	cameraLive(): boolean {
		return this.#media.cameraLive();
	}

	start(): () => void {
		// The kiosk tells its build version when it opens its stream (the fleet view shows it; the server validates it).
		const feed = new EventFeed({ url: `/api/events?v=${encodeURIComponent(version)}`, log: logLine });
		this.#feed = feed;
		feed.onState((s) => (this.#feedState = s));
		feed.onSnapshot((s) => this.#resync(s));
		feed.on('presence', (d) => this.#onPresence(d));
		feed.on('call.accepted', (d) => {
			if (d.callId !== this.#callId) return;
			if (hungUp.has(d.callId)) return void this.#confirmEnd(d.callId, 'hangup');
			this.#conciergeName = d.conciergeName;
			void this.#join();
		});
		feed.on('call.ended', (d) => d.callId === this.#callId && this.#toStandby({ text: END_MESSAGES[d.reason], code: d.reason, tone: 'info' }));
		feed.on('call.missed', (d) => d.callId === this.#callId && this.#toStandby({ text: END_MESSAGES[d.reason], code: d.reason, tone: 'info' }));
		feed.on('call.cancelled', (d) => d.callId === this.#callId && this.#toStandby({ text: END_MESSAGES[d.reason], code: d.reason, tone: 'info' }));
		feed.on('call.party', (d) => {
			if (d.callId !== this.#callId || d.party !== 'concierge') return;
			if (d.present) this.#partyBack();
			else this.#partyLeft(d.graceSeconds);
		});
		feed.on('call.warning', (d) => d.callId === this.#callId && (this.#warningEndsAt = d.endsAt));
		feed.on('call.share_requested', (d) => {
			if (d.callId === this.#callId && this.#share === 'off') this.#share = 'requested';
		});
		feed.on('account.disabled', () => void this.#lock());
		// The administrator changed the business hours: read them (in the snapshot) again.
		feed.on('hours.changed', () => feed.resync());
		// The administrator's fleet view: back to standby (the server ended the call) or reload.
		feed.on('kiosk.command', (d) => (d.command === 'reload' ? location.reload() : this.#toStandby({ text: MESSAGES.ended, code: 'ended', tone: 'info' })));
		feed.start();
		const onPageHide = () => (this.#unloading = true);
		window.addEventListener('pagehide', onPageHide);
		(window as unknown as { __kioskCall?: { cameraLive(): boolean; phase(): Phase; blinderStats(): { frames: number; busyMs: number } | null; e2ee(): boolean } }).__kioskCall = {
			cameraLive: () => this.cameraLive(),
			phase: () => this.#phase,
			blinderStats: () => this.blinderStats(),
			e2ee: () => this.#media.session?.e2ee ?? false
		};
		return () => {
			window.removeEventListener('pagehide', onPageHide);
			this.#setHours(undefined);
			feed.close();
			this.#clearGrace();
			this.#media.leave();
		};
	}

	#onPresence(p: TenantPresence): void {
		this.#presence = p;
		// Someone can answer now: a queued call rings.
		if (p.available > 0) this.#queued = false;
	}

	/**
	 * The hours from a snapshot. At their next opening or closing a timer reads the
	 * snapshot again (the server decides, by its own clock: the kiosk's may be wrong), so
	 * the button turns on when the store opens without a reload. The server still refuses
	 * a call out of hours.
	 */
	#setHours(h: KioskHours | undefined): void {
		if (this.#hoursTimer) clearTimeout(this.#hoursTimer);
		this.#hoursTimer = null;
		this.#hours = h ?? { open: true, message: '', nextChangeInMs: null };
		if (h?.nextChangeInMs != null) {
			const ms = Math.min(Math.max(h.nextChangeInMs, 0) + 500, 2 ** 31 - 1);
			this.#hoursTimer = setTimeout(() => {
				this.#hoursTimer = null;
				logLine(`hours: ${this.#hours.open ? 'closing' : 'opening'} time reached; asking the server`);
				this.#feed?.resync();
			}, ms);
		}
	}

	/** After every (re)connect: redraw from the server's state. */
	#resync(s: Snapshot): void {
		this.#setHours(s.hours);
		this.#settings = s.settings ?? DEFAULT_SETTINGS;
		this.#ringSeconds = this.#settings.ringSeconds;
		this.#onPresence(s.presence);
		const live = s.calls.find((c) => c.state === 'ringing' || c.state === 'accepted');
		if (this.#callId && live?.id !== this.#callId) {
			// Our call ended while the stream was away.
			const ended = s.calls.find((c) => c.id === this.#callId);
			this.#toStandby(ended?.endReason ? { text: END_MESSAGES[ended.endReason], code: ended.endReason, tone: 'info' } : { text: MESSAGES.ended, code: 'ended', tone: 'info' });
		}
		if (!live) return;
		if (hungUp.has(live.id)) {
			// Hung up here, but the server has not heard it yet: say it again, never rejoin.
			void this.#confirmEnd(live.id, live.state === 'ringing' ? 'cancel' : 'hangup');
			return;
		}
		this.#callId = live.id;
		if (live.state === 'ringing') {
			this.#phase = 'ringing';
			this.#ringStartedAt ??= Date.now();
			this.#queued = live.ringExpiresAt === null;
		} else if (this.#phase !== 'incall' && this.#phase !== 'connecting') {
			this.#conciergeName = live.conciergeName;
			void this.#join();
		}
	}

	/** The only way a call is placed: the shopper pressed the button. */
	async press(): Promise<void> {
		if (!this.canPress) return;
		this.#pressing = true;
		this.#notice = null;
		try {
			const call: CallView = await createCall();
			this.#callId = call.id;
			this.#queued = call.ringExpiresAt === null;
			this.#phase = 'ringing';
			this.#ringStartedAt = Date.now();
			// Open camera and microphone while it rings, so the call starts sending the moment it connects.
			this.#media.fresh().prewarm();
			logLine(`call: ${this.#queued ? 'queued' : 'ringing'}`);
		} catch (e) {
			const err = e instanceof ApiRequestError ? e : null;
			if (err?.code === 'no_concierge') this.#notice = { text: END_MESSAGES.no_concierge, code: 'no_concierge', tone: 'info' };
			else if (err?.code === 'closed') {
				// Closed since the last snapshot (its timer not yet run): the snapshot shows the closed button and message.
				logLine('call: refused out of business hours; resyncing');
				this.#feed?.resync();
			} else if (err?.status === 429) this.#notice = { text: MESSAGES.tooMany, code: 'tooMany', tone: 'info' };
			else if (err?.code === 'call_in_progress') {
				// The server holds a live call of ours: its snapshot decides (resume it, or hang it up again).
				logLine('call: already in progress; resyncing');
				this.#feed?.resync();
			} else {
				this.#notice = { text: MESSAGES.callFailed, code: 'callFailed', tone: 'error' };
				problem('call_error', (e as Error).message);
			}
		} finally {
			this.#pressing = false;
		}
	}

	cancel(): void {
		const id = this.#callId;
		if (!id) return;
		hungUp.remember(id);
		this.#toStandby(null);
		void this.#confirmEnd(id, 'cancel');
	}

	/** Devices off and back to standby now; the server is told until it confirms. */
	hangUp(): void {
		const id = this.#callId;
		if (!id) return;
		hungUp.remember(id);
		this.#toStandby({ text: END_MESSAGES.hung_up_by_kiosk, code: 'hung_up_by_kiosk', tone: 'info' });
		void this.#confirmEnd(id, 'hangup');
	}

	async #confirmEnd(id: string, action: 'cancel' | 'hangup'): Promise<void> {
		try {
			const r = await retryUntilConfirmed(() => callAction(id, action), { onRetry: (e, n) => logLine(`call: ${action} not confirmed yet (${e.code}, try ${n})`) });
			// A cancel that met an answer (409, or the call came back accepted): hang it up instead.
			const stillLive = r.settled === 'over' ? r.error.status === 409 && action === 'cancel' : r.value.state === 'accepted' || r.value.state === 'ringing';
			if (stillLive && action === 'cancel') return await this.#confirmEnd(id, 'hangup');
			logLine(`call: ${action} confirmed`);
		} catch (e) {
			problem('call_error', `${action} failed: ${(e as Error).message}`);
		}
	}

	/** Join (or, after LiveKit gave up, `again`: rejoin) the answered call this kiosk placed. */
	async #join(again = false): Promise<void> {
		const id = this.#callId;
		if (!id || hungUp.has(id)) return;
		if (!again && (this.#phase === 'connecting' || this.#phase === 'incall')) return;
		this.#phase = 'connecting';
		const session = this.#media.reuse();
		try {
			// A rejoin keeps the shopper's choices: a muted microphone or camera stays off.
			const joined = await this.#media.join(session, () => callAction(id, 'token'), { mic: this.#micOn, camera: this.#cameraOn });
			if (!joined) return;
			this.#fixedRegions = joined.conn.blinderRegions ?? [];
			this.#phase = 'incall';
			this.#callStartedAt ??= Date.now();
			logLine('call: connected');
			if (!joined.published) this.#notice = { text: MESSAGES.media, code: 'media', tone: 'error' };
		} catch (e) {
			if (!this.#media.isCurrent(session) || this.#unloading) return;
			problem('call_error', (e as Error).message);
			if (e instanceof ApiRequestError && (e.status === 404 || e.status === 409)) return this.#toStandby({ text: MESSAGES.ended, code: 'ended', tone: 'info' });
			// Could not get into the room: end the call cleanly rather than leave the concierge waiting.
			hungUp.remember(id);
			this.#toStandby({ text: MESSAGES.joinFailed, code: 'joinFailed', tone: 'error' });
			void this.#confirmEnd(id, 'hangup');
		}
	}

	#onSession(e: SessionEvent): void {
		switch (e.type) {
			case 'party':
				if (e.present) this.#partyBack();
				else this.#partyLeft(this.#settings.graceSeconds);
				break;
			case 'reconnecting':
				this.#reconnecting = true;
				logLine('call: livekit reconnecting');
				break;
			case 'reconnected':
				this.#reconnecting = false;
				logLine('call: livekit reconnected');
				break;
			case 'disconnected':
				this.#roomLost(e.reason);
				break;
			case 'remote-share':
				this.#hasRemoteScreen = e.state !== 'off';
				break;
			case 'remote-camera':
				this.#remoteCameraOn = e.on;
				this.#remoteCameraSeen = true;
				break;
			case 'local-share':
				if (this.#share !== 'off') {
					this.#share = 'off';
					void this.#reportShare('off');
				}
				break;
			case 'problem':
				problem(e.kind, e.message, e.reason ? { reason: e.reason } : {});
				break;
			default:
				e satisfies never;
		}
	}

	/**
	 * LiveKit gave up on the room, or the server removed us (a full reconnect reuses its
	 * token, which the guard refuses). Rejoin with a fresh token while the call lives:
	 * the token request answers 404/409 once it is over. Another tab of this kiosk taking
	 * the seat (DUPLICATE_IDENTITY) or three failed rejoins wait for the server's verdict.
	 */
	#roomLost(reason: string): void {
		if (this.#unloading || reason === 'CLIENT_INITIATED') return;
		const id = this.#callId;
		logLine(`call: livekit disconnected (${reason})`);
		this.#media.leave();
		if (!id) return;
		this.#phase = 'connecting';
		this.#reconnecting = true;
		if (reason === 'DUPLICATE_IDENTITY' || this.#rejoins >= 3) return this.#partyLeft(this.#settings.graceSeconds, 'kiosk_left');
		this.#rejoins++;
		void this.#join(true).finally(() => (this.#reconnecting = false));
	}

	#partyLeft(graceSeconds: number, reason: EndReason = 'concierge_left'): void {
		this.#partyGone = true;
		if (this.#graceTimer) return;
		const id = this.#callId;
		logLine(`call: the other party is gone; ending in ${graceSeconds + 5} s unless it returns`);
		// The server ends the call at the grace; this is for when the server cannot be reached.
		this.#graceTimer = setTimeout(
			() => {
				this.#graceTimer = null;
				if (!id || id !== this.#callId) return;
				hungUp.remember(id);
				this.#toStandby({ text: END_MESSAGES[reason], code: reason, tone: 'info' });
				void this.#confirmEnd(id, 'hangup');
			},
			(graceSeconds + 5) * 1000
		);
	}

	#partyBack(): void {
		this.#partyGone = false;
		this.#clearGrace();
	}

	#clearGrace(): void {
		if (this.#graceTimer) clearTimeout(this.#graceTimer);
		this.#graceTimer = null;
	}

	/** The shopper's answer to "may the concierge see your screen?" — only ever given here, on the kiosk. */
	async answer(consent: boolean, allowMore = false): Promise<void> {
		const id = this.#callId;
		const session = this.#media.session;
		if (!id || !session || this.#share !== 'requested') return;
		if (!consent) {
			this.#share = 'off';
			await callAction(id, 'consent', { consent: false, allowMore }).catch((e: Error) => problem('call_error', e.message));
			return;
		}
		this.#share = 'starting';
		try {
			// Capture inside the touch, blind before encoding, then publish once the platform has opened the grant.
			this.#blinder = new BlinderProcessor([...this.#fixedRegions, ...this.#shopperRegions]);
			await session.shareScreen({ before: () => callAction(id, 'consent', { consent: true, allowMore }), waitForGrant: true, blinder: this.#blinder });
			this.#share = 'live';
			await this.#reportShare('live');
			// The concierge is told that areas are hidden (the store's fixed ones) from the first frame.
			if (this.#fixedRegions.length || this.#shopperRegions.length) this.setBlinderRegions(this.#shopperRegions);
			logLine('call: screen share started');
		} catch (e) {
			if (!this.#media.isCurrent(session)) return;
			problem('media_error', (e as Error).message);
			this.#notice = { text: MESSAGES.shareFailed, code: 'shareFailed', tone: 'error' };
			this.#share = 'off';
			await this.#reportShare('off');
		}
	}

	async pauseShare(): Promise<void> {
		const session = this.#media.session;
		if (this.#share !== 'live' || !session) return;
		this.#share = 'paused';
		await session.pauseScreenShare();
		await this.#reportShare('paused');
	}

	async resumeShare(): Promise<void> {
		const session = this.#media.session;
		if (this.#share !== 'paused' || !session) return;
		this.#share = 'live';
		await session.resumeScreenShare();
		await this.#reportShare('live');
	}

	async stopShare(): Promise<void> {
		const was = this.#share;
		if (was === 'off') return;
		this.#share = 'off';
		// The capture and the encoded track end synchronously inside stopScreenShare; the unpublish and the report go out together.
		const stopping = this.#media.session?.stopScreenShare();
		const reporting = was === 'live' || was === 'paused' ? this.#reportShare('off') : null;
		await Promise.all([stopping, reporting]);
	}

	/** The shopper moved, added or removed a hidden region: applied to the next frame, then reported (audited; the concierge learns the count). */
	setBlinderRegions(regions: BlinderRegion[]): void {
		this.#shopperRegions = regions;
		this.#blinder?.setRegions([...this.#fixedRegions, ...regions]);
		const id = this.#callId;
		if (id) void callAction(id, 'blinder', { regions }).catch((e: Error) => problem('call_error', `blinder report failed: ${e.message}`));
	}

	/** Blinder cost so far (bench and diagnostics). */
	blinderStats(): { frames: number; busyMs: number } | null {
		return this.#blinder ? { ...this.#blinder.stats } : null;
	}

	async #reportShare(state: 'live' | 'paused' | 'off'): Promise<void> {
		const id = this.#callId;
		if (id) await callAction(id, 'share', { state }).catch((e: Error) => problem('call_error', `share report failed: ${e.message}`));
	}

	/** Everything back to standby: the devices stop here, synchronously. */
	#toStandby(notice: Notice | null): void {
		this.#media.leave();
		this.#clearGrace();
		this.#callId = null;
		this.#phase = 'standby';
		this.#share = 'off';
		this.#blinder = null;
		this.#shopperRegions = [];
		this.#fixedRegions = [];
		this.#queued = false;
		this.#hasRemoteScreen = false;
		this.#conciergeName = null;
		this.#partyGone = false;
		this.#reconnecting = false;
		this.#warningEndsAt = null;
		this.#ringStartedAt = null;
		this.#callStartedAt = null;
		this.#micOn = true;
		this.#cameraOn = true;
		this.#remoteCameraOn = true;
		this.#remoteCameraSeen = false;
		this.#rejoins = 0;
		if (notice) this.#notice = notice;
		logLine('call: back to standby');
	}

	/**
	 * Disabled remotely: leave any call, stop listening, and drop everything this
	 * terminal kept (storage, pending problem reports, caches). Nothing on the
	 * screen can undo it; only an administrator enabling the account can.
	 */
	async #lock(): Promise<void> {
		this.#disabled = true;
		this.#feed?.close();
		logLine('account: disabled by an administrator; terminal locked');
		this.#toStandby(null);
		try {
			localStorage.clear();
			sessionStorage.clear();
			indexedDB.deleteDatabase('concierge-reports');
			if ('caches' in window) for (const k of await caches.keys()) await caches.delete(k);
		} catch {
			// Storage may be unavailable; the session is revoked on the server regardless.
		}
	}
}
