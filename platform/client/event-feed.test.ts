import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventFeed, type EventSourceLike, type FeedState, type WindowLike } from './event-feed.ts';
import type { Snapshot } from '../calls/contract.ts';

const test = suite('client event feed');

class FakeEventSource implements EventSourceLike {
	static all: FakeEventSource[] = [];
	readyState = 0;
	onopen: ((ev: Event) => unknown) | null = null;
	onerror: ((ev: Event) => unknown) | null = null;
	closed = false;
	listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
	constructor(public url: string) {
		FakeEventSource.all.push(this);
	}
	addEventListener(type: string, fn: (ev: MessageEvent) => void): void {
		this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
	}
	close(): void {
		this.closed = true;
		this.readyState = 2;
	}
	emit(type: string, data: unknown): void {
		this.readyState = 1;
		for (const fn of this.listeners.get(type) ?? []) fn({ data: typeof data === 'string' ? data : JSON.stringify(data) } as MessageEvent);
	}
	/** The server answered with an error: EventSource gives up (CLOSED) or retries (CONNECTING). */
	error(closed: boolean): void {
		this.readyState = closed ? 2 : 0;
		this.onerror?.(new Event('error'));
	}
}

function fakeWindow(online = true) {
	const fns = new Map<string, Set<() => void>>();
	const w: WindowLike & { fire(t: 'online' | 'offline'): void; count(t: string): number } = {
		navigator: { onLine: online },
		addEventListener: (t, fn) => void (fns.get(t) ?? fns.set(t, new Set()).get(t)!).add(fn),
		removeEventListener: (t, fn) => void fns.get(t)?.delete(fn),
		fire(t) {
			w.navigator.onLine = t === 'online';
			for (const fn of fns.get(t) ?? []) fn();
		},
		count: (t) => fns.get(t)?.size ?? 0
	};
	return w;
}

const snapshot: Snapshot = { calls: [], presence: { available: 1, busy: 0, waiting: [] }, me: null, settings: { graceSeconds: 20, ringSeconds: 45, maxCallMinutes: 60 } };

function setup(opts: { me?: number; online?: boolean } = {}) {
	FakeEventSource.all = [];
	const w = fakeWindow(opts.online ?? true);
	let gone = 0;
	const meCalls: string[] = [];
	const feed = new EventFeed({
		EventSource: FakeEventSource,
		window: w,
		fetch: async (url) => {
			meCalls.push(url);
			return new Response('{}', { status: opts.me ?? 200 });
		},
		onSessionGone: () => gone++,
		reopenMs: 5
	});
	const states: FeedState[] = [];
	feed.onState((s) => states.push(s));
	return { feed, w, states, meCalls, gone: () => gone, es: () => FakeEventSource.all.at(-1)! };
}

test('typed dispatch: each listener gets its own event type, parsed, with publishedAt', () => {
	const { feed, es } = setup();
	const ended: string[] = [];
	const presence: number[] = [];
	feed.on('call.ended', (d) => ended.push(`${d.callId}:${d.reason}:${d.publishedAt}`));
	feed.on('presence', (d) => presence.push(d.available));
	feed.start();
	assert.is(es().url, '/api/events');
	es().emit('call.ended', { callId: 'c1', reason: 'hung_up_by_kiosk', publishedAt: 7 });
	es().emit('presence', { available: 2, busy: 1, waiting: [] });
	es().emit('call.missed', { callId: 'c2', reason: 'no_answer' });
	assert.equal(ended, ['c1:hung_up_by_kiosk:7']);
	assert.equal(presence, [2]);
	feed.close();
});

test('a listener added after start still hears its type; unsubscribe stops it; bad JSON is skipped', () => {
	const { feed, es } = setup();
	feed.start();
	const got: string[] = [];
	const off = feed.on('call.taken', (d) => got.push(d.callId));
	es().emit('call.taken', 'not json{');
	es().emit('call.taken', { callId: 'a' });
	off();
	es().emit('call.taken', { callId: 'b' });
	assert.equal(got, ['a']);
	feed.close();
});

