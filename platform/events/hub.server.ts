/**
 * The per-process event hub: one LISTEN connection per app process, and the
 * in-memory list of open streams it delivers to. A stream only ever receives
 * events whose target reaches its own (tenant, account, role), checked by
 * reaches() on every delivery.
 */
import { closeDb, db } from '../db.server.ts';
import { randomBytes } from 'node:crypto';
import { CHANNEL, reaches, type Coalesce, type RealtimeEvent, type Subscriber, type Target } from './events.ts';
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

/**
 * Open streams per tenant, indexed the way targets address them: by account (account,
 * accounts, call and session targets) and by role (audiences). A ring for 100 concierges
 * then touches those 100 streams, not every one of the tenant's 10,000 kiosk streams.
 */
interface TenantStreams {
	/** Arrays, not Sets: nearly every account holds one stream, and 10,000 Sets would cost memory per idle kiosk. */
	byAccount: Map<string, Entry[]>;
	byRole: Map<string, Set<Entry>>;
	size: number;
}
const byTenant = new Map<string, TenantStreams>();
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

interface Message {
	target: Target;
	event: RealtimeEvent;
	at: number;
	coalesce?: Coalesce;
}

function deliver(payload: string): void {
	let msg: Message;
	try {
		msg = JSON.parse(payload);
	} catch {
		logError('events', 'unreadable notification', 'bad JSON', { payload: payload.slice(0, 200) });
		return;
	}
	if (msg.coalesce && typeof msg.coalesce.key === 'string' && typeof msg.target?.tenantId === 'string') coalesced(msg, msg.coalesce);
	else fanOut(msg);
}

/** The role whose streams an audience is. */
const AUDIENCE_ROLE: Record<'kiosks' | 'concierges' | 'admins', string> = { kiosks: 'kiosk', concierges: 'concierge', admins: 'admin' };

/** The streams a target may reach (reaches() still decides for each). */
function candidates(t: TenantStreams, target: Target): Entry[] {
	const of = (accounts: string[]) => accounts.flatMap((a) => t.byAccount.get(a) ?? []);
	if ('account' in target) return of([target.account]);
	if ('accounts' in target) return Array.isArray(target.accounts) ? of([...new Set(target.accounts)]) : [];
	return [...(t.byRole.get(AUDIENCE_ROLE[target.audience]) ?? [])];
}

function fanOut(msg: Message): void {
	const t = byTenant.get(msg.target?.tenantId);
	if (!t) return;
	const subs = candidates(t, msg.target);
	if (!subs.length) return;
	// One Delivery object for all streams: each stream encodes it once per process (stream.ts).
	pending.push({ delivery: { event: msg.event, publishedAt: msg.at }, target: msg.target, subs, next: 0 });
	if (!draining) drain();
}

/**
 * Coalesced events (presence), per tenant and key: what was last let through, and the
 * latest one held back for the trailing edge. Every notification updates its lane
 * whether or not this process holds a stream of the tenant, so a lane always describes
 * the latest committed state; a stream that opens later starts from its snapshot.
 */
interface Lane {
	shows?: string;
	lastAt: number;
	held: Message | null;
	timer: NodeJS.Timeout | null;
}
const lanes = new Map<string, Lane>();

function coalesced(msg: Message, c: Coalesce): void {
	const id = `${msg.target.tenantId}\n${c.key}`;
	let lane = lanes.get(id);
	if (!lane) lanes.set(id, (lane = { lastAt: 0, held: null, timer: null }));
	if (c.shows !== undefined) {
		// Nothing the recipients show has changed: the event would only redraw the same.
		if (lane.shows === c.shows) return;
		lane.shows = c.shows;
	}
	lane.held = msg;
	if (lane.timer) return;
	const wait = lane.lastAt + (Number(c.everyMs) || 0) - Date.now();
	if (wait <= 0) return release(lane);
	const l = lane;
	lane.timer = setTimeout(() => release(l), wait);
	lane.timer.unref();
}

/**
 * A stream's snapshot showed `shows` to the recipients of a coalesced lane (as the publisher
 * computes it: kioskShows for kiosks). What the lane last let through can be older than that:
 * presence also changes by time (a concierge without a stream lapses offline, a wrap-up
 * ends), which the worker's sweep tells only at its next run. Then the lane forgets what it
 * showed, so the next event passes even if it shows the same as the last one: a kiosk that
 * opened in between saw the newer state and would otherwise never hear the change back.
 * It only ever lets an event through that would have been held, never holds one back.
 */
export function snapshotShowed(tenantId: string, key: string, shows: string): void {
	const lane = lanes.get(`${tenantId}\n${key}`);
	if (lane && lane.shows !== undefined && lane.shows !== shows) lane.shows = undefined;
}

function release(lane: Lane): void {
	lane.timer = null;
	const msg = lane.held;
	lane.held = null;
	if (!msg) return;
	lane.lastAt = Date.now();
	fanOut(msg);
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
	let t = byTenant.get(who.tenantId);
	if (!t) byTenant.set(who.tenantId, (t = { byAccount: new Map(), byRole: new Map(), size: 0 }));
	const tenant = t;
	const mine = tenant.byAccount.get(entry.accountId);
	if (mine) mine.push(entry);
	else tenant.byAccount.set(entry.accountId, [entry]);
	let role = tenant.byRole.get(entry.role);
	if (!role) tenant.byRole.set(entry.role, (role = new Set()));
	role.add(entry);
	tenant.size++;
	let done = false;
	return () => {
		if (done) return;
		done = true;
		const list = tenant.byAccount.get(entry.accountId);
		const i = list?.indexOf(entry) ?? -1;
		if (list && i >= 0) list.splice(i, 1);
		if (list?.length === 0) tenant.byAccount.delete(entry.accountId);
		const set = tenant.byRole.get(entry.role);
		if (set?.delete(entry) && set.size === 0) tenant.byRole.delete(entry.role);
		if (--tenant.size === 0 && byTenant.get(who.tenantId) === tenant) byTenant.delete(who.tenantId);
	};
}

/** Open streams in this process (for tests and the benchmark). */
export function subscriberCount(): number {
	let n = 0;
	for (const t of byTenant.values()) n += t.size;
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
