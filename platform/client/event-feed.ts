/**
 * Browser-side (platform/client/: imports only contract types; never a `.server.ts` file).
 *
 * The real-time feed: a typed wrapper over the EventSource on /api/events. Every
 * (re)connect starts with a `snapshot`, so a listener of `onSnapshot` redraws
 * everything that was missed while the stream was down. The feed tells its state
 * ('connecting' until the first snapshot, 'open', 'lost' while the stream or the
 * network is down), reopens the stream at once when the network comes back, and
 * when the server refuses the stream for good, or ends the session, sends the
 * person to sign in again.
 */
import type { Delivered, EventMap, EventType, ReleaseNotice, Snapshot } from '../calls/contract.ts';
import { announceRelease } from '../release/release-events.ts';

export type FeedState = 'connecting' | 'open' | 'lost';

/** What the feed needs of EventSource (the browser's, or a test's fake). */
export interface EventSourceLike {
	readonly readyState: number;
	onopen: ((ev: Event) => unknown) | null;
	onerror: ((ev: Event) => unknown) | null;
	addEventListener(type: string, fn: (ev: MessageEvent) => void): void;
	close(): void;
}

/** What the feed needs of window (online/offline). */
export interface WindowLike {
	addEventListener(type: 'online' | 'offline', fn: () => void): void;
	removeEventListener(type: 'online' | 'offline', fn: () => void): void;
	navigator: { onLine: boolean };
}

export interface EventFeedOptions {
	url?: string;
	EventSource?: new (url: string) => EventSourceLike;
	fetch?: (input: string) => Promise<Response>;
	window?: WindowLike;
	/** The session is gone (401 on /api/me, or `session.ended`). Default: go to /login. */
	onSessionGone?: () => void;
	/**
	 * The server's build, sent on every (re)connect. Default: a `concierge:release` window
	 * event (platform/release/release-events.ts), which the kiosk's reload policy and the
	 * console's new-version notice listen to.
	 */
	onRelease?: (notice: ReleaseNotice) => void;
	/** Delay before reopening a stream the server closed, ms. */
	reopenMs?: number;
	log?: (line: string) => void;
}

const CLOSED = 2;
/** Listened to whether or not the app listens: they drive the feed's own state. */
const ALWAYS = ['release', 'snapshot', 'session.ended'];

type Listener = (d: unknown) => void;

export class EventFeed {
	#opts: Required<Omit<EventFeedOptions, 'log'>> & { log: (line: string) => void };
	#es: EventSourceLike | null = null;
	#listeners = new Map<string, Set<Listener>>();
	#stateListeners = new Set<(s: FeedState) => void>();
	#state: FeedState = 'connecting';
	#online = true;
	#stopped = true;
	#reopen: ReturnType<typeof setTimeout> | null = null;
	#onOnline = () => this.#networkChanged(true);
	#onOffline = () => this.#networkChanged(false);

