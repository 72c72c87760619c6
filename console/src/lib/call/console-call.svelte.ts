/**
 * The concierge's call state: availability, the tenant's ringing calls (live over
 * SSE, resynchronised from a snapshot on every reconnect), accept, the LiveKit
 * call, screen sharing both ways, hang-up.
 */
import { tick } from 'svelte';
import type { LocalTrack, Room } from 'livekit-client';

export interface Ringing {
	callId: string;
	kioskName: string;
	createdAt: string;
}

async function post(path: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
	const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	const data = await r.json().catch(() => ({}));
	if (!r.ok) throw Object.assign(new Error(String(data.message ?? 'Something went wrong. Please try again.')), { code: data.code, status: r.status });
	return data;
}

export class ConsoleCall {
	status = $state<'available' | 'away'>('away');
	connected = $state(false);
	ringing = $state<Ringing[]>([]);
	now = $state(Date.now());
	phase = $state<'idle' | 'connecting' | 'incall'>('idle');
	kioskName = $state<string | null>(null);
	message = $state<string | null>(null);
	canShareScreen = $state(false);
	canViewKioskScreen = $state(false);
	sharing = $state(false);
	/** The kiosk's screen: off, asked (waiting for the kiosk user), refused, live, paused. */
	kioskScreen = $state<'off' | 'asked' | 'refused' | 'live' | 'paused'>('off');
	remoteCamera = $state<HTMLVideoElement | null>(null);
	remoteScreen = $state<HTMLVideoElement | null>(null);
	selfView = $state<HTMLVideoElement | null>(null);

	#callId: string | null = null;
	#room: Room | null = null;
	#screen: LocalTrack[] = [];
	/** Camera and microphone opened alongside the accept request, so sending starts on connect. */
	#local: Promise<LocalTrack[]> | null = null;

