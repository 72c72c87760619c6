/**
 * Server-sent events for one signed-in actor: a snapshot on every (re)connect,
 * then the events addressed to the actor, and a heartbeat comment every
 * HEARTBEAT_MS (spread over the period across the process's streams). EventSource
 * reconnects by itself, and the snapshot on reconnect resynchronises whatever was
 * missed while it was away.
 *
 * A stream is bound to the session that opened it: it ends when that session ends
 * (a `session.ended` event for it, or, checked on every heartbeat for all streams of
 * the process in one query, a session that is gone, expired or whose account is
 * disabled). Its reconnect then meets a 401.
 *
 * Every connect also starts with a `release` frame naming the build this process
 * runs (platform/release/version.ts), so a client reconnecting to a new release
 * learns of it at once. On SIGTERM (a deploy or a scale-down) every stream is ended
 * at once: its client reconnects to the next process, or another instance, rather
 * than hanging on a closing server until SHUTDOWN_TIMEOUT.
 */
import type { Actor } from '../types.ts';
import { db } from '../db.server.ts';
import { subscribe, type Delivery } from './hub.server.ts';
import { liveSessionIds } from './streams.repo.ts';
import { logError } from '../log.ts';
import { metrics } from '../metrics.ts';
import { serverVersion } from '../release/version.ts';
import type { ReleaseNotice } from '../calls/contract.ts';

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

interface Open {
	sessionId: string;
	/** Which tick of the heartbeat cycle beats this stream (see startBeat). */
	slot: number;
	close: () => void;
	beat: (shared: SharedBeats) => void;
}

/** The shared beats of one heartbeat, by key: what each stream gave, run once for all. */
type SharedBeats = Map<string, { run: (items: string[]) => Promise<void>; items: string[] }>;

// One timer for all streams of the process, not one per connection.
let beat: NodeJS.Timeout | null = null;
const BEAT = encoder.encode(': hb\n\n');
const RETRY = encoder.encode('retry: 2000\n\n');

/**
 * The heartbeat is spread over its period: the timer ticks SLOTS times per HEARTBEAT_MS and
 * each tick beats the streams of one slot (given round-robin as they open). Every stream
 * still beats, and has its session checked, every HEARTBEAT_MS; but 10,000 kiosk streams
 * cost the process and PostgreSQL a small slice each second rather than all 10,000 writes,
 * stamps and checks at once, which held up every request in flight at that moment.
 */
const SLOTS = 15;
let nextSlot = 0;
let tick = 0;
/** The open streams, one set per slot: a tick takes its own set, with no scan of the others. */
const slots: Set<Open>[] = Array.from({ length: SLOTS }, () => new Set<Open>());
const openCount = () => slots.reduce((n, s) => n + s.size, 0);
const allOpen = () => slots.flatMap((s) => [...s]);

/** Close every stream whose session is gone, expired or disabled (run on each heartbeat; exported for tests). */
export async function closeEndedSessions(streams: Iterable<Open> = allOpen()): Promise<void> {
	const list = [...streams];
	const ids = [...new Set(list.map((o) => o.sessionId))];
	if (ids.length === 0) return;
	const live = await liveSessionIds(db(), ids);
	for (const o of list) if (!live.has(o.sessionId)) o.close();
}

function startBeat(): void {
	beat ??= setInterval(() => {
		const slot = tick++ % SLOTS;
		const due = [...slots[slot]!];
		const shared: SharedBeats = new Map();
		for (const o of due) o.beat(shared);
		for (const [key, b] of shared) b.run(b.items).catch((e) => logError('events', 'shared beat failed', e, { key, streams: b.items.length }));
		closeEndedSessions(due).catch((e) => logError('events', 'session check failed', e, { streams: due.length }));
		if (openCount() === 0 && beat) {
			clearInterval(beat);
			beat = null;
		}
	}, HEARTBEAT_MS / SLOTS);
	beat.unref();
}

const frame = (type: string, data: unknown) => encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);

/** The `release` frame of this process (its version is fixed at start-up), encoded once. */
let releaseFrame: { version: string; bytes: Uint8Array } | null = null;
function release(): Uint8Array | null {
	const version = serverVersion();
	if (!version) return null;
	if (releaseFrame?.version !== version) releaseFrame = { version, bytes: frame('release', { version } satisfies ReleaseNotice) };
	return releaseFrame.bytes;
}

/** End every open stream now (SIGTERM: the process is going away; exported for tests). */
export function closeAllStreams(): number {
	const all = allOpen();
	for (const o of all) o.close();
	return all.length;
}
let closeOnSigterm = false;

/** A delivery's frame, encoded once per process however many streams it goes to. */
const framed = new WeakMap<Delivery, Uint8Array>();
function deliveryFrame(d: Delivery): Uint8Array {
	let bytes = framed.get(d);
	if (!bytes) framed.set(d, (bytes = frame(d.event.type, { ...d.event.data, publishedAt: d.publishedAt })));
	return bytes;
}

