import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MediaSession, type LiveKitModule, type SessionEvent } from './media-session.ts';
import { FakeRoom, FakeTrack, RoomEvent, Source, fakeModule, type FakeWorld } from './fake-livekit.ts';

const test = suite('client media session');

function session(lk: LiveKitModule, grantTimeoutMs = 1000) {
	const events: SessionEvent[] = [];
	const s = new MediaSession({ load: async () => lk, onEvent: (e) => events.push(e), grantTimeoutMs });
	return { s, events };
}
const conn = { url: 'ws://lk', token: 't', identity: 'k' };
const room = (w: FakeWorld) => w.rooms[0]!;

test('connect publishes the prewarmed camera and microphone, without simulcast, adaptive stream or dynacast', async () => {
	const { world, lk } = fakeModule();
	const { s } = session(lk);
	const self = { tag: 'self' };
	s.setElement('selfView', self as unknown as HTMLMediaElement);
	s.prewarm();
	assert.ok(await s.connect(conn));
	assert.equal(room(world).options, { adaptiveStream: false, dynacast: false, publishDefaults: { simulcast: false } });
	assert.equal(
		room(world).published.map((p) => p.track.kind),
		['video', 'audio']
	);
	assert.is(world.localTracks.length, 2, 'the prewarmed tracks are the published ones (opened once)');
	assert.ok(world.localTracks[0]!.attached.includes(self), 'self view attached');
	assert.ok(s.cameraLive());
	assert.ok(s.connected);
});

for (const mode of ['throws', 'rejects'] as const) {
	test(`leave() stops camera and microphone synchronously, even when disconnect ${mode}`, async () => {
		const { world, lk } = fakeModule({ disconnect: mode });
		const { s, events } = session(lk);
		await s.connect(conn);
		const p = s.leave();
		// Nothing awaited yet: the devices are already off.
		assert.ok(
			world.localTracks.every((t) => t.mediaStreamTrack.readyState === 'ended'),
			'every local track ended'
		);
		assert.is(s.cameraLive(), false);
		await p; // never rejects
		assert.is(room(world).disconnects, 1);
		room(world).emit(RoomEvent.Disconnected, 1);
		assert.equal(events, [], 'no events after leave');
	});
}

test('leave() while the camera is still opening: the tracks are stopped when they arrive, and connect gives up', async () => {
	let release!: () => void;
	const { world, lk } = fakeModule({ hold: new Promise<void>((r) => (release = r)) });
	const { s } = session(lk);
	s.prewarm();
	const joining = s.connect(conn);
	await new Promise((r) => setTimeout(r, 5));
	void s.leave();
	release();
	assert.is(await joining, false);
	await new Promise((r) => setTimeout(r, 5));
	assert.is(world.localTracks.length, 2);
	assert.ok(world.localTracks.every((t) => t.mediaStreamTrack.readyState === 'ended'));
	assert.is(room(world).published.length, 0, 'nothing published after leave');
	await s.connect(conn).then(
		() => assert.unreachable('a left session cannot connect again'),
		(e: Error) => assert.match(e.message, 'left')
	);
});

test('room events become session events: party present/gone, reconnecting, reconnected, disconnected with a reason name', async () => {
	const { world, lk } = fakeModule();
	const { s, events } = session(lk);
	await s.connect(conn);
	const r = room(world);
	r.emit(RoomEvent.ParticipantConnected, { identity: 'concierge-1' });
	r.emit(RoomEvent.Reconnecting);
	r.emit(RoomEvent.SignalReconnecting);
	r.emit(RoomEvent.Reconnected);
	r.emit(RoomEvent.ParticipantDisconnected, { identity: 'concierge-1' });
	r.emit(RoomEvent.Disconnected, 4);
	assert.equal(
		events.filter((e) => e.type !== 'problem'),
		[
			{ type: 'party', present: true, identity: 'concierge-1' },
			{ type: 'reconnecting' },
			{ type: 'reconnecting' },
			{ type: 'reconnected' },
			{ type: 'party', present: false, identity: 'concierge-1' },
			{ type: 'disconnected', reason: 'PARTICIPANT_REMOVED' }
		]
	);
	assert.ok(events.some((e) => e.type === 'problem' && e.kind === 'livekit_disconnect' && e.reason === 'PARTICIPANT_REMOVED'));
});