	#prewarm(): void {
		this.#local ??= import('livekit-client')
			.then((m) => m.createLocalTracks({ audio: true, video: true }))
			.catch((e) => {
				this.message = `Camera or microphone unavailable: ${(e as Error).message}`;
				return [];
			});
	}

	start(): () => void {
		const es = new EventSource('/api/events');
		es.onopen = () => (this.connected = true);
		es.onerror = () => (this.connected = false);
		const on = (type: string, fn: (d: Record<string, unknown>) => void) => es.addEventListener(type, (e) => fn(JSON.parse((e as MessageEvent).data)));
		on('snapshot', (d) => this.#resync(d as never));
		// Disabled by an administrator: the session is already revoked; leave at once.
		on('account.disabled', () => {
			es.close();
			location.assign('/login?disabled=1');
		});
		on('call.ringing', (d) => {
			if (!this.ringing.some((r) => r.callId === d.callId)) this.ringing = [...this.ringing, { callId: String(d.callId), kioskName: String(d.kioskName), createdAt: String(d.createdAt) }];
		});
		for (const t of ['call.cancelled', 'call.missed', 'call.taken']) on(t, (d) => (this.ringing = this.ringing.filter((r) => r.callId !== d.callId)));
		on('call.ended', (d) => {
			if (d.callId === this.#callId) void this.#finish(d.reason === 'hung_up_by_kiosk' ? 'The kiosk ended the call.' : 'The call has ended.');
		});
		on('call.share_answered', (d) => {
			if (d.callId === this.#callId) this.kioskScreen = d.consent ? 'asked' : 'refused';
		});
		on('call.share_state', (d) => {
			if (d.callId !== this.#callId || d.by !== 'kiosk') return;
			if (d.state === 'paused') this.kioskScreen = 'paused';
			else if (d.state === 'stopped') this.kioskScreen = 'off';
			else this.kioskScreen = 'live';
		});
		const clock = setInterval(() => (this.now = Date.now()), 1000);
		return () => {
			clearInterval(clock);
			es.close();
			void this.#room?.disconnect();
		};
	}

	#resync(s: { calls: { id: string; state: string; kioskName: string; createdAt: string; mine: boolean }[]; presence: 'available' | 'away'; permissions: { canShareScreen: boolean; canViewKioskScreen: boolean } }): void {
		this.status = s.presence ?? 'away';
		this.canShareScreen = !!s.permissions?.canShareScreen;
		this.canViewKioskScreen = !!s.permissions?.canViewKioskScreen;
		this.ringing = s.calls.filter((c) => c.state === 'ringing').map((c) => ({ callId: c.id, kioskName: c.kioskName, createdAt: c.createdAt }));
		const mine = s.calls.find((c) => c.state === 'accepted' && c.mine);
		if (!mine && this.phase !== 'idle') void this.#finish('The call has ended.');
		if (mine && !this.#room) {
			this.#callId = mine.id;
			this.kioskName = mine.kioskName;
			void this.#join(null);
		}
	}

	async setStatus(status: 'available' | 'away'): Promise<void> {
		try {
			const r = await post('/api/presence', { status });
			this.status = r.status as 'available' | 'away';
		} catch (e) {
			this.message = (e as Error).message;
		}
	}

	waited(r: Ringing): string {
		const s = Math.max(0, Math.round((this.now - new Date(r.createdAt).getTime()) / 1000));
		return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
	}

	async accept(r: Ringing): Promise<void> {
		this.message = null;
		this.#prewarm();
		try {
			const res = (await post(`/api/calls/${r.callId}/accept`)) as { connection: { url: string; token: string } };
			this.ringing = this.ringing.filter((x) => x.callId !== r.callId);
			this.#callId = r.callId;
			this.kioskName = r.kioskName;
			await this.#join(res.connection);
		} catch (e) {
			this.message = (e as Error).message;
			this.ringing = this.ringing.filter((x) => x.callId !== r.callId);
		}
	}

	async #join(conn: { url: string; token: string } | null): Promise<void> {
		const callId = this.#callId;
		if (!callId) return;
		this.phase = 'connecting';
		this.kioskScreen = 'off';
		try {
			const { Room, RoomEvent, Track } = await import('livekit-client');
			conn ??= (await post(`/api/calls/${callId}/token`)) as { url: string; token: string };
			const room = new Room({ adaptiveStream: false, dynacast: false, publishDefaults: { simulcast: false } });
			this.#room = room;
			room.on(RoomEvent.TrackSubscribed, (track) => {
				if (track.kind !== 'video') return void track.attach();
				if (track.source === Track.Source.ScreenShare) {
					this.kioskScreen = 'live';
					void tick().then(() => this.remoteScreen && track.attach(this.remoteScreen));
				} else if (this.remoteCamera) track.attach(this.remoteCamera);
			});
			room.on(RoomEvent.TrackUnsubscribed, (track) => {
				if (track.source === Track.Source.ScreenShare) this.kioskScreen = 'off';
				track.detach();
			});
			room.on(RoomEvent.TrackMuted, (pub) => {
				if (pub.source === Track.Source.ScreenShare && !pub.isLocal) this.kioskScreen = 'paused';
			});
			room.on(RoomEvent.TrackUnmuted, (pub) => {
				if (pub.source === Track.Source.ScreenShare && !pub.isLocal) this.kioskScreen = 'live';
			});
			room.on(RoomEvent.Disconnected, () => {
				if (this.#room === room) void this.#finish('The call connection closed.');
			});
			await room.connect(conn.url, conn.token);
			this.phase = 'incall';
			this.#prewarm();
			const tracks = await this.#local!;
			this.#local = null;
			await Promise.all(tracks.map((t) => room.localParticipant.publishTrack(t)));
			const cam = room.localParticipant.getTrackPublication(Track.Source.Camera)?.track;
			if (cam && this.selfView) cam.attach(this.selfView);
		} catch (e) {
			this.message = (e as Error).message;
			await this.#finish(null);
		}
	}

	async shareMyScreen(): Promise<void> {
		const room = this.#room;
		if (!room || this.sharing) return;
		try {
			const { Track } = await import('livekit-client');
			const tracks = await room.localParticipant.createScreenTracks({ audio: false });
			this.#screen = tracks;
			await room.localParticipant.publishTrack(tracks[0]!, { source: Track.Source.ScreenShare });
			tracks[0]!.mediaStreamTrack.addEventListener('ended', () => void this.stopMyScreen());
			this.sharing = true;
			await post(`/api/calls/${this.#callId}/share`, { state: 'started' });
		} catch (e) {
			this.message = `Could not share your screen: ${(e as Error).message}`;
			await this.stopMyScreen();
		}
	}

	async stopMyScreen(): Promise<void> {
		const was = this.sharing;
		this.sharing = false;
		for (const t of this.#screen) {
			await this.#room?.localParticipant.unpublishTrack(t, true).catch(() => {});
			t.stop();
		}
		this.#screen = [];
		if (was && this.#callId) await post(`/api/calls/${this.#callId}/share`, { state: 'stopped' }).catch(() => {});
	}

	/** Ask the kiosk user; only they can answer, on the kiosk. */
	async askKioskScreen(): Promise<void> {
		if (!this.#callId) return;
		try {
			await post(`/api/calls/${this.#callId}/request-screen`);
			this.kioskScreen = 'asked';
		} catch (e) {
			this.message = (e as Error).message;
		}
	}

	async hangUp(): Promise<void> {
		const id = this.#callId;
		await this.#finish(null);
		if (id) await post(`/api/calls/${id}/hangup`).catch((e) => (this.message = (e as Error).message));
	}

	async #finish(message: string | null): Promise<void> {
		const local = this.#local;
		this.#local = null;
		if (local) void local.then((ts) => ts.forEach((t) => t.stop()));
		const room = this.#room;
		this.#room = null;
		this.#callId = null;
		for (const t of this.#screen) t.stop();
		this.#screen = [];
		this.sharing = false;
		this.phase = 'idle';
		this.kioskScreen = 'off';
		this.kioskName = null;
		if (message) this.message = message;
		await room?.disconnect();
	}
}
