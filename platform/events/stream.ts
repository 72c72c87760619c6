/**
 * Server-sent events for one signed-in actor: a snapshot on every (re)connect,
 * then the events addressed to the actor, and a heartbeat comment every
 * HEARTBEAT_MS. EventSource reconnects by itself, and the snapshot on reconnect
 * resynchronises whatever was missed while it was away.
 *
 * A stream is bound to the session that opened it: it ends when that session ends
 * (a `session.ended` event for it, or, checked on every heartbeat for all streams of
 * the process in one query, a session that is gone, expired or whose account is
 * disabled). Its reconnect then meets a 401.
 */
import type { Actor } from '../types.ts';
import { db } from '../db.server.ts';
import { subscribe, type Delivery } from './hub.server.ts';
import { liveSessionIds } from './streams.repo.ts';
import { logError } from '../log.ts';
import { metrics } from '../metrics.ts';
import { refreshSyntheticTenants } from '../tenants/synthetic.ts';

const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

interface Open {
	sessionId: string;
	close: () => void;
	beat: () => void;
}

// One timer for all streams of the process, not one per connection.
const open = new Set<Open>();
let beat: NodeJS.Timeout | null = null;
const BEAT = encoder.encode(': hb\n\n');

/** Close every stream whose session is gone, expired or disabled (run on each heartbeat; exported for tests). */
export async function closeEndedSessions(): Promise<void> {
	const ids = [...new Set([...open].map((o) => o.sessionId))];
	const live = await liveSessionIds(db(), ids);
	for (const o of open) if (!live.has(o.sessionId)) o.close();
}

function startBeat(): void {
	beat ??= setInterval(() => {
		for (const o of open) o.beat();
		closeEndedSessions().catch((e) => logError('events', 'session check failed', e, { streams: open.size }));
		if (open.size === 0 && beat) {
			clearInterval(beat);
			beat = null;
		}
	}, HEARTBEAT_MS);
	beat.unref();
}

const frame = (type: string, data: unknown) => encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);

export interface StreamOptions {
	/** Current state, sent first on every connect. */
	snapshot: () => Promise<unknown>;
	/** Called when the stream opens and on each heartbeat (a concierge's presence, say). Errors are logged, not fatal. */
	onBeat?: () => Promise<void>;
	/** Called once when the stream ends, whoever ends it. */
	onClose?: () => Promise<void>;
}

export function eventStream(actor: Actor, session: { id: string }, opts: StreamOptions): Response {
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
			open.delete(entry);
			metrics.streamClosed(actor.role);
		}
		hook('close', opts.onClose);
	};
	const body = new ReadableStream<Uint8Array>({
		async start(controller) {
			const end = () => {
				finish();
				try {
					controller.close();
				} catch {
					// Already closed by the client.
				}
			};
			const send = (d: Delivery) => {
				if (d.event.type === 'session.ended' && d.event.data.sessionId !== session.id) return;
				controller.enqueue(frame(d.event.type, { ...d.event.data, publishedAt: d.publishedAt }));
				if (d.event.type === 'call.ringing') metrics.ringDelivered(actor.tenantId, (Date.now() - d.publishedAt) / 1000);
				// A disabled account's or an ended session's stream ends here; its reconnects meet a 401.
				if (d.event.type === 'account.disabled' || d.event.type === 'session.ended') end();
			};
			// Subscribe first, then read the snapshot, so nothing falls between the two.
			unsubscribe = await subscribe({ tenantId: actor.tenantId, accountId: actor.accountId, role: actor.role, sessionId: session.id }, send);
			controller.enqueue(encoder.encode('retry: 2000\n\n'));
			controller.enqueue(frame('snapshot', await opts.snapshot()));
			if (closed) return;
			entry = {
				sessionId: session.id,
				close: end,
				beat: () => {
					try {
						controller.enqueue(BEAT);
					} catch {
						return finish();
					}
					hook('beat', opts.onBeat);
				}
			};
			open.add(entry);
			metrics.streamOpened(actor.role);
			void refreshSyntheticTenants();
			hook('beat', opts.onBeat);
			startBeat();
		},
		cancel() {
			finish();
		}
	});
	return new Response(body, {
		headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' }
	});
}
