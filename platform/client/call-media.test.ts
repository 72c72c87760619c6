import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallMedia } from './call-media.ts';
import type { SessionEvent } from './media-session.ts';
import { RoomEvent, fakeModule } from './fake-livekit.ts';

const test = suite('client call media');
const conn = { url: 'ws://lk', token: 't', identity: 'k' };

function media() {
	const { world, lk } = fakeModule();
	const events: SessionEvent[] = [];
	const m = new CallMedia({ load: async () => lk, onEvent: (e) => events.push(e) });
	return { world, m, events };
}
const el = (tag: string) => ({ tag }) as unknown as HTMLVideoElement;

test('elements bound before and after a session starts both reach it', async () => {
	const { world, m } = media();
	const self = el('self');
	m.videos.selfView = self;
	assert.is(m.videos.selfView, self);
	const s = m.fresh();
	const joined = await m.join(s, conn, { mic: true, camera: true });
	assert.ok(joined?.published);
	assert.ok(world.localTracks[0]!.attached.includes(self), 'self view bound before the session was attached');
	const remote = el('remote');
	m.videos.remoteCamera = remote;
	assert.is(m.videos.get('remoteCamera'), remote);
	assert.ok(m.cameraLive());
});

test("join keeps the party's choices: a muted microphone and camera stay off after a rejoin", async () => {
	const { world, m } = media();
	const joined = await m.join(m.reuse(), async () => conn, { mic: false, camera: false });
	assert.equal(joined?.conn, conn, 'the token the function fetched is the one used');
	const room = world.rooms[0]!;
	assert.ok(
		room.published.every((p) => p.track.muted),
		'both published tracks muted'
	);
});

test('a session replaced or left while joining: join answers null and the devices of the old one are off', async () => {
	const { world, m } = media();
	const first = m.fresh();
	first.prewarm();
	let release!: (c: typeof conn) => void;
	const joining = m.join(first, () => new Promise((r) => (release = r)), { mic: true, camera: true });
	const second = m.fresh();
	assert.is(m.isCurrent(first), false);
	assert.ok(m.isCurrent(second));
	assert.ok(first.left, 'fresh() left the previous session');
	release(conn);
	assert.is(await joining, null);
	assert.is(world.rooms.length, 0, 'the replaced session never connected');
	m.leave();
	assert.is(m.session, null);
	assert.is(m.cameraLive(), false);
	// The first session's camera was still opening when it was left: it stops as it arrives.
	await new Promise((r) => setTimeout(r, 0));
	assert.is(world.localTracks.length, 2, 'the prewarm did open the devices');
	assert.ok(
		world.localTracks.every((t) => t.mediaStreamTrack.readyState === 'ended'),
		'every camera and microphone track stopped'
	);
});

test('reuse() keeps the current session (a prewarmed one) and replaces a left one', () => {
	const { m } = media();
	const s = m.fresh();
	assert.is(m.reuse(), s);
	void s.leave();
	const t = m.reuse();
	assert.is.not(t, s);
	assert.ok(m.isCurrent(t));
});

test("only the current session's events reach the app", async () => {
	const { world, m, events } = media();
	const first = m.fresh();
	await m.join(first, conn, { mic: true, camera: true });
	const oldRoom = world.rooms[0]!;
	const second = m.fresh();
	await m.join(second, conn, { mic: true, camera: true });
	oldRoom.emit(RoomEvent.Reconnecting);
	assert.equal(events, [], 'a replaced session is silent');
	world.rooms[1]!.emit(RoomEvent.Reconnecting);
	assert.equal(events, [{ type: 'reconnecting' }]);
});

test.run();
