/**
 * The app's build version (issue 10, item 7; issue 11, item 1).
 *
 * Each build has one version id: SvelteKit's `kit.version.name`, set from APP_VERSION
 * at build time (svelte.config.js; a unique default otherwise). The browser reads it
 * from `$app/environment`, the server registers it at start-up (each app's
 * hooks.server.ts calls setServerVersion), and the event stream announces it on every
 * connect (platform/events/stream.ts), so a client that reconnects to a new release
 * learns of it at once. A kiosk also reports its own version when it opens its stream
 * (`/api/events?v=…`) for the fleet view.
 *
 * Browser-safe: no secrets, no connections.
 */

/** What a version id may look like: letters, digits and `._+-`, at most 64 characters. */
export const VERSION_PATTERN = /^[\w.+-]{1,64}$/;

/** A version id as given, or null when it is not one (wrong type, too long, other characters). */
export function cleanVersion(v: unknown): string | null {
	return typeof v === 'string' && VERSION_PATTERN.test(v) ? v : null;
}

let current: string | null = null;

/** Record this process's build version (each app's hooks.server.ts, once at start-up). An invalid id is refused. */
export function setServerVersion(v: string): void {
	const clean = cleanVersion(v);
	if (!clean) throw new Error(`invalid app version ${JSON.stringify(v.slice(0, 80))}: letters, digits and ._+- only, at most 64 characters`);
	current = clean;
}

/** This process's build version, or null when none was registered (the worker, tests without an app). */
export function serverVersion(): string | null {
	return current;
}
