/**
 * The kiosk's call state: standby -> ringing -> in call -> standby, driven by the
 * button, the server's event stream (SSE) and the LiveKit room. Problems are
 * reported as `concierge:problem` / `concierge:log` window events (the crash-report
 * module listens for them); this file never imports that module.
 */
import { tick } from 'svelte';
import type { Room, LocalTrack, LocalTrackPublication } from 'livekit-client';

export type Phase = 'standby' | 'ringing' | 'connecting' | 'incall';
export type Share = 'off' | 'asked' | 'starting' | 'sharing' | 'paused';

interface CallInfo {
	id: string;
	state: string;
	conciergeName?: string | null;
}

type ProblemKind = 'livekit_disconnect' | 'media_error' | 'call_error';

function problem(kind: ProblemKind, message: string, extra: { reason?: string; stats?: object } = {}): void {
	window.dispatchEvent(new CustomEvent('concierge:problem', { detail: { kind, message, ...extra } }));
}
function logLine(line: string): void {
	window.dispatchEvent(new CustomEvent('concierge:log', { detail: line }));
}

async function post(path: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
	const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	const data = await r.json().catch(() => ({}));
	if (!r.ok) throw Object.assign(new Error(String(data.message ?? 'Something went wrong. Please try again.')), { code: data.code, status: r.status });
	return data;
}

const MESSAGES: Record<string, string> = {
	no_answer: '応答がありませんでした。もう一度お試しください。 No concierge answered. Please try again.',
	ended: '通話が終了しました。 The call has ended.',
	offline: '接続が切れました。再接続しています… Connection lost. Reconnecting…',
	media: 'カメラまたはマイクを使用できません。 The camera or microphone is not available.'
};

export class KioskCall {
	phase = $state<Phase>('standby');
	available = $state(0);
	connected = $state(false);
	message = $state<string | null>(null);
	conciergeName = $state<string | null>(null);
	share = $state<Share>('off');
	busy = $state(false);
	remoteCamera = $state<HTMLVideoElement | null>(null);
	remoteScreen = $state<HTMLVideoElement | null>(null);
	selfView = $state<HTMLVideoElement | null>(null);
	hasRemoteScreen = $state(false);
	/** The account was disabled by an administrator: the terminal is locked for good. */
	disabled = $state(false);

	#callId: string | null = null;
	#room: Room | null = null;
	#screen: LocalTrack[] = [];
	#screenPub: LocalTrackPublication | null = null;
	#events: EventSource | null = null;
	/** Camera and microphone opened while ringing, so the call starts sending the moment it connects. */
	#local: Promise<LocalTrack[]> | null = null;

