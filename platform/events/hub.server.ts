/**
 * The per-process event hub: one LISTEN connection per app process, and the
 * in-memory list of open streams it delivers to. A stream only ever receives
 * events whose target reaches its own (tenant, account, role), checked by
 * reaches() on every delivery.
 */
import { closeDb, db } from '../db.server.ts';
import { randomBytes } from 'node:crypto';
import { CHANNEL, reaches, type RealtimeEvent, type Subscriber, type Target } from './events.ts';
import { notify } from './events.repo.ts';
import { logError } from '../log.ts';

export interface Delivery {
	event: RealtimeEvent;
	/** Milliseconds since the epoch at which it was published (for latency measurement). */
	publishedAt: number;
}

interface Entry extends Subscriber {
	send: (d: Delivery) => void;
}

const byTenant = new Map<string, Set<Entry>>();
let listening: Promise<void> | null = null;

/**
 * Deliveries waiting to reach their streams, in arrival order. A tenant with 10,000
 * kiosk streams turns one event into 10,000 writes; those run in slices of SLICE
 * streams with the event loop free in between, so requests that arrive meanwhile (a
 * kiosk's next call, say) are not held behind the whole fan-out. Every stream still
 * gets its events in order: a delivery starts only after the previous one reached all.
 */
const SLICE = 500;
const pending: { delivery: Delivery; target: Target; subs: Entry[]; next: number }[] = [];
let draining = false;

function deliver(payload: string): void {
	let msg: { target: Target; event: RealtimeEvent; at: number };
	try {
		msg = JSON.parse(payload);
	} catch {
		logError('events', 'unreadable notification', 'bad JSON', { payload: payload.slice(0, 200) });
		return;
	}
	const subs = byTenant.get(msg.target?.tenantId);
	if (!subs) return;
	// One Delivery object for all streams: each stream encodes it once per process (stream.ts).
	pending.push({ delivery: { event: msg.event, publishedAt: msg.at }, target: msg.target, subs: [...subs], next: 0 });
	if (!draining) drain();
}

function drain(): void {
	draining = true;
	let budget = SLICE;
	while (pending.length && budget > 0) {
		const job = pending[0]!;
		while (job.next < job.subs.length && budget-- > 0) {
			const s = job.subs[job.next++]!;
			if (!reaches(job.target, s)) continue;
			try {
				s.send(job.delivery);
			} catch (e) {
				logError('events', 'delivery failed', e, { type: job.delivery.event?.type });
			}
		}
		if (job.next >= job.subs.length) pending.shift();
	}
	if (pending.length) setImmediate(drain);
	else draining = false;
}

/** Start LISTENing (once per process). postgres.js re-listens by itself after a dropped connection. */
export function ensureListening(): Promise<void> {
	if (!listening) {
		// The LISTEN connection would keep the process alive after adapter-node has closed
		// the server on SIGTERM; it announces that moment with this event.
		process.once('sveltekit:shutdown' as 'exit', () => void closeDb());
	}
	listening ??= db()
		.listen(CHANNEL, deliver)
		.then(() => undefined)
		.catch((e) => {
			listening = null;
			throw e;
		});
	return listening;
}

/** Register a stream. Returns the function that unregisters it. */
export async function subscribe(who: Subscriber, send: (d: Delivery) => void): Promise<() => void> {
	await ensureListening();
	const entry: Entry = { tenantId: who.tenantId, accountId: who.accountId, role: who.role, sessionId: who.sessionId, send };
	let set = byTenant.get(who.tenantId);
	if (!set) byTenant.set(who.tenantId, (set = new Set()));
	set.add(entry);
	return () => {
		set.delete(entry);
		if (set.size === 0 && byTenant.get(who.tenantId) === set) byTenant.delete(who.tenantId);
	};
}

/** Open streams in this process (for tests and the benchmark). */
export function subscriberCount(): number {
	let n = 0;
	for (const s of byTenant.values()) n += s.size;
	return n;
}

// The readiness probe's round trip: a NOTIFY on a channel of this process only,
// heard on the same LISTEN connection that carries the events.
const pingChannel = `concierge_health_${process.pid}_${randomBytes(4).toString('hex')}`;
const pendingPings = new Map<string, () => void>();
let pingListening: Promise<unknown> | null = null;

/**
 * Proves the LISTEN connection works: sends a NOTIFY to this process and waits
 * for it to come back on the LISTEN connection. Rejects after timeoutMs.
 */
export async function pingListen(timeoutMs: number): Promise<void> {
	await ensureListening();
	pingListening ??= db()
		.listen(pingChannel, (nonce) => pendingPings.get(nonce)?.())
		.catch((e) => {
			pingListening = null;
			throw e;
		});
	await pingListening;
	const nonce = randomBytes(8).toString('hex');
	let timer: NodeJS.Timeout | undefined;
	try {
		await new Promise<void>((resolve, reject) => {
			pendingPings.set(nonce, resolve);
			timer = setTimeout(() => reject(new Error('no notification came back on the LISTEN connection')), timeoutMs);
			notify(db(), pingChannel, nonce).catch(reject);
		});
	} finally {
		clearTimeout(timer);
		pendingPings.delete(nonce);
	}
}