test('state: connecting until the snapshot, lost on error, open again with the next snapshot (resync)', () => {
	const { feed, es, states } = setup();
	const snaps: Snapshot[] = [];
	feed.onSnapshot((s) => snaps.push(s));
	feed.start();
	assert.is(feed.state, 'connecting');
	es().emit('snapshot', snapshot);
	assert.is(feed.state, 'open');
	es().error(false); // EventSource will retry by itself
	assert.is(feed.state, 'lost');
	es().emit('snapshot', { ...snapshot, presence: { available: 0, busy: 1, waiting: ['c9'] } });
	assert.is(feed.state, 'open');
	assert.equal(states, ['open', 'lost', 'open']);
	assert.is(snaps.length, 2);
	assert.equal(snaps[1]!.presence.waiting, ['c9']);
	feed.close();
});

test('offline: lost at once; online: a fresh stream is opened without waiting for the retry', () => {
	const { feed, es, w } = setup();
	feed.start();
	const first = es();
	first.emit('snapshot', snapshot);
	w.fire('offline');
	assert.is(feed.state, 'lost');
	assert.is(feed.online, false);
	w.fire('online');
	assert.ok(first.closed, 'the old stream is closed');
	assert.is.not(es(), first, 'a new stream is opened');
	assert.is(feed.state, 'lost', 'still lost until the new snapshot arrives');
	es().emit('snapshot', snapshot);
	assert.is(feed.state, 'open');
	// Events of the old stream are ignored.
	let n = 0;
	feed.on('presence', () => n++);
	first.emit('presence', { available: 1, busy: 0, waiting: [] });
	assert.is(n, 0);
	feed.close();
	assert.is(w.count('online'), 0, 'window listeners removed on close');
});

test('starting while offline: a snapshot does not claim open', () => {
	const { feed, es } = setup({ online: false });
	feed.start();
	es().emit('snapshot', snapshot);
	assert.is(feed.state, 'lost');
	feed.close();
});

test('stream refused and /api/me says 401: the session is gone', async () => {
	const { feed, es, meCalls, gone } = setup({ me: 401 });
	feed.start();
	es().error(true);
	await new Promise((r) => setTimeout(r, 10));
	assert.equal(meCalls, ['/api/me']);
	assert.is(gone(), 1);
	assert.ok(es().closed);
});

test('stream refused but the session is fine: the feed reopens the stream itself', async () => {
	const { feed, es } = setup({ me: 200 });
	feed.start();
	const first = es();
	first.error(true);
	await new Promise((r) => setTimeout(r, 30));
	assert.is(FakeEventSource.all.length, 2);
	assert.is.not(es(), first);
	feed.close();
});

test('session.ended closes the feed and sends the person to sign in', () => {
	const { feed, es, gone } = setup();
	let heard = 0;
	feed.on('session.ended', () => heard++);
	feed.start();
	es().emit('session.ended', { sessionId: 's', reason: 'signed_out' });
	assert.is(heard, 1, 'listeners hear it once');
	assert.is(gone(), 1);
	assert.ok(es().closed);
});

test('resync() reopens the stream', () => {
	const { feed, es } = setup();
	feed.start();
	const first = es();
	feed.resync();
	assert.ok(first.closed);
	assert.is(FakeEventSource.all.length, 2);
	feed.close();
});

test('the release frame of every (re)connect reaches onRelease, before the snapshot, whether or not the app listens to anything', () => {
	FakeEventSource.all = [];
	const releases: string[] = [];
	const order: string[] = [];
	const feed = new EventFeed({ EventSource: FakeEventSource, window: fakeWindow(), onRelease: (n) => (releases.push(n.version), order.push('release')) });
	feed.onSnapshot(() => order.push('snapshot'));
	feed.start();
	const es = FakeEventSource.all.at(-1)!;
	es.emit('release', { version: '2.0.0+b' });
	es.emit('snapshot', snapshot);
	feed.resync();
	FakeEventSource.all.at(-1)!.emit('release', { version: '2.0.1' });
	assert.equal(releases, ['2.0.0+b', '2.0.1']);
	assert.equal(order.slice(0, 2), ['release', 'snapshot']);
	feed.close();
});

test.run();