	#prewarm(): void {
		this.#local ??= import('livekit-client')
			.then((m) => m.createLocalTracks({ audio: true, video: true }))
			.catch((e) => {
				problem('media_error', (e as Error).message);
				return [];
			});
	}

	start(): () => void {
		const es = new EventSource('/api/events');
		this.#events = es;
		es.onopen = () => (this.connected = true);
		es.onerror = () => (this.connected = false);
		const on = (type: string, fn: (d: Record<string, unknown>) => void) =>
			es.addEventListener(type, (e) => fn(JSON.parse((e as MessageEvent).data)));
		on('snapshot', (d) => this.#resync(d as { calls: CallInfo[]; available: number }));
		on('presence', (d) => (this.available = Number(d.available) || 0));
		on('call.accepted', (d) => {
			if (d.callId === this.#callId) {
				this.conciergeName = (d.conciergeName as string) ?? null;
				void this.#join();
			}
		});
		for (const t of ['call.ended', 'call.missed', 'call.cancelled']) on(t, (d) => d.callId === this.#callId && void this.#finish(t === 'call.missed' ? MESSAGES.no_answer! : MESSAGES.ended!));
		on('account.disabled', () => void this.#lock());
		es.addEventListener('error', () => {
			// A stream the server refuses (revoked session) is not retried by EventSource.
			if (es.readyState === EventSource.CLOSED && !this.disabled) void this.#checkSession();
		});
		on('call.share_requested', (d) => {
			if (d.callId === this.#callId && this.share === 'off') this.share = 'asked';
		});
		return () => {
			es.close();
			void this.#leaveRoom();
		};
	}

	/**
	 * Disabled remotely: leave any call, stop listening, and drop everything this
	 * terminal kept (storage, pending problem reports, caches). Nothing on the
	 * screen can undo it; only an administrator enabling the account can.
	 */
	async #lock(): Promise<void> {
		this.disabled = true;
		this.#events?.close();
		logLine('account: disabled by an administrator; terminal locked');
		await this.#leaveRoom().catch(() => {});
		for (const t of this.#screen) t.stop();
		for (const t of (await this.#local?.catch(() => [])) ?? []) t.stop();
		this.phase = 'standby';
		try {
			localStorage.clear();
			sessionStorage.clear();
			indexedDB.deleteDatabase('concierge-reports');
			if ('caches' in window) for (const k of await caches.keys()) await caches.delete(k);
		} catch {
			// Storage may be unavailable; the session is revoked on the server regardless.
		}
	}

	/** The stream was refused: is the session gone (signed out or disabled elsewhere)? */
	async #checkSession(): Promise<void> {
		const r = await fetch('/api/me').catch(() => null);
		if (r?.status === 401) location.assign('/login');
	}

	/** After every (re)connect: redraw from the server's state. */
	#resync(s: { calls: CallInfo[]; available: number }): void {
		this.available = s.available;
		const live = s.calls.find((c) => c.state === 'ringing' || c.state === 'accepted');
		if (!live) {
			if (this.phase !== 'standby') void this.#finish(MESSAGES.ended!);
			return;
		}
		this.#callId = live.id;
		if (live.state === 'ringing') this.phase = 'ringing';
		else if (this.phase !== 'incall' && this.phase !== 'connecting') void this.#join();
	}

	/** The only way a call is placed: the shopper pressed the button. */
	async press(): Promise<void> {
		if (this.phase !== 'standby' || this.busy) return;
		this.busy = true;
		this.message = null;
		try {
			const call = await post('/api/calls');
			this.#callId = String(call.id);
			this.phase = 'ringing';
			this.#prewarm();
			logLine('call: ringing');
		} catch (e) {
			this.message = (e as Error).message;
			if ((e as { status?: number }).status !== 409) problem('call_error', (e as Error).message);
		} finally {
			this.busy = false;
		}
	}

	async cancel(): Promise<void> {
		if (!this.#callId) return;
		try {
			await post(`/api/calls/${this.#callId}/cancel`);
		} catch (e) {
			problem('call_error', (e as Error).message);
		}
		await this.#finish(null);
	}

	async hangUp(): Promise<void> {
		const id = this.#callId;
		await this.#finish(null);
		if (id) await post(`/api/calls/${id}/hangup`).catch((e) => problem('call_error', (e as Error).message));
	}

	async #join(): Promise<void> {
		if (!this.#callId || this.#room) return;
		this.phase = 'connecting';
		const callId = this.#callId;
		try {
			const { Room, RoomEvent, Track, DisconnectReason } = await import('livekit-client');
			const conn = (await post(`/api/calls/${callId}/token`)) as { url: string; token: string };
			const room = new Room({ adaptiveStream: false, dynacast: false, publishDefaults: { simulcast: false } });
			this.#room = room;
			room.on(RoomEvent.TrackSubscribed, (track) => {
				if (track.kind !== 'video') {
					track.attach();
					return;
				}
				if (track.source === Track.Source.ScreenShare) {
					this.hasRemoteScreen = true;
					void tick().then(() => this.remoteScreen && track.attach(this.remoteScreen));
				} else if (this.remoteCamera) track.attach(this.remoteCamera);
			});
			room.on(RoomEvent.TrackUnsubscribed, (track) => {
				if (track.source === Track.Source.ScreenShare) this.hasRemoteScreen = false;
				track.detach();
			});
			room.on(RoomEvent.Disconnected, (reason) => {
				const name = reason === undefined ? 'UNKNOWN' : DisconnectReason[reason];
				if (reason !== DisconnectReason.CLIENT_INITIATED) problem('livekit_disconnect', 'The call connection closed.', { reason: name });
				logLine(`call: livekit disconnected (${name})`);
				if (this.#room === room) void this.#finish(MESSAGES.ended!);
			});
			room.on(RoomEvent.Reconnecting, () => logLine('call: livekit reconnecting'));
			room.on(RoomEvent.MediaDevicesError, (e) => problem('media_error', e.message));
			await room.connect(conn.url, conn.token);
			if (this.#room !== room) return void room.disconnect();
			this.phase = 'incall';
			logLine('call: connected');
			try {
				this.#prewarm();
				const tracks = await this.#local!;
				this.#local = null;
				if (tracks.length === 0) throw new Error('no camera or microphone');
				await Promise.all(tracks.map((t) => room.localParticipant.publishTrack(t)));
				const cam = room.localParticipant.getTrackPublication(Track.Source.Camera)?.track;
				if (cam && this.selfView) cam.attach(this.selfView);
			} catch (e) {
				this.message = MESSAGES.media!;
				problem('media_error', (e as Error).message);
			}
		} catch (e) {
			problem('call_error', (e as Error).message);
			this.message = (e as Error).message;
			await this.#leaveRoom();
			if (this.phase === 'connecting') this.phase = 'standby';
		}
	}

	/** The shopper's answer to "may the concierge see your screen?" — only ever given here, on the kiosk. */
	async answer(consent: boolean): Promise<void> {
		const id = this.#callId;
		const room = this.#room;
		if (!id || !room || this.share !== 'asked') return;
		if (!consent) {
			this.share = 'off';
			await post(`/api/calls/${id}/consent`, { consent: false }).catch((e) => problem('call_error', (e as Error).message));
			return;
		}
		this.share = 'starting';
		try {
			const { Track } = await import('livekit-client');
			// Capture inside the touch, then publish once the platform has opened the grant.
			const tracks = await room.localParticipant.createScreenTracks({ audio: false });
			this.#screen = tracks;
			await post(`/api/calls/${id}/consent`, { consent: true });
			await this.#waitForScreenGrant(room);
			this.#screenPub = await room.localParticipant.publishTrack(tracks[0]!, { source: Track.Source.ScreenShare });
			tracks[0]!.mediaStreamTrack.addEventListener('ended', () => void this.stopShare());
			this.share = 'sharing';
			await post(`/api/calls/${id}/share`, { state: 'started' });
			logLine('call: screen share started');
		} catch (e) {
			problem('media_error', (e as Error).message);
			this.message = '画面を共有できませんでした。 Your screen could not be shared.';
			await this.stopShare();
		}
	}

	async #waitForScreenGrant(room: Room): Promise<void> {
		const { RoomEvent } = await import('livekit-client');
		// Protocol TrackSource.SCREEN_SHARE; the grant is opened by the platform after consent.
		const SCREEN_SHARE = 3;
		const ok = () => room.localParticipant.permissions?.canPublishSources?.includes(SCREEN_SHARE) ?? false;
		if (ok()) return;
		await new Promise<void>((resolve, reject) => {
			const t = setTimeout(() => reject(new Error('screen share permission did not arrive')), 10_000);
			const fn = () => {
				if (!ok()) return;
				clearTimeout(t);
				room.off(RoomEvent.ParticipantPermissionsChanged, fn);
				resolve();
			};
			room.on(RoomEvent.ParticipantPermissionsChanged, fn);
		});
	}

	async pauseShare(): Promise<void> {
		if (this.share !== 'sharing' || !this.#screenPub) return;
		await this.#screenPub.mute();
		this.share = 'paused';
		await post(`/api/calls/${this.#callId}/share`, { state: 'paused' }).catch(() => {});
	}

	async resumeShare(): Promise<void> {
		if (this.share !== 'paused' || !this.#screenPub) return;
		await this.#screenPub.unmute();
		this.share = 'sharing';
		await post(`/api/calls/${this.#callId}/share`, { state: 'resumed' }).catch(() => {});
	}

	async stopShare(): Promise<void> {
		const wasSharing = this.share === 'sharing' || this.share === 'paused';
		const tracks = this.#screen;
		this.#screen = [];
		this.#screenPub = null;
		this.share = 'off';
		for (const t of tracks) {
			await this.#room?.localParticipant.unpublishTrack(t, true).catch(() => {});
			t.stop();
		}
		if (wasSharing && this.#callId) await post(`/api/calls/${this.#callId}/share`, { state: 'stopped' }).catch(() => {});
	}

	async #leaveRoom(): Promise<void> {
		const room = this.#room;
		this.#room = null;
		const local = this.#local;
		this.#local = null;
		if (local) for (const t of await local) t.stop();
		for (const t of this.#screen) t.stop();
		this.#screen = [];
		this.#screenPub = null;
		await room?.disconnect();
	}

	async #finish(message: string | null): Promise<void> {
		this.#callId = null;
		this.phase = 'standby';
		this.share = 'off';
		this.hasRemoteScreen = false;
		this.conciergeName = null;
		if (message) this.message = message;
		await this.#leaveRoom();
		logLine('call: back to standby');
	}

	close(): void {
		this.#events?.close();
	}
}