test("livekit-client's own page-leave disconnect (CLIENT_INITIATED) is told as such, without a problem report", async () => {
	const { world, lk } = fakeModule();
	const { s, events } = session(lk);
	await s.connect(conn);
	room(world).emit(RoomEvent.Disconnected, 1);
	assert.equal(events, [{ type: 'disconnected', reason: 'CLIENT_INITIATED' }]);
});

test('a party already in the room when we join is reported present', async () => {
	const { world, lk } = fakeModule();
	const { s, events } = session(lk);
	const orig = lk.Room;
	(lk as { Room: unknown }).Room = class extends (orig as unknown as typeof FakeRoom) {
		override async connect() {
			this.remoteParticipants.set('c', { identity: 'c' });
			this.state = 'connected';
		}
	};
	await s.connect(conn);
	assert.equal(events[0], { type: 'party', present: true, identity: 'c' });
	void world;
});

test('remote tracks: camera and screen attach to the elements, even ones given later; screen share state follows', async () => {
	const { world, lk } = fakeModule();
	const { s, events } = session(lk);
	const cameraEl = { tag: 'cam' } as unknown as HTMLMediaElement;
	s.setElement('remoteCamera', cameraEl);
	await s.connect(conn);
	const r = room(world);
	const cam = new FakeTrack('video', Source.Camera);
	const screen = new FakeTrack('video', Source.ScreenShare);
	const audio = new FakeTrack('audio', Source.Microphone);
	const remote = { isLocal: false };
	r.emit(RoomEvent.TrackSubscribed, cam, { isMuted: false }, remote);
	r.emit(RoomEvent.TrackSubscribed, audio, { isMuted: false }, remote);
	r.emit(RoomEvent.TrackSubscribed, screen, { isMuted: false }, remote);
	assert.equal(cam.attached, [cameraEl]);
	assert.equal(audio.attached, ['created']);
	const screenEl = { tag: 'screen' } as unknown as HTMLMediaElement;
	s.setElement('remoteScreen', screenEl); // the app shows its element once it knows a screen is coming
	assert.equal(screen.attached, [screenEl]);
	r.emit(RoomEvent.TrackMuted, { source: Source.ScreenShare }, remote);
	r.emit(RoomEvent.TrackMuted, { source: Source.ScreenShare }, { isLocal: true });
	r.emit(RoomEvent.TrackUnmuted, { source: Source.ScreenShare }, remote);
	r.emit(RoomEvent.TrackUnsubscribed, screen);
	assert.equal(
		events.filter((e) => e.type === 'remote-share').map((e) => (e as { state: string }).state),
		['live', 'paused', 'live', 'off']
	);
	assert.equal(screen.attached, [], 'detached');
});

test('shareScreen captures, runs before(), waits for the grant, publishes as a screen share; pause, resume, stop', async () => {
	const { world, lk } = fakeModule();
	const { s } = session(lk);
	await s.connect(conn);
	const r = room(world);
	const order: string[] = [];
	const sharing = s.shareScreen({
		before: async () => {
			order.push(`before (captured ${world.screenTracks.length})`);
			setTimeout(() => {
				r.localParticipant.permissions = { canPublishSources: [1, 2, 3] };
				r.emit(RoomEvent.ParticipantPermissionsChanged);
			}, 10);
		},
		waitForGrant: true
	});
	await new Promise((res) => setTimeout(res, 2));
	assert.is(s.share, 'starting');
	assert.equal(r.published.length, 2, 'not published before the grant');
	await sharing;
	assert.equal(order, ['before (captured 1)']);
	const pub = r.published[2]!;
	assert.is(pub.track, world.screenTracks[0]);
	assert.equal(pub.opts, { source: Source.ScreenShare });
	assert.is(s.share, 'live');
	await s.pauseScreenShare();
	assert.is(s.share, 'paused');
	assert.ok(world.screenTracks[0]!.muted);
	await s.resumeScreenShare();
	assert.is(s.share, 'live');
	assert.is(world.screenTracks[0]!.muted, false);
	await s.stopScreenShare();
	assert.is(s.share, 'off');
	assert.is(world.screenTracks[0]!.mediaStreamTrack.readyState, 'ended');
	assert.equal(r.unpublished, [world.screenTracks[0]]);
});

