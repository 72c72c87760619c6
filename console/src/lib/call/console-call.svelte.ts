/**
 * The concierge's call policy and UI state, over the shared client core
 * ($platform/client: the /api wrapper, the event feed, the LiveKit session):
 * presence (available, busy, away, offline, and why the platform changed it),
 * the calls ringing this concierge with their ring alerts, accept, the call itself
 * (screen sharing both ways, the kiosk gone and back, the length warning), and a
 * hang-up that is final: devices off at once, then repeated until confirmed.
 */
import type { CallSettings, EndReason, PresenceReason, PresenceState, SharePermissions, ShareState, Snapshot, TenantPresence } from '$platform/calls/contract.ts';
import { ApiRequestError, callAction, retryUntilConfirmed, setPresence } from '$platform/client/api.ts';
import { EventFeed, type FeedState } from '$platform/client/event-feed.ts';
import type { SessionEvent } from '$platform/client/media-session.ts';
import { CallMedia, noVideos, type VideoElements, type VideoRefs } from '$platform/client/call-media.ts';
import { HungUpCalls } from '$platform/client/hung-up.ts';
import type { Connection } from '$platform/calls/contract.ts';
import { RingAlert } from './ring-alert.ts';
import { activeCall } from './active-call.svelte.ts';

export interface Ringing {
	callId: string;
	kioskName: string;
	createdAt: string;
}

export interface Missed {
	callId: string;
	kioskName: string;
	at: number;
}

export interface Notice {
	text: string;
	/** info: how a call ended, or an answer from the platform; error: something failed. */
	tone: 'info' | 'error';
}

/** Why a call ended, as the concierge reads it. Every code has a sentence. */
export const END_MESSAGES: Record<EndReason, string> = {
	hung_up_by_kiosk: 'The kiosk ended the call.',
	hung_up_by_concierge: 'You ended the call.',
	cancelled_by_kiosk: 'The kiosk cancelled the call.',
	no_answer: 'Nobody answered the call in time.',
	no_concierge: 'No concierge was available for the call.',
	queue_timeout: 'The call waited too long in the queue and was dropped.',
	kiosk_left: 'The kiosk has left the call and did not come back.',
	concierge_left: 'You were away from the call for too long, so it was ended.',
	concierge_signed_out: 'You signed out, which ended the call.',
	max_duration: 'The call reached its maximum length and was ended.',
	room_closed: 'The call has ended.',
	media_unavailable: 'The call ended because a camera or microphone was not available.',
	account_disabled: 'The call ended because an administrator disabled the kiosk.'
};

/** Why the platform changed this concierge's state. */
export const PRESENCE_REASONS: Record<PresenceReason, string> = {
	missed_rings: 'You were set to Away because two calls in a row went unanswered.',
	signed_out: 'You were signed out, so you are offline.',
	stream_lost: 'You were set to Offline because this console lost its connection.'
};

/** Calls this console hung up: never rejoined, whatever a snapshot says. */
const hungUp = new HungUpCalls('concierge:console-hung-up-calls');

const DEFAULT_SETTINGS: CallSettings = { graceSeconds: 20, ringSeconds: 45, maxCallMinutes: 60 };

export class ConsoleCall {
	#me = $state<PresenceState>('offline');
	#meReason = $state<string | null>(null);
	#permissions = $state<SharePermissions>({ canShareScreen: false, canViewKioskScreen: false });
	#presence = $state<TenantPresence>({ available: 0, busy: 0, waiting: [] });
	#feedState = $state<FeedState>('connecting');
	#ringing = $state<Ringing[]>([]);
	#missed = $state<Missed[]>([]);
	#now = $state(Date.now());
	#phase = $state<'idle' | 'connecting' | 'incall'>('idle');
	#kioskName = $state<string | null>(null);
	#notice = $state<Notice | null>(null);
	#sharing = $state<ShareState>('off');
	#kioskScreen = $state<ShareState>('off');
	#kioskDeclined = $state(false);
	/** How many areas of the kiosk's shared screen are hidden (the store's fixed ones, the shopper's own). */
	#hidden = $state<{ fixed: number; shopper: number }>({ fixed: 0, shopper: 0 });
	#partyGone = $state(false);
	#reconnecting = $state(false);
	#warningEndsAt = $state<string | null>(null);
	#callStartedAt = $state<number | null>(null);
	#micOn = $state(true);
	#cameraOn = $state(true);
	#kioskCameraOn = $state(true);
	#devices = $state<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }>({ cameras: [], microphones: [] });

