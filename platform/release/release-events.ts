/**
 * Browser-side: the page learns that the server runs another build. The event feed
 * (platform/client/event-feed.ts) announces the version every stream sends on
 * connect as a `concierge:release` window event, so whoever decides what to do
 * about it (the kiosk's reload policy, the console's notice) listens here without
 * holding the feed.
 */
import type { ReleaseNotice } from '../calls/contract.ts';
import { cleanVersion } from './version.ts';

export const RELEASE_EVENT = 'concierge:release';

/** Tell the page which build the server runs (an invalid id is dropped). */
export function announceRelease(notice: unknown): void {
	const version = cleanVersion((notice as Partial<ReleaseNotice> | null)?.version);
	if (!version || typeof window === 'undefined') return;
	window.dispatchEvent(new CustomEvent<ReleaseNotice>(RELEASE_EVENT, { detail: { version } }));
}

/** Listen to the server's announced version. Returns the function that stops listening. */
export function onRelease(fn: (version: string) => void): () => void {
	const listener = (e: Event) => {
		const version = cleanVersion((e as CustomEvent<ReleaseNotice>).detail?.version);
		if (version) fn(version);
	};
	window.addEventListener(RELEASE_EVENT, listener);
	return () => window.removeEventListener(RELEASE_EVENT, listener);
}