test('stop: the mute goes out first, the capture stops before any await, then the track is unpublished; a paused share is not muted twice', async () => {
	const { world, lk } = fakeModule();
	const { s } = session(lk);
	await s.connect(conn);
	const r = room(world);
	await s.shareScreen();
	const track = world.screenTracks[0]!;
	const order: string[] = [];
	track.mute = async () => {
		order.push('mute');
		track.muted = true;
	};
	const unpublish = r.localParticipant.unpublishTrack;
	r.localParticipant.unpublishTrack = async (t) => {
		order.push('unpublish');
		return unpublish(t);
	};
	const stopping = s.stopScreenShare();
	assert.is(track.mediaStreamTrack.readyState, 'ended', 'the capture stopped synchronously');
	assert.is(s.share, 'off');
	await stopping;
	// The mute (whose signal livekit-client sends inside mute()) is under way before the unpublish starts.
	assert.equal(order, ['mute', 'unpublish']);

	await s.shareScreen();
	const second = world.screenTracks[1]!;
	await s.pauseScreenShare();
	let mutes = 0;
	second.mute = async () => void mutes++;
	await s.stopScreenShare();
	assert.is(mutes, 0, 'already muted by the pause');
	assert.equal(r.unpublished, [track, second]);
});

test('a remote mute of the screen (pause, or the first signal of a stop) takes it off the view at once; unmute puts it back', async () => {
	const { world, lk } = fakeModule();
	const { s, events } = session(lk);
	await s.connect(conn);
	const r = room(world);
	const screen = new FakeTrack('video', Source.ScreenShare);
	const screenEl = { tag: 'screen' } as unknown as HTMLMediaElement;
	s.setElement('remoteScreen', screenEl);
	const remote = { isLocal: false };
	r.emit(RoomEvent.TrackSubscribed, screen, { isMuted: false }, remote);
	assert.equal(screen.attached, [screenEl]);
	r.emit(RoomEvent.TrackMuted, { source: Source.ScreenShare }, remote);
	assert.equal(screen.attached, [], 'detached on the mute');
	// The app re-renders its element while paused: still nothing attached.
	s.setElement('remoteScreen', null);
	const again = { tag: 'screen2' } as unknown as HTMLMediaElement;
	s.setElement('remoteScreen', again);
	assert.equal(screen.attached, []);
	r.emit(RoomEvent.TrackUnmuted, { source: Source.ScreenShare }, remote);
	assert.equal(screen.attached, [again], 'back on the unmute');
	// A share subscribed while paused is not shown until it resumes.
	r.emit(RoomEvent.TrackUnsubscribed, screen);
	const paused = new FakeTrack('video', Source.ScreenShare);
	r.emit(RoomEvent.TrackSubscribed, paused, { isMuted: true }, remote);
	assert.equal(paused.attached, []);
	assert.equal(
		events.filter((e) => e.type === 'remote-share').map((e) => (e as { state: string }).state),
		['live', 'paused', 'live', 'off', 'paused']
	);
});

test('a grant that never comes: the share fails and the capture is stopped', async () => {
	const { world, lk } = fakeModule();
	const { s } = session(lk, 20);
	await s.connect(conn);
	await s.shareScreen({ waitForGrant: true }).then(
		() => assert.unreachable(),
		(e: Error) => assert.match(e.message, 'permission')
	);
	assert.is(s.share, 'off');
	assert.is(world.screenTracks[0]!.mediaStreamTrack.readyState, 'ended');
});

test('the browser ending the capture stops the share and tells the app; leave() stops a live share too', async () => {
	const { world, lk } = fakeModule();
	const { s, events } = session(lk);
	await s.connect(conn);
	await s.shareScreen();
	world.screenTracks[0]!.mediaStreamTrack.emit('ended');
	await new Promise((r) => setTimeout(r, 5));
	assert.is(s.share, 'off');
	assert.ok(events.some((e) => e.type === 'local-share' && e.state === 'off'));
	await s.shareScreen();
	const second = world.screenTracks[1]!;
	void s.leave();
	assert.is(second.mediaStreamTrack.readyState, 'ended');
});

test('mute and unmute microphone and camera', async () => {
	const { world, lk } = fakeModule();
	const { s } = session(lk);
	await s.connect(conn);
	await s.setMicEnabled(false);
	await s.setCameraEnabled(false);
	assert.ok(world.localTracks.every((t) => t.muted));
	await s.setMicEnabled(true);
	assert.is(world.localTracks.find((t) => t.kind === 'audio')!.muted, false);
});

test.run();