	constructor(opts: EventFeedOptions = {}) {
		this.#opts = {
			url: opts.url ?? '/api/events',
			EventSource: opts.EventSource ?? (globalThis.EventSource as unknown as new (url: string) => EventSourceLike),
			fetch: opts.fetch ?? ((input) => fetch(input)),
			window: opts.window ?? (globalThis as unknown as WindowLike),
			onSessionGone: opts.onSessionGone ?? (() => location.assign('/login')),
			onRelease: opts.onRelease ?? announceRelease,
			reopenMs: opts.reopenMs ?? 2000,
			log: opts.log ?? (() => {})
		};
	}

	get state(): FeedState {
		return this.#state;
	}

	/** The browser believes it is online (navigator.onLine). */
	get online(): boolean {
		return this.#online;
	}

	/** Listen to one event type, typed by the contract. Returns an unsubscribe function. */
	on<K extends EventType>(type: K, fn: (d: Delivered<K>) => void): () => void {
		return this.#add(type, fn as Listener);
	}

	/** Called with the snapshot on every (re)connect. */
	onSnapshot(fn: (s: Snapshot) => void): () => void {
		return this.#add('snapshot', fn as Listener);
	}

	onState(fn: (s: FeedState) => void): () => void {
		this.#stateListeners.add(fn);
		return () => this.#stateListeners.delete(fn);
	}

	start(): void {
		if (!this.#stopped) return;
		this.#stopped = false;
		const w = this.#opts.window;
		this.#online = w.navigator?.onLine ?? true;
		if (!this.#online) this.#setState('lost');
		w.addEventListener('online', this.#onOnline);
		w.addEventListener('offline', this.#onOffline);
		this.#open();
	}

	/** Close the stream and reopen it now: a fresh snapshot follows. */
	resync(): void {
		if (this.#stopped) return;
		this.#open();
	}

	close(): void {
		this.#stopped = true;
		this.#clearReopen();
		this.#es?.close();
		this.#es = null;
		const w = this.#opts.window;
		w.removeEventListener('online', this.#onOnline);
		w.removeEventListener('offline', this.#onOffline);
	}

	#add(type: string, fn: Listener): () => void {
		let set = this.#listeners.get(type);
		if (!set) {
			set = new Set();
			this.#listeners.set(type, set);
			// A type first listened to while the stream is open needs its listener there too
			// (snapshot and session.ended are always listened to, see #open).
			if (this.#es && !ALWAYS.includes(type)) this.#listen(this.#es, type);
		}
		set.add(fn);
		return () => set.delete(fn);
	}

	#setState(s: FeedState): void {
		if (s === this.#state) return;
		this.#state = s;
		this.#opts.log(`feed: ${s}`);
		for (const fn of [...this.#stateListeners]) fn(s);
	}

	#clearReopen(): void {
		if (this.#reopen) clearTimeout(this.#reopen);
		this.#reopen = null;
	}

	#open(): void {
		this.#clearReopen();
		this.#es?.close();
		const es = new this.#opts.EventSource(this.#opts.url);
		this.#es = es;
		if (this.#state === 'open') this.#setState('connecting');
		for (const type of this.#listeners.keys()) if (!ALWAYS.includes(type)) this.#listen(es, type);
		for (const type of ALWAYS) this.#listen(es, type);
		es.onerror = () => {
			if (this.#es !== es) return;
			this.#setState('lost');
			// EventSource retries by itself unless the server refused the stream (a non-200 answer).
			if (es.readyState === CLOSED) void this.#refused(es);
		};
	}

	#listen(es: EventSourceLike, type: string): void {
		es.addEventListener(type, (ev) => {
			if (this.#es !== es) return;
			let data: unknown;
			try {
				data = JSON.parse(String(ev.data));
			} catch {
				this.#opts.log(`feed: unreadable ${type} event`);
				return;
			}
			if (type === 'release') {
				try {
					this.#opts.onRelease(data as ReleaseNotice);
				} catch (e) {
					this.#opts.log(`feed: release listener failed: ${(e as Error).message}`);
				}
				return;
			}
			if (type === 'snapshot') this.#setState(this.#online ? 'open' : 'lost');
			for (const fn of [...(this.#listeners.get(type) ?? [])]) {
				try {
					fn(data);
				} catch (e) {
					this.#opts.log(`feed: ${type} listener failed: ${(e as Error).message}`);
				}
			}
			if (type === 'session.ended') this.#sessionGone();
		});
	}

	#sessionGone(): void {
		this.close();
		this.#opts.onSessionGone();
	}

	/** The server closed or refused the stream: signed out, or a passing failure? */
	async #refused(es: EventSourceLike): Promise<void> {
		const r = await this.#opts.fetch('/api/me').catch(() => null);
		if (this.#es !== es || this.#stopped) return;
		if (r?.status === 401) return this.#sessionGone();
		this.#reopen = setTimeout(() => this.#open(), this.#opts.reopenMs);
	}

	#networkChanged(online: boolean): void {
		this.#online = online;
		if (this.#stopped) return;
		if (!online) return this.#setState('lost');
		// Back online: do not wait for EventSource's own retry; a fresh stream resyncs now.
		this.#open();
	}
}

export type { Delivered, EventMap, EventType, Snapshot };
