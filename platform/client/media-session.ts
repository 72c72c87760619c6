/**
 * Browser-side (platform/client/: imports only contract types and livekit-client; never a `.server.ts` file).
 *
 * One LiveKit room session for one call: camera and microphone opened early
 * (prewarm), connect and publish, the other party's camera and screen attached to
 * the elements the app gives, screen sharing (publish, pause, resume, stop), mic
 * and camera mute. It reports what happens in the room as typed events; deciding
 * what they mean (show "reconnecting", end the call) is the app's policy.
 *
 * `leave()` stops every local track (camera, microphone, screen) synchronously,
 * before it even starts to disconnect, so whatever the network does, the devices
 * are off the moment it returns.
 */
import type { LocalTrack, LocalTrackPublication, RemoteTrack, Room } from 'livekit-client';
import type { Connection, ShareState } from '../calls/contract.ts';
import type { BlinderProcessor } from './blinder-processor.ts';

/** The parts of livekit-client the session uses (the real module, or a test's fake). */
export type LiveKitModule = Pick<typeof import('livekit-client'), 'Room' | 'RoomEvent' | 'Track' | 'DisconnectReason' | 'createLocalTracks'> &
	Partial<Pick<typeof import('livekit-client'), 'ExternalE2EEKeyProvider' | 'isE2EESupported'>>;

export type SessionEvent =
	| { type: 'party'; present: boolean; identity: string }
	| { type: 'reconnecting' }
	| { type: 'reconnected' }
	/** The room connection closed without leave(): LiveKit gave up, the server removed us, or (CLIENT_INITIATED) the page is going away. */
	| { type: 'disconnected'; reason: string }
	| { type: 'remote-share'; state: Extract<ShareState, 'off' | 'live' | 'paused'> }
	/** Our own share ended outside the app (the browser's "stop sharing"). */
	| { type: 'local-share'; state: 'off' }
	/** The other party turned its camera off (muted) or back on. */
	| { type: 'remote-camera'; on: boolean }
	| { type: 'problem'; kind: 'media_error' | 'livekit_disconnect'; message: string; reason?: string };

/** localScreen: a preview of our own screen share (the concierge sees what it shows). */
export type ElementKind = 'remoteCamera' | 'remoteScreen' | 'selfView' | 'localScreen';

export interface MediaSessionOptions {
	onEvent: (e: SessionEvent) => void;
	/** Loads livekit-client; tests pass a fake. */
	load?: () => Promise<LiveKitModule>;
	/** How long to wait for the platform to open a screen-share grant, ms. */
	grantTimeoutMs?: number;
	/**
	 * LiveKit's E2EE worker, created by the app (its bundler resolves
	 * `new Worker(new URL('livekit-client/e2ee-worker', import.meta.url))`). Without it,
	 * or when the connection carries no key, media is not end-to-end encrypted.
	 */
	e2eeWorker?: () => Worker;
}

/** Protocol TrackSource.SCREEN_SHARE, as listed in a participant's canPublishSources. */
const SCREEN_SHARE_SOURCE = 3;

function stopAll(tracks: readonly LocalTrack[]): void {
	for (const t of tracks) {
		try {
			t.stop();
		} catch {
			// A track that cannot stop is already stopped.
		}
		try {
			// Belt and braces: the device is what matters, whatever LocalTrack.stop did.
			t.mediaStreamTrack?.stop();
		} catch {
			// idem
		}
	}
}

