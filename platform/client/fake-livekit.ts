/**
 * A fake livekit-client for the client core's unit tests: rooms, local and remote
 * tracks and their events, enough to drive MediaSession without a browser. The
 * end-to-end tests use the real one against a real LiveKit server.
 */
import type { LiveKitModule } from './media-session.ts';

export class Emitter {
	#fns = new Map<string, Set<(...a: unknown[]) => void>>();
	on(e: string, fn: (...a: unknown[]) => void) {
		(this.#fns.get(e) ?? this.#fns.set(e, new Set()).get(e)!).add(fn);
		return this;
	}
	off(e: string, fn: (...a: unknown[]) => void) {
		this.#fns.get(e)?.delete(fn);
		return this;
	}
	emit(e: string, ...a: unknown[]) {
		for (const fn of [...(this.#fns.get(e) ?? [])]) fn(...a);
	}
}

export class FakeMediaStreamTrack extends Emitter {
	readyState: 'live' | 'ended' = 'live';
	stop() {
		this.readyState = 'ended';
	}
	addEventListener(e: string, fn: () => void) {
		this.on(e, fn);
	}
}

export class FakeTrack {
	mediaStreamTrack = new FakeMediaStreamTrack();
	attached: unknown[] = [];
	muted = false;
	constructor(
		public kind: 'audio' | 'video',
		public source: string
	) {}
	stop() {
		this.mediaStreamTrack.stop();
	}
	attach(el?: unknown) {
		this.attached.push(el ?? 'created');
		return el;
	}
	detach() {
		this.attached = [];
		return [];
	}
	async mute() {
		this.muted = true;
	}
	async unmute() {
		this.muted = false;
	}
}

export const RoomEvent = {
	ParticipantConnected: 'participantConnected',
	ParticipantDisconnected: 'participantDisconnected',
	Reconnecting: 'reconnecting',
	SignalReconnecting: 'signalReconnecting',
	Reconnected: 'reconnected',
	Disconnected: 'disconnected',
	MediaDevicesError: 'mediaDevicesError',
	TrackSubscribed: 'trackSubscribed',
	TrackUnsubscribed: 'trackUnsubscribed',
	TrackMuted: 'trackMuted',
	TrackUnmuted: 'trackUnmuted',
	ParticipantPermissionsChanged: 'participantPermissionsChanged'
};
export const Source = { Camera: 'camera', Microphone: 'microphone', ScreenShare: 'screen_share' };
export const DisconnectReason: Record<number, string> = { 0: 'UNKNOWN_REASON', 1: 'CLIENT_INITIATED', 4: 'PARTICIPANT_REMOVED' };

export interface FakeWorld {
	rooms: FakeRoom[];
	localTracks: FakeTrack[];
	screenTracks: FakeTrack[];
	/** Hold createLocalTracks until released. */
	hold: Promise<void>;
	disconnect: 'ok' | 'throws' | 'rejects';
}

export class FakeRoom extends Emitter {
	state = 'disconnected';
	remoteParticipants = new Map<string, { identity: string }>();
	published: { track: FakeTrack; opts: unknown }[] = [];
	unpublished: FakeTrack[] = [];
	disconnects = 0;
	localParticipant: {
		permissions: { canPublishSources: number[] } | undefined;
		publishTrack: (t: FakeTrack, o?: unknown) => Promise<unknown>;
		unpublishTrack: (t: FakeTrack) => Promise<void>;
		createScreenTracks: () => Promise<FakeTrack[]>;
	};
	constructor(
		public options: unknown,
		world: FakeWorld
	) {
		super();
		world.rooms.push(this);
		this.localParticipant = {
			permissions: undefined,
			publishTrack: async (track, opts) => {
				this.published.push({ track, opts });
				return { mute: () => track.mute(), unmute: () => track.unmute(), track };
			},
			unpublishTrack: async (t) => void this.unpublished.push(t),
			createScreenTracks: async () => {
				const t = new FakeTrack('video', Source.ScreenShare);
				world.screenTracks.push(t);
				return [t];
			}
		};
		this.disconnect = () => {
			this.disconnects++;
			if (world.disconnect === 'throws') throw new Error('socket gone');
			if (world.disconnect === 'rejects') return Promise.reject(new Error('socket gone'));
			return Promise.resolve();
		};
	}
	disconnect: () => Promise<void>;
	async connect() {
		this.state = 'connected';
	}
}

export function fakeModule(over: Partial<FakeWorld> = {}) {
	const world: FakeWorld = { rooms: [], localTracks: [], screenTracks: [], hold: Promise.resolve(), disconnect: 'ok', ...over };
	const lk = {
		Room: class extends FakeRoom {
			constructor(opts: unknown) {
				super(opts, world);
			}
		},
		RoomEvent,
		Track: { Source },
		DisconnectReason,
		createLocalTracks: async () => {
			await world.hold;
			const ts = [new FakeTrack('video', Source.Camera), new FakeTrack('audio', Source.Microphone)];
			world.localTracks.push(...ts);
			return ts;
		}
	} as unknown as LiveKitModule;
	return { world, lk };
}
