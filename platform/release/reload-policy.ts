/**
 * Browser-side: when a kiosk moves to a new release (issue 10, item 7).
 *
 * A kiosk learns that the server runs another build from its event stream (every
 * connect announces the server's version, platform/release/release-events.ts) or
 * from SvelteKit's own poll of `/_app/version.json` (`updated`, every 60 s). Then:
 * - idle (standby: no call, not ringing or queued, no share, no staff or report
 *   screen open, no notice on screen, stream up) it reloads after a short random
 *   delay (at most DELAY_MAX_MS, so a fleet does not reload at the same instant),
 *   well within a minute of learning;
 * - busy, it waits, and reloads once it is idle again: never mid-call;
 * - a touch in the last QUIET_MS (someone is using the standby screen) puts the
 *   reload back until the screen has been quiet for that long;
 * - just before reloading it asks the server again (SvelteKit's `updated.check()`):
 *   while the new build is not served yet, or the server cannot be reached, it
 *   tries again later rather than reloading into an error page;
 * - if a reload came back with the same build (mixed instances during a rolling
 *   deploy), it does not reload again for HOLD_MS, so a kiosk never loops.
 *
 * Plain TypeScript with its clock, timers and storage injected (unit-tested in
 * reload-policy.test.ts); kiosk/src/routes/+page.svelte wires it to the page.
 */
import { cleanVersion } from './version.ts';

export type ReloadState = 'current' | 'waiting' | 'scheduled' | 'reloading';

export const DELAY_MIN_MS = 2_000;
export const DELAY_MAX_MS = 20_000;
export const RETRY_MS = 15_000;
export const QUIET_MS = 15_000;
export const HOLD_MS = 5 * 60_000;
export const GUARD_KEY = 'concierge:reloaded-from';

export interface StorageLike {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
	removeItem(key: string): void;
}

export interface ReloadPolicyOptions {
	/** This page's own build version. */
	current: string;
	reload: () => void;
	/** Does the server now serve another build than this page's? (SvelteKit's `updated.check()`) */
	check: () => Promise<boolean>;
	/** Delay from becoming idle to reloading, ms. Default: random between DELAY_MIN_MS and DELAY_MAX_MS. */
	delayMs?: () => number;
	retryMs?: number;
	quietMs?: number;
	holdMs?: number;
	/** Where the loop guard is kept across the reload (sessionStorage); null: no guard. */
	storage?: StorageLike | null;
	now?: () => number;
	setTimer?: (fn: () => void, ms: number) => unknown;
	clearTimer?: (t: unknown) => void;
	onState?: (s: ReloadState) => void;
	log?: (line: string) => void;
}

export class ReloadPolicy {
	#o: Required<Omit<ReloadPolicyOptions, 'storage' | 'onState' | 'log'>> & Pick<ReloadPolicyOptions, 'storage' | 'onState' | 'log'>;
	#pending = false;
	#target: string | null = null;
	#idle = false;
	#timer: unknown = null;
	#checking = false;
	#state: ReloadState = 'current';
	#lastTouch = -Infinity;
	#holdUntil = 0;
	#disposed = false;

