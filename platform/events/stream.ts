/**
 * Server-sent events for one signed-in actor: a snapshot on every (re)connect,
 * then the events addressed to the actor, and a heartbeat comment every
 * HEARTBEAT_MS. EventSource reconnects by itself, and the snapshot on reconnect
 * resynchronises whatever was missed while it was away.
 */
import type { Actor } from '../types.ts';
import { subscribe, type Delivery } from './hub.server.ts';
import { logError } from '../log.ts';

const HEARTBEAT_MS = 20_000;
const encoder = new TextEncoder();

interface Open {
	controller: ReadableStreamDefaultController<Uint8Array>;
	onBeat?: () => void;
}

// One timer for all streams of the process, not one per connection.
const open = new Set<Open>();
let beat: NodeJS.Timeout | null = null;
const BEAT = encoder.encode(': hb\n\n');

function startBeat(): void {
	beat ??= setInterval(() => {
		for (const o of open) {
			try {
				o.controller.enqueue(BEAT);
				o.onBeat?.();
			} catch {
				open.delete(o);
			}
		}
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
	/** Called on each heartbeat (a concierge's presence refresh, say). Errors are logged, not fatal. */
	onBeat?: () => Promise<void>;
}

export function eventStream(actor: Actor, opts: StreamOptions): Response {
	let unsubscribe: (() => void) | null = null;
	let entry: Open | null = null;
	const body = new ReadableStream<Uint8Array>({
		async start(controller) {
			const send = (d: Delivery) => {
				controller.enqueue(frame(d.event.type, { ...d.event.data, publishedAt: d.publishedAt }));
				// A disabled account's stream ends here; its reconnects meet a revoked session (401).
				if (d.event.type === 'account.disabled') {
					unsubscribe?.();
					if (entry) open.delete(entry);
					controller.close();
				}
			};
			// Subscribe first, then read the snapshot, so nothing falls between the two.
			unsubscribe = await subscribe({ tenantId: actor.tenantId, accountId: actor.accountId, role: actor.role }, send);
			controller.enqueue(encoder.encode('retry: 2000\n\n'));
			controller.enqueue(frame('snapshot', await opts.snapshot()));
			const onBeat = opts.onBeat;
			entry = {
				controller,
				onBeat: onBeat
					? () => void onBeat().catch((e) => logError('events', 'heartbeat hook failed', e, { accountId: actor.accountId }))
					: undefined
			};
			open.add(entry);
			startBeat();
		},
		cancel() {
			unsubscribe?.();
			if (entry) open.delete(entry);
		}
	});
	return new Response(body, {
		headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' }
	});
}