export interface StreamOptions {
	/** Current state, sent first on every connect. */
	snapshot: () => Promise<unknown>;
	/** Called when the stream opens and on each heartbeat (a concierge's presence, say). Errors are logged, not fatal. */
	onBeat?: () => Promise<void>;
	/** Called once when the stream ends, whoever ends it. */
	onClose?: () => Promise<void>;
	/**
	 * A heartbeat shared by many streams (instead of onBeat): on each heartbeat the streams
	 * with the same key give their item and `run` is called once with all of them (a
	 * tenant's kiosks stamped seen in one statement). Not called at open: the snapshot does
	 * what the stream needs then. `everyBeats` (default 1): give the item only on every Nth
	 * heartbeat of the stream (a stamp that stays valid longer than one period).
	 */
	sharedBeat?: { key: string; item: string; run: (items: string[]) => Promise<void>; everyBeats?: number };
}

/** Where a stream's bytes go: a ReadableStream's controller (SvelteKit) or a node:http response (platform/web/lean.ts). */
export interface StreamSink {
	/** Write one frame; throws once the client is gone. */
	write: (bytes: Uint8Array) => void;
	/** End the response (the stream is over). */
	end: () => void;
}

/** The headers of every event stream response (the security headers are added by whoever serves it). */
export const STREAM_HEADERS: Readonly<Record<string, string>> = {
	'content-type': 'text/event-stream; charset=utf-8',
	'cache-control': 'no-store',
	connection: 'keep-alive',
	'x-accel-buffering': 'no'
};

/**
 * Open a stream for the actor into a sink. Returns the function to call when the
 * client goes away (idempotent). The one implementation of the stream's rules,
 * served by the SvelteKit routes (eventStream below) and by the lean handlers.
 */
export function openStream(actor: Actor, session: { id: string }, opts: StreamOptions, sink: StreamSink): () => void {
	// Registered by the first stream, so only a process that serves streams listens for SIGTERM here.
	if (!closeOnSigterm) {
		closeOnSigterm = true;
		process.once('SIGTERM', () => closeAllStreams());
	}
	let entry: Open | null = null;
	let unsubscribe: (() => void) | null = null;
	let closed = false;
	const hook = (name: string, fn?: () => Promise<void>) => {
		if (fn) fn().catch((e) => logError('events', `stream ${name} hook failed`, e, { accountId: actor.accountId }));
	};
	const finish = () => {
		if (closed) return;
		closed = true;
		unsubscribe?.();
		if (entry) {
			slots[entry.slot]!.delete(entry);
			metrics.streamClosed(actor.role);
		}
		hook('close', opts.onClose);
	};
	const end = () => {
		finish();
		try {
			sink.end();
		} catch {
			// Already closed by the client.
		}
	};
	/** Write one frame; false when the client is gone (that closes the stream: normal, not an error). */
	const put = (bytes: Uint8Array): boolean => {
		try {
			sink.write(bytes);
			return true;
		} catch {
			finish();
			return false;
		}
	};
	const send = (d: Delivery) => {
		if (closed) return;
		if (d.event.type === 'session.ended' && d.event.data.sessionId !== session.id) return;
		if (!put(deliveryFrame(d))) return;
		if (d.event.type === 'call.ringing') metrics.ringDelivered(actor.tenantId, (Date.now() - d.publishedAt) / 1000);
		// A disabled account's or an ended session's stream ends here; its reconnects meet a 401.
		if (d.event.type === 'account.disabled' || d.event.type === 'session.ended') end();
	};
	const start = async () => {
		// Subscribe first, then read the snapshot, so nothing falls between the two.
		const unsub = await subscribe({ tenantId: actor.tenantId, accountId: actor.accountId, role: actor.role, sessionId: session.id }, send);
		if (closed) return unsub();
		unsubscribe = unsub;
		const snapshot = await opts.snapshot();
		if (closed) return;
		// The retry line, the release and the snapshot leave in one write (with the response's
		// head, platform/web/lean.ts): one wake-up of the client, not four. A client that left
		// while the stream opened ends it here, as at any other write. (Events published since
		// subscribing went out before this and are older than the snapshot, which supersedes them.)
		const r = release();
		if (!put(Buffer.concat(r ? [RETRY, r, frame('snapshot', snapshot)] : [RETRY, frame('snapshot', snapshot)]))) return;
		let beats = 0;
		entry = {
			sessionId: session.id,
			slot: nextSlot++ % SLOTS,
			close: end,
			beat: (shared) => {
				if (!put(BEAT)) return;
				const sb = opts.sharedBeat;
				if (!sb) return hook('beat', opts.onBeat);
				if (++beats % (sb.everyBeats ?? 1) !== 0) return;
				const b = shared.get(sb.key);
				if (b) b.items.push(sb.item);
				else shared.set(sb.key, { run: sb.run, items: [sb.item] });
			}
		};
		slots[entry.slot]!.add(entry);
		metrics.streamOpened(actor.role);
		if (!opts.sharedBeat) hook('beat', opts.onBeat);
		startBeat();
	};
	start().catch((e) => {
		logError('events', 'stream failed to open', e, { accountId: actor.accountId });
		end();
	});
	return finish;
}

/** The stream as a Response (the SvelteKit routes, used under `vite dev`). */
export function eventStream(actor: Actor, session: { id: string }, opts: StreamOptions): Response {
	let cancel: (() => void) | null = null;
	const body = new ReadableStream<Uint8Array>({
		start(controller) {
			cancel = openStream(actor, session, opts, { write: (b) => controller.enqueue(b), end: () => controller.close() });
		},
		cancel() {
			cancel?.();
		}
	});
	return new Response(body, { headers: { ...STREAM_HEADERS } });
}