	constructor(opts: ReloadPolicyOptions) {
		// Each default applies when its option is missing or undefined.
		this.#o = {
			...opts,
			delayMs: opts.delayMs ?? (() => DELAY_MIN_MS + Math.random() * (DELAY_MAX_MS - DELAY_MIN_MS)),
			retryMs: opts.retryMs ?? RETRY_MS,
			quietMs: opts.quietMs ?? QUIET_MS,
			holdMs: opts.holdMs ?? HOLD_MS,
			now: opts.now ?? (() => Date.now()),
			setTimer: opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms)),
			clearTimer: opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>))
		};
		// The last reload was made from this very build: it did not bring the new one.
		const guard = this.#readGuard();
		if (guard && guard.from === opts.current && this.#o.now() - guard.at < this.#o.holdMs) this.#holdUntil = guard.at + this.#o.holdMs;
		else if (guard) this.#o.storage?.removeItem(GUARD_KEY);
	}

	get state(): ReloadState {
		return this.#state;
	}

	/** The build the server announced, if known. */
	get target(): string | null {
		return this.#target;
	}

	/**
	 * The server runs this build (from the event stream), or null: another build, id
	 * unknown (SvelteKit's `updated`). The page's own version, or an invalid id, changes nothing.
	 */
	learn(version: string | null): void {
		if (this.#disposed) return;
		if (version !== null) {
			if (cleanVersion(version) === null) return;
			if (version === this.#o.current) {
				// The server is back on this page's build (a rollback): nothing to do.
				if (this.#target !== null) this.#reset();
				return;
			}
			this.#target = version;
		}
		if (!this.#pending) this.#o.log?.(`release: server runs ${version ?? 'another build'}, this page ${this.#o.current}`);
		this.#pending = true;
		this.#plan();
	}

	/** Whether the kiosk is idle now (called whenever that changes). */
	setIdle(idle: boolean): void {
		if (this.#disposed || idle === this.#idle) return;
		this.#idle = idle;
		this.#plan();
	}

	/** Someone touched the screen: a scheduled reload waits for QUIET_MS of quiet. */
	touched(): void {
		this.#lastTouch = this.#o.now();
	}

	dispose(): void {
		this.#disposed = true;
		this.#cancel();
	}

	#reset(): void {
		this.#pending = false;
		this.#target = null;
		this.#cancel();
		this.#setState('current');
	}

	#plan(): void {
		if (!this.#pending) return this.#setState('current');
		if (!this.#idle) {
			this.#cancel();
			return this.#setState('waiting');
		}
		if (this.#timer === null && !this.#checking) this.#schedule(Math.max(this.#o.delayMs(), this.#holdUntil - this.#o.now()));
		this.#setState('scheduled');
	}

	#schedule(ms: number): void {
		this.#cancel();
		this.#timer = this.#o.setTimer(() => void this.#fire(), Math.max(0, ms));
	}

	#cancel(): void {
		if (this.#timer !== null) this.#o.clearTimer(this.#timer);
		this.#timer = null;
	}

	async #fire(): Promise<void> {
		this.#timer = null;
		if (this.#disposed || !this.#pending || !this.#idle) return this.#plan();
		const now = this.#o.now();
		const quietAt = this.#lastTouch + this.#o.quietMs;
		if (now < quietAt) return this.#schedule(quietAt - now);
		if (now < this.#holdUntil) return this.#schedule(this.#holdUntil - now);
		this.#checking = true;
		const served = await this.#o.check().catch(() => false);
		this.#checking = false;
		if (this.#disposed || !this.#pending) return;
		// Busy again while asking: wait for the next idle moment.
		if (!this.#idle) return this.#plan();
		if (!served) {
			this.#o.log?.('release: the new build is not served yet; trying again later');
			return this.#schedule(this.#o.retryMs);
		}
		try {
			this.#o.storage?.setItem(GUARD_KEY, JSON.stringify({ from: this.#o.current, at: this.#o.now() }));
		} catch {
			// Storage may be full or unavailable; the reload still goes ahead.
		}
		this.#o.log?.(`release: reloading into ${this.#target ?? 'the new build'}`);
		this.#setState('reloading');
		this.#o.reload();
	}

	#readGuard(): { from: string; at: number } | null {
		try {
			const v = JSON.parse(this.#o.storage?.getItem(GUARD_KEY) ?? 'null') as unknown;
			if (v && typeof v === 'object' && typeof (v as { from?: unknown }).from === 'string' && typeof (v as { at?: unknown }).at === 'number')
				return v as { from: string; at: number };
		} catch {
			// An unreadable guard is no guard.
		}
		return null;
	}

	#setState(s: ReloadState): void {
		if (s === this.#state) return;
		this.#state = s;
		this.#o.onState?.(s);
	}
}