	#callId: string | null = null;
	#rejoins = 0;
	/** The page is being closed or reloaded: nothing is ended or rejoined from here on. */
	#unloading = false;
	#settings: CallSettings = DEFAULT_SETTINGS;
	#feed: EventFeed | null = null;
	#alert = new RingAlert();
	/** The page's <video> elements (state, so `bind:this` binds to a reactive property). */
	#els = $state<VideoRefs>(noVideos());
	#media = new CallMedia({
		onEvent: (e) => this.#onSession(e),
		e2eeWorker: () => new Worker(new URL('livekit-client/e2ee-worker', import.meta.url), { type: 'module' }),
		elements: this.#els
	});

	/** available, busy (in a call), away, offline. */
	get status(): PresenceState {
		return this.#phase !== 'idle' ? 'busy' : this.#me;
	}
	/** Why the platform last changed this concierge's state, if it did. */
	get statusReason(): string | null {
		return this.#meReason;
	}
	get connected(): boolean {
		return this.#feedState === 'open';
	}
	get canShareScreen(): boolean {
		return this.#permissions.canShareScreen;
	}
	get canViewKioskScreen(): boolean {
		return this.#permissions.canViewKioskScreen;
	}
	get ringing(): readonly Ringing[] {
		return this.#ringing;
	}
	get missed(): readonly Missed[] {
		return this.#missed;
	}
	/** Calls of the tenant waiting in the queue for a concierge to be free. */
	get waiting(): number {
		return this.#presence.waiting.length;
	}
	get phase(): 'idle' | 'connecting' | 'incall' {
		return this.#phase;
	}
	get kioskName(): string | null {
		return this.#kioskName;
	}
	get notice(): Notice | null {
		return this.#notice;
	}
	/** Our own screen share. */
	get sharing(): ShareState {
		return this.#sharing;
	}
	/** The kiosk's screen, as this concierge sees it. */
	get kioskScreen(): ShareState {
		return this.#kioskScreen;
	}
	get hiddenRegions(): { fixed: number; shopper: number } {
		return this.#hidden;
	}
	get kioskDeclined(): boolean {
		return this.#kioskDeclined;
	}
	get stageNotice(): 'connecting' | 'reconnecting' | 'kiosk-gone' | null {
		if (this.#phase === 'idle') return null;
		if (this.#reconnecting || this.#feedState === 'lost') return 'reconnecting';
		if (this.#phase === 'connecting') return 'connecting';
		return this.#partyGone ? 'kiosk-gone' : null;
	}
	get warningEndsAt(): string | null {
		return this.#warningEndsAt;
	}
	get graceSeconds(): number {
		return this.#settings.graceSeconds;
	}
	get ringAlertActive(): boolean {
		return this.#ringing.length > 0 && this.#phase === 'idle' && this.#me === 'available';
	}

	get callStartedAt(): number | null {
		return this.#callStartedAt;
	}
	get micOn(): boolean {
		return this.#micOn;
	}
	get cameraOn(): boolean {
		return this.#cameraOn;
	}
	/** The kiosk's camera as the room reports it (off: a placeholder with the kiosk's name). */
	get kioskCameraOn(): boolean {
		return this.#kioskCameraOn;
	}
	get devices(): { cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] } {
		return this.#devices;
	}

	async toggleMic(): Promise<void> {
		this.#micOn = !this.#micOn;
		await this.#media.session?.setMicEnabled(this.#micOn);
	}
	async toggleCamera(): Promise<void> {
		this.#cameraOn = !this.#cameraOn;
		await this.#media.session?.setCameraEnabled(this.#cameraOn);
	}
	/** Use another camera or microphone for this call. */
	async useDevice(kind: 'videoinput' | 'audioinput', deviceId: string): Promise<void> {
		const ok = await this.#media.session?.switchDevice(kind, deviceId).catch(() => false);
		if (ok === false) this.#notice = { text: kind === 'videoinput' ? 'That camera could not be used.' : 'That microphone could not be used.', tone: 'error' };
	}
	async #listDevices(): Promise<void> {
		try {
			const all = await navigator.mediaDevices.enumerateDevices();
			this.#devices = { cameras: all.filter((d) => d.kind === 'videoinput' && d.deviceId), microphones: all.filter((d) => d.kind === 'audioinput' && d.deviceId) };
		} catch {
			this.#devices = { cameras: [], microphones: [] };
		}
	}

	/** Where the page binds its <video> elements. */
	get videos(): VideoElements {
		return this.#media.videos;
	}

	cameraLive(): boolean {
		return this.#media.cameraLive();
	}

	start(): () => void {
		const feed = new EventFeed();
		this.#feed = feed;
		feed.onState((s) => (this.#feedState = s));
		feed.onSnapshot((s) => this.#resync(s));
		// Disabled by an administrator: the session is already revoked; leave at once.
		feed.on('account.disabled', () => {
			feed.close();
			this.#media.leave();
			location.assign('/login?disabled=1');
		});
		feed.on('presence', (d) => (this.#presence = d));
		feed.on('presence.self', (d) => {
			this.#me = d.state;
			this.#meReason = d.reason ? PRESENCE_REASONS[d.reason] : null;
			if (d.state !== 'available') this.#ringing = [];
		});
		feed.on('permissions', (d) => this.#applyPermissions(d));
		feed.on('call.ringing', (d) => {
			if (d.ringExpiresAt === null || this.#ringing.some((r) => r.callId === d.callId)) return;
			this.#ringing = [...this.#ringing, { callId: d.callId, kioskName: d.kioskName, createdAt: d.createdAt }];
		});
		feed.on('call.taken', (d) => this.#dropRinging(d.callId, false));
		feed.on('call.cancelled', (d) => this.#dropRinging(d.callId, false));
		feed.on('call.missed', (d) => this.#dropRinging(d.callId, true));
		feed.on('call.ended', (d) => {
			if (d.callId === this.#callId) this.#finish({ text: END_MESSAGES[d.reason], tone: 'info' });
		});
		feed.on('call.party', (d) => {
			if (d.callId === this.#callId && d.party === 'kiosk') this.#partyGone = !d.present;
		});
		feed.on('call.warning', (d) => d.callId === this.#callId && (this.#warningEndsAt = d.endsAt));
		feed.on('call.share_answered', (d) => {
			if (d.callId !== this.#callId) return;
			this.#kioskDeclined = !d.consent;
			this.#kioskScreen = d.consent ? 'starting' : 'off';
		});
		feed.on('call.share_state', (d) => {
			if (d.callId !== this.#callId || d.by !== 'kiosk') return;
			this.#kioskScreen = d.state;
			if (d.state === 'off') this.#hidden = { fixed: 0, shopper: 0 };
		});
		feed.on('call.blinder', (d) => {
			if (d.callId === this.#callId) this.#hidden = { fixed: d.fixed, shopper: d.shopper };
		});
		feed.start();
		const onPageHide = () => (this.#unloading = true);
		window.addEventListener('pagehide', onPageHide);
		const clock = setInterval(() => (this.#now = Date.now()), 1000);
		const stopEffects = $effect.root(() => {
			$effect(() => this.#alert.update(this.ringAlertActive ? this.#ringing : []));
			$effect(() => void (activeCall.live = this.#phase !== 'idle'));
		});
		(window as unknown as { __consoleCall?: { cameraLive(): boolean; ringAlert(): boolean; ringSound(): boolean } }).__consoleCall = {
			cameraLive: () => this.cameraLive(),
			ringAlert: () => this.#alert.active,
			ringSound: () => this.#alert.soundPlaying
		};
		return () => {
			window.removeEventListener('pagehide', onPageHide);
			clearInterval(clock);
			stopEffects();
			this.#alert.stop();
			feed.close();
			this.#media.leave();
			activeCall.live = false;
		};
	}

	#dropRinging(callId: string, missed: boolean): void {
		const r = this.#ringing.find((x) => x.callId === callId);
		if (!r) return;
		this.#ringing = this.#ringing.filter((x) => x.callId !== callId);
		if (missed) this.#missed = [{ callId, kioskName: r.kioskName, at: Date.now() }, ...this.#missed].slice(0, 5);
	}

	#applyPermissions(p: SharePermissions): void {
		this.#permissions = p;
		// Withdrawn while sharing: stop now (the platform closes the grant as well).
		if (!p.canShareScreen && this.#sharing !== 'off') void this.stopMyScreen();
	}

	#resync(s: Snapshot): void {
		this.#settings = s.settings ?? DEFAULT_SETTINGS;
		this.#presence = s.presence;
		if (s.me) {
			this.#me = s.me.state;
			this.#applyPermissions(s.me.permissions);
		}
		this.#ringing =
			this.#me === 'available'
				? s.calls.filter((c) => c.state === 'ringing' && c.ringExpiresAt !== null).map((c) => ({ callId: c.id, kioskName: c.kioskName, createdAt: c.createdAt }))
				: [];
		const mine = s.calls.find((c) => c.state === 'accepted' && c.mine);
		if (mine && hungUp.has(mine.id)) {
			// Hung up here, not yet heard by the server: say it again, never rejoin.
			void this.#confirmHangUp(mine.id);
			if (this.#callId === mine.id) this.#finish(null);
			return;
		}
		if (!mine && this.#phase !== 'idle') this.#finish({ text: 'The call has ended.', tone: 'info' });
		if (mine && this.#phase === 'idle') {
			this.#callId = mine.id;
			this.#kioskName = mine.kioskName;
			void this.#join(null);
		}
	}

	async setStatus(status: 'available' | 'away'): Promise<void> {
		if (status === 'available') RingAlert.askPermission();
		try {
			const r = await setPresence(status);
			this.#me = r.state;
			this.#presence = r.presence;
			this.#meReason = null;
			if (r.state !== 'available') this.#ringing = [];
		} catch (e) {
			this.#notice = {
				text:
					e instanceof ApiRequestError && e.status === 0
						? 'You are offline. Your status will be set when the connection is back.'
						: 'Your status could not be changed. Please try again.',
				tone: 'error'
			};
		}
	}

	waited(r: Ringing): string {
		const s = Math.max(0, Math.round((this.#now - new Date(r.createdAt).getTime()) / 1000));
		return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
	}

	async accept(r: Ringing): Promise<void> {
		if (this.#phase !== 'idle') return;
		this.#notice = null;
		// Camera and microphone open alongside the accept request, so sending starts on connect.
		const session = this.#media.fresh();
		session.prewarm();
		this.#phase = 'connecting';
		this.#callId = r.callId;
		this.#kioskName = r.kioskName;
		this.#ringing = this.#ringing.filter((x) => x.callId !== r.callId);
		try {
			const res = await callAction(r.callId, 'accept');
			await this.#join(res.connection);
		} catch (e) {
			if (!this.#media.isCurrent(session)) return;
			const taken = e instanceof ApiRequestError && (e.status === 409 || e.status === 404);
			this.#finish({
				text: taken ? 'This call was answered by someone else or is no longer waiting.' : 'The call could not be answered. Please try again.',
				tone: taken ? 'info' : 'error'
			});
		}
	}

	async #join(conn: Connection | null): Promise<void> {
		const callId = this.#callId;
		if (!callId) return;
		this.#phase = 'connecting';
		const session = this.#media.reuse();
		try {
			const joined = await this.#media.join(session, conn ?? (() => callAction(callId, 'token')), { mic: this.#micOn, camera: this.#cameraOn });
			if (!joined) return;
			this.#phase = 'incall';
			this.#callStartedAt ??= Date.now();
			void this.#listDevices();
			if (!joined.published) this.#notice = { text: 'Your camera or microphone is not available: the kiosk cannot see or hear you.', tone: 'error' };
		} catch (e) {
			if (!this.#media.isCurrent(session) || this.#unloading) return;
			const over = e instanceof ApiRequestError && (e.status === 404 || e.status === 409);
			if (over) return this.#finish({ text: 'The call has ended.', tone: 'info' });
			hungUp.remember(callId);
			this.#finish({ text: 'The call could not be connected, so it was ended.', tone: 'error' });
			void this.#confirmHangUp(callId);
		}
	}

	#onSession(e: SessionEvent): void {
		switch (e.type) {
			case 'party':
				this.#partyGone = !e.present;
				break;
			case 'reconnecting':
				this.#reconnecting = true;
				break;
			case 'reconnected':
				this.#reconnecting = false;
				break;
			case 'disconnected': {
				if (this.#unloading || e.reason === 'CLIENT_INITIATED') return;
				// LiveKit gave up, or the guard removed a full reconnect that reused its token:
				// rejoin with a fresh token while the call lives (the token request says if it does).
				const id = this.#callId;
				this.#media.leave();
				if (!id || e.reason === 'DUPLICATE_IDENTITY' || this.#rejoins >= 3) {
					this.#reconnecting = true;
					return;
				}
				this.#rejoins++;
				this.#reconnecting = true;
				void this.#join(null).finally(() => (this.#reconnecting = false));
				break;
			}
			case 'remote-share':
				this.#kioskScreen = e.state;
				break;
			case 'remote-camera':
				this.#kioskCameraOn = e.on;
				break;
			case 'local-share':
				if (this.#sharing !== 'off') {
					this.#sharing = 'off';
					void this.#reportShare('off');
				}
				break;
			case 'problem':
				console.warn(`call: ${e.kind}: ${e.message}${e.reason ? ` (${e.reason})` : ''}`);
				break;
			default:
				e satisfies never;
		}
	}

	async shareMyScreen(): Promise<void> {
		const session = this.#media.session;
		if (!session || this.#sharing !== 'off' || !this.canShareScreen) return;
		this.#sharing = 'starting';
		try {
			await session.shareScreen();
			this.#sharing = 'live';
			await this.#reportShare('live');
		} catch (e) {
			if (!this.#media.isCurrent(session)) return;
			this.#sharing = 'off';
			console.warn(`call: screen share failed: ${(e as Error).message}`);
			const denied = (e as Error).name === 'NotAllowedError';
			this.#notice = {
				text: denied ? 'Your screen was not shared: the browser was not allowed to capture it.' : 'Your screen could not be shared. Please try again.',
				tone: 'error'
			};
		}
	}

	async stopMyScreen(): Promise<void> {
		const was = this.#sharing;
		if (was === 'off') return;
		this.#sharing = 'off';
		await this.#media.session?.stopScreenShare();
		if (was === 'live' || was === 'paused') await this.#reportShare('off');
	}

	async #reportShare(state: 'live' | 'paused' | 'off'): Promise<void> {
		const id = this.#callId;
		if (id) await callAction(id, 'share', { state }).catch((e: Error) => console.warn(`call: share report failed: ${e.message}`));
	}

	/** Ask the kiosk user; only they can answer, on the kiosk. */
	async askKioskScreen(): Promise<void> {
		const id = this.#callId;
		if (!id) return;
		try {
			await callAction(id, 'request-screen');
			this.#kioskDeclined = false;
			this.#kioskScreen = 'requested';
		} catch (e) {
			const limited = e instanceof ApiRequestError && (e.code === 'share_refused_recently' || e.code === 'share_requests_exhausted');
			this.#notice = {
				text: limited
					? e.message
					: e instanceof ApiRequestError && e.status === 403
						? 'You are not allowed to view kiosk screens.'
						: 'The request could not be sent. Please try again.',
				tone: 'error'
			};
		}
	}

	/** Devices off and back to the list now; the server is told until it confirms. */
	hangUp(): void {
		const id = this.#callId;
		if (!id) return;
		hungUp.remember(id);
		this.#finish({ text: END_MESSAGES.hung_up_by_concierge, tone: 'info' });
		void this.#confirmHangUp(id);
	}

	async #confirmHangUp(id: string): Promise<void> {
		try {
			await retryUntilConfirmed(() => callAction(id, 'hangup'));
		} catch (e) {
			console.warn(`call: hang-up failed: ${(e as Error).message}`);
		}
	}

	#finish(notice: Notice | null): void {
		this.#media.leave();
		this.#callId = null;
		this.#sharing = 'off';
		this.#phase = 'idle';
		this.#kioskScreen = 'off';
		this.#kioskDeclined = false;
		this.#kioskName = null;
		this.#partyGone = false;
		this.#reconnecting = false;
		this.#warningEndsAt = null;
		this.#callStartedAt = null;
		this.#micOn = true;
		this.#cameraOn = true;
		this.#kioskCameraOn = true;
		this.#rejoins = 0;
		if (notice) this.#notice = notice;
	}

	/** End-of-call notices fade: the page clears them after a while. */
	clearNotice(): void {
		this.#notice = null;
	}
}