export class MediaSession {
	#opts: MediaSessionOptions;
	#lk: Promise<LiveKitModule> | null = null;
	#room: Room | null = null;
	/** Camera and microphone, opened early so the call sends the moment it connects. */
	#local: Promise<LocalTrack[]> | null = null;
	#localTracks: LocalTrack[] = [];
	#screen: LocalTrack[] = [];
	#screenPub: LocalTrackPublication | null = null;
	#share: Extract<ShareState, 'off' | 'starting' | 'live' | 'paused'> = 'off';
	#left = false;
	#e2ee = false;
	/** The blinder on our current screen share, if any. */
	#blinder: BlinderProcessor | null = null;
	#els: Record<ElementKind, HTMLMediaElement | null> = { remoteCamera: null, remoteScreen: null, selfView: null, localScreen: null };
	#remoteCamera: RemoteTrack | null = null;
	#remoteScreen: RemoteTrack | null = null;
	/** The other side paused (or is stopping) its share: its screen stays off our element until it resumes. */
	#remoteScreenMuted = false;
	#remoteAudio: RemoteTrack[] = [];

	constructor(opts: MediaSessionOptions) {
		this.#opts = opts;
	}

	#module(): Promise<LiveKitModule> {
		this.#lk ??= (this.#opts.load ?? (() => import('livekit-client')))();
		return this.#lk;
	}

	get left(): boolean {
		return this.#left;
	}
	get connected(): boolean {
		return this.#room !== null && this.#room.state === 'connected';
	}
	/** Our own screen share. */
	get share(): Extract<ShareState, 'off' | 'starting' | 'live' | 'paused'> {
		return this.#share;
	}

	/** Open camera and microphone now (while ringing, or alongside the accept request). */
	prewarm(): void {
		if (this.#left || this.#local) return;
		this.#local = this.#module()
			.then((m) => m.createLocalTracks({ audio: true, video: true }))
			.then((tracks) => {
				// leave() may have come first: these tracks must not outlive the session.
				if (this.#left) stopAll(tracks);
				else this.#localTracks = tracks;
				return tracks;
			})
			.catch((e: Error) => {
				this.#opts.onEvent({ type: 'problem', kind: 'media_error', message: e.message });
				return [];
			});
	}

	/**
	 * Join the room and publish camera and microphone. Resolves false when the room
	 * was joined but no camera or microphone could be published (reported as a problem).
	 */
	async connect(conn: Connection): Promise<boolean> {
		if (this.#left) throw new Error('session already left');
		const lk = await this.#module();
		const encryption = await this.#encryption(lk, conn);
		const room = new lk.Room({ adaptiveStream: false, dynacast: false, publishDefaults: { simulcast: false }, ...(encryption ? { encryption } : {}) });
		this.#room = room;
		this.#wire(lk, room);
		this.prewarm();
		await room.connect(conn.url, conn.token);
		if (this.#left || this.#room !== room) return false;
		if (encryption) await room.setE2EEEnabled(true);
		this.#e2ee = encryption !== null;
		for (const p of room.remoteParticipants.values()) this.#opts.onEvent({ type: 'party', present: true, identity: p.identity });
		const tracks = await this.#local!;
		if (this.#left || this.#room !== room) return false;
		if (tracks.length === 0) {
			this.#opts.onEvent({ type: 'problem', kind: 'media_error', message: 'no camera or microphone' });
			return false;
		}
		try {
			await Promise.all(tracks.map((t) => room.localParticipant.publishTrack(t)));
		} catch (e) {
			if (this.#left) return false;
			this.#opts.onEvent({ type: 'problem', kind: 'media_error', message: (e as Error).message });
			return false;
		}
		const cam = tracks.find((t) => t.kind === 'video');
		if (cam && this.#els.selfView) cam.attach(this.#els.selfView);
		return true;
	}

	/** The room's E2EE options when the call has a key; throws when it has one this browser cannot use (never silently unencrypted). */
	async #encryption(lk: LiveKitModule, conn: Connection): Promise<{ keyProvider: import('livekit-client').BaseKeyProvider; worker: Worker } | null> {
		if (!conn.e2eeKey) return null;
		if (!lk.ExternalE2EEKeyProvider || !this.#opts.e2eeWorker || (lk.isE2EESupported && !lk.isE2EESupported()))
			throw new Error('end-to-end encryption is required for this call but not available in this browser');
		const keyProvider = new lk.ExternalE2EEKeyProvider();
		await keyProvider.setKey(conn.e2eeKey);
		return { keyProvider, worker: this.#opts.e2eeWorker() };
	}

	/** Is this call's media end-to-end encrypted? */
	get e2ee(): boolean {
		return this.#e2ee;
	}

	#wire(lk: LiveKitModule, room: Room): void {
		const { RoomEvent, Track, DisconnectReason } = lk;
		const mine = () => this.#room === room && !this.#left;
		room.on(RoomEvent.ParticipantConnected, (p) => mine() && this.#opts.onEvent({ type: 'party', present: true, identity: p.identity }));
		room.on(RoomEvent.ParticipantDisconnected, (p) => mine() && this.#opts.onEvent({ type: 'party', present: false, identity: p.identity }));
		room.on(RoomEvent.Reconnecting, () => mine() && this.#opts.onEvent({ type: 'reconnecting' }));
		room.on(RoomEvent.SignalReconnecting, () => mine() && this.#opts.onEvent({ type: 'reconnecting' }));
		room.on(RoomEvent.Reconnected, () => mine() && this.#opts.onEvent({ type: 'reconnected' }));
		room.on(RoomEvent.Disconnected, (reason) => {
			if (!mine()) return;
			const name = reason === undefined ? 'UNKNOWN' : String(DisconnectReason[reason]);
			// CLIENT_INITIATED without leave(): livekit-client's own page-leave handler (the tab is closing or reloading).
			if (name !== 'CLIENT_INITIATED') this.#opts.onEvent({ type: 'problem', kind: 'livekit_disconnect', message: 'The call connection closed.', reason: name });
			this.#opts.onEvent({ type: 'disconnected', reason: name });
		});
		room.on(RoomEvent.MediaDevicesError, (e) => mine() && this.#opts.onEvent({ type: 'problem', kind: 'media_error', message: e.message }));
		room.on(RoomEvent.TrackSubscribed, (track, pub) => {
			if (!mine()) return;
			if (track.kind !== 'video') {
				this.#remoteAudio.push(track);
				track.attach();
			} else if (track.source === Track.Source.ScreenShare) {
				this.#remoteScreen = track;
				this.#remoteScreenMuted = pub.isMuted;
				if (this.#els.remoteScreen && !pub.isMuted) track.attach(this.#els.remoteScreen);
				this.#opts.onEvent({ type: 'remote-share', state: pub.isMuted ? 'paused' : 'live' });
			} else {
				this.#remoteCamera = track;
				if (this.#els.remoteCamera) track.attach(this.#els.remoteCamera);
				this.#opts.onEvent({ type: 'remote-camera', on: !pub.isMuted });
			}
		});
		room.on(RoomEvent.TrackUnsubscribed, (track) => {
			track.detach();
			if (!mine()) return;
			if (track === this.#remoteScreen) {
				this.#remoteScreen = null;
				this.#remoteScreenMuted = false;
				this.#opts.onEvent({ type: 'remote-share', state: 'off' });
			} else if (track === this.#remoteCamera) this.#remoteCamera = null;
			else this.#remoteAudio = this.#remoteAudio.filter((t) => t !== track);
		});
		room.on(RoomEvent.TrackMuted, (pub, p) => {
			if (mine() && !p.isLocal && pub.source === Track.Source.ScreenShare) {
				// The first signal of a pause or a stop (the sharer mutes before it unpublishes): the view
				// shows nothing more of that screen from now on, not even frames still in flight or buffered.
				this.#remoteScreenMuted = true;
				if (this.#remoteScreen && this.#els.remoteScreen) this.#remoteScreen.detach(this.#els.remoteScreen);
				this.#opts.onEvent({ type: 'remote-share', state: 'paused' });
			}
			if (mine() && !p.isLocal && pub.source === Track.Source.Camera) this.#opts.onEvent({ type: 'remote-camera', on: false });
		});
		room.on(RoomEvent.TrackUnmuted, (pub, p) => {
			if (mine() && !p.isLocal && pub.source === Track.Source.ScreenShare) {
				this.#remoteScreenMuted = false;
				if (this.#remoteScreen && this.#els.remoteScreen) this.#remoteScreen.attach(this.#els.remoteScreen);
				this.#opts.onEvent({ type: 'remote-share', state: 'live' });
			}
			if (mine() && !p.isLocal && pub.source === Track.Source.Camera) this.#opts.onEvent({ type: 'remote-camera', on: true });
		});
	}

	/** The app's <video> elements, as they appear and go; a current track is attached at once. */
	setElement(kind: ElementKind, el: HTMLMediaElement | null): void {
		const old = this.#els[kind];
		if (old === el) return;
		this.#els[kind] = el;
		if (!el) return;
		if (kind === 'remoteCamera') this.#remoteCamera?.attach(el);
		else if (kind === 'remoteScreen') {
			if (!this.#remoteScreenMuted) this.#remoteScreen?.attach(el);
		} else if (kind === 'localScreen') this.#screen.find((t) => t.kind === 'video')?.attach(el);
		else this.#localTracks.find((t) => t.kind === 'video')?.attach(el);
	}

	/**
	 * Share this screen: capture (call it inside the person's click), run `before`
	 * (e.g. tell the platform, which opens the grant), wait for the grant when
	 * `waitForGrant`, then publish. On any failure the capture is stopped and the
	 * error thrown.
	 */
	async shareScreen(opts: { before?: () => Promise<unknown>; waitForGrant?: boolean; blinder?: BlinderProcessor } = {}): Promise<void> {
		const room = this.#room;
		if (!room || this.#left || this.#share !== 'off') return;
		const { Track } = await this.#module();
		this.#share = 'starting';
		try {
			const tracks = await room.localParticipant.createScreenTracks({ audio: false });
			this.#screen = tracks;
			if (this.#left || this.#room !== room) throw new Error('the call ended');
			await opts.before?.();
			if (opts.waitForGrant) await this.#waitForScreenGrant(room);
			const track = tracks.find((t) => t.kind === 'video') ?? tracks[0];
			if (!track) throw new Error('no screen was captured');
			if (opts.blinder) {
				// Redaction before encoding: the processed track is what the sender encodes.
				this.#blinder = opts.blinder;
				await (track as import('livekit-client').LocalVideoTrack).setProcessor(
					opts.blinder as unknown as Parameters<import('livekit-client').LocalVideoTrack['setProcessor']>[0],
					true
				);
				if (!opts.blinder.processedTrack) throw new Error('the blinder did not start');
			}
			this.#screenPub = await room.localParticipant.publishTrack(track, { source: Track.Source.ScreenShare });
			if (this.#left || this.#share !== 'starting') throw new Error('the share was stopped');
			if (this.#els.localScreen) track.attach(this.#els.localScreen);
			track.mediaStreamTrack.addEventListener('ended', () => {
				if (this.#share === 'off' || this.#screen.indexOf(track) < 0) return;
				void this.stopScreenShare().then(() => this.#opts.onEvent({ type: 'local-share', state: 'off' }));
			});
			this.#share = 'live';
		} catch (e) {
			await this.stopScreenShare();
			throw e;
		}
	}

	async #waitForScreenGrant(room: Room): Promise<void> {
		const { RoomEvent } = await this.#module();
		const ok = () => room.localParticipant.permissions?.canPublishSources?.includes(SCREEN_SHARE_SOURCE) ?? false;
		if (ok()) return;
		await new Promise<void>((resolve, reject) => {
			const fn = () => {
				if (!ok()) return;
				clearTimeout(t);
				room.off(RoomEvent.ParticipantPermissionsChanged, fn);
				resolve();
			};
			const t = setTimeout(() => {
				room.off(RoomEvent.ParticipantPermissionsChanged, fn);
				reject(new Error('screen share permission did not arrive'));
			}, this.#opts.grantTimeoutMs ?? 10_000);
			room.on(RoomEvent.ParticipantPermissionsChanged, fn);
		});
	}

	async pauseScreenShare(): Promise<void> {
		if (this.#share !== 'live' || !this.#screenPub) return;
		this.#share = 'paused';
		await this.#screenPub.mute();
	}

	async resumeScreenShare(): Promise<void> {
		if (this.#share !== 'paused' || !this.#screenPub) return;
		this.#share = 'live';
		await this.#screenPub.unmute();
	}

	/**
	 * Stop sharing. In this order, all before the first await: the publication is
	 * muted (livekit-client sends the mute over the signalling connection at once:
	 * LiveKit stops forwarding the track and tells the other side, whose session hides
	 * the view on that first signal), the capture and the processed track stop (no new
	 * frame is encoded), then the track is unpublished (a renegotiation round trip that
	 * the other side learns of only after it).
	 */
	async stopScreenShare(): Promise<void> {
		const tracks = this.#screen;
		const pub = this.#screenPub;
		const blinder = this.#blinder;
		this.#screen = [];
		this.#screenPub = null;
		this.#blinder = null;
		const wasPaused = this.#share === 'paused';
		this.#share = 'off';
		const muting = pub && !wasPaused ? Promise.resolve(pub.mute()).catch(() => {}) : null;
		stopAll(tracks);
		// The processed track is what the sender encodes: it ends now too.
		void blinder?.destroy();
		// unpublishTrack drops the track's mute listener at once: the mute must have gone out first.
		await muting;
		const room = this.#room;
		if (room) for (const t of tracks) await room.localParticipant.unpublishTrack(t, true).catch(() => {});
	}

	async setMicEnabled(on: boolean): Promise<void> {
		const mic = this.#localTracks.find((t) => t.kind === 'audio');
		if (mic) await (on ? mic.unmute() : mic.mute());
	}

	async setCameraEnabled(on: boolean): Promise<void> {
		const cam = this.#localTracks.find((t) => t.kind === 'video');
		if (cam) await (on ? cam.unmute() : cam.mute());
	}

	/** Use another camera or microphone (a deviceId from enumerateDevices) for this call. */
	async switchDevice(kind: 'videoinput' | 'audioinput', deviceId: string): Promise<boolean> {
		const room = this.#room;
		if (!room || this.#left) return false;
		return room.switchActiveDevice(kind, deviceId, true);
	}

	/** Is a camera of this session still capturing? (tests and diagnostics) */
	cameraLive(): boolean {
		return this.#localTracks.some((t) => t.kind === 'video' && t.mediaStreamTrack?.readyState === 'live');
	}

	/**
	 * Leave for good: every local track stops here, synchronously, before the
	 * disconnect starts; the returned promise only tells when the disconnect is
	 * over, and never rejects.
	 */
	leave(): Promise<void> {
		this.#left = true;
		this.#share = 'off';
		stopAll(this.#localTracks);
		stopAll(this.#screen);
		void this.#blinder?.destroy();
		this.#blinder = null;
		this.#localTracks = [];
		this.#screen = [];
		this.#screenPub = null;
		// Tracks still being opened are stopped when they arrive (see prewarm).
		for (const t of [this.#remoteCamera, this.#remoteScreen, ...this.#remoteAudio]) {
			try {
				t?.detach();
			} catch {
				// detached already
			}
		}
		this.#remoteCamera = null;
		this.#remoteScreen = null;
		this.#remoteAudio = [];
		const room = this.#room;
		this.#room = null;
		if (!room) return Promise.resolve();
		try {
			return Promise.resolve(room.disconnect()).then(
				() => undefined,
				() => undefined
			);
		} catch {
			return Promise.resolve();
		}
	}
}
