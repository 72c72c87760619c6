/**
 * Keeps an admin page live over the admin stream (`/api/admin/events`): on every event
 * addressed to the tenant's admins (`fleet.changed`, `presence`) and on every
 * (re)connect's snapshot (events may have been missed while away, or between the
 * page's load and the stream's start), the page's data is read again, at most once
 * per REFRESH_MS. No polling: nothing is read while nothing changes.
 */
import { invalidateAll } from '$app/navigation';
import { navigating } from '$app/state';

const REFRESH_MS = 250;

/**
 * Read the page's data again, unless the admin is navigating: SvelteKit's `invalidateAll`
 * takes over from a navigation in flight and drops it (the click on a row's link did
 * nothing when a fleet event arrived during its load). A navigation reads fresh data
 * anyway, or leaves the page.
 */
export function refreshUnlessNavigating(refresh: () => Promise<void> = invalidateAll): Promise<void> {
	return navigating.to ? Promise.resolve() : refresh();
}
const EVENTS = ['fleet.changed', 'presence'] as const;

export class LiveAdminPage {
	#connected = $state(false);
	#source: EventSource | null = null;
	#timer: ReturnType<typeof setTimeout> | null = null;

	constructor(private readonly refresh: () => Promise<void> = invalidateAll) {}

	/** Whether the stream is open now (the page says "live" or "reconnecting"). */
	get connected(): boolean {
		return this.#connected;
	}

	/** Open the stream; returns the function that closes it (an $effect's cleanup). */
	start(): () => void {
		const source = new EventSource('/api/admin/events');
		this.#source = source;
		const changed = () => {
			this.#timer ??= setTimeout(() => {
				this.#timer = null;
				void refreshUnlessNavigating(this.refresh);
			}, REFRESH_MS);
		};
		source.addEventListener('snapshot', () => {
			this.#connected = true;
			changed();
		});
		for (const type of EVENTS) source.addEventListener(type, changed);
		source.addEventListener('error', () => {
			this.#connected = false;
		});
		return () => this.stop();
	}

	stop(): void {
		this.#source?.close();
		this.#source = null;
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		this.#connected = false;
	}
}
