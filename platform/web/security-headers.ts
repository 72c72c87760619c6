/**
 * Security headers on every response the apps render (pages, endpoints, errors):
 * no framing, no MIME sniffing, no referrer to other sites, no caching of
 * signed-in pages or of anything under /api, and only our own origin may use the
 * camera, microphone and screen capture.
 *
 * The Content-Security-Policy itself comes from SvelteKit (`kit.csp` in the root
 * svelte.config.js), which adds a nonce or hash for each inline script it writes.
 * Only the LiveKit server's address is added here, at run time: it reaches the
 * browser in the answer to "accept" (platform/calls) from LIVEKIT_URL, which is
 * deployment configuration, not something fixed when the apps are built.
 *
 * It also reads away request bodies that no handler read (drainUnread below), so
 * an early refusal never leaves a kept-alive connection stuck.
 *
 * The lean handlers of the built apps' server send the same headers (apiSecurityHeaders)
 * and drain unread bodies the same way (platform/web/lean.ts).
 *
 * HSTS belongs to the TLS proxy in front of the apps (docs/operations.md): the
 * apps themselves speak plain HTTP behind it.
 */
import { isHttpError, json, type Handle } from '@sveltejs/kit';
import { config } from '../config.server.ts';
import type { AppName } from '../types.ts';

/** Both apps need the camera, microphone and screen capture (the kiosk's screen only after consent); nothing else. */
const PERMISSIONS: Record<AppName, string> = {
	kiosk: 'camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), autoplay=(self), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=()',
	console: 'camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), autoplay=(self), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=()'
};

/** For responses SvelteKit gives no policy (endpoints, JSON, bare error pages): nothing may load, nobody may frame it. */
const NO_CONTENT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The LiveKit server's origins for connect-src: the signalling WebSocket and its HTTP validate call. */
export function livekitSources(url: string): string[] {
	try {
		const u = new URL(url);
		if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return [];
		const http = u.protocol === 'wss:' ? 'https:' : 'http:';
		return [`${u.protocol}//${u.host}`, `${http}//${u.host}`];
	} catch {
		return [];
	}
}

/** connect-src of a policy with the given sources added (once each). */
export function withConnectSources(policy: string, sources: string[]): string {
	if (!sources.length) return policy;
	const parts = policy
		.split(';')
		.map((p) => p.trim())
		.filter(Boolean);
	const i = parts.findIndex((p) => /^connect-src(\s|$)/i.test(p));
	if (i === -1) return policy;
	const have = parts[i]!.split(/\s+/);
	parts[i] = [...have, ...sources.filter((s) => !have.includes(s))].join(' ');
	return parts.join('; ');
}

/** The headers every response gets, whatever it is. */
function fixedHeaders(app: AppName): [string, string][] {
	return [
		['x-content-type-options', 'nosniff'],
		['x-frame-options', 'DENY'],
		// same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on
		// same-origin form posts, which SvelteKit's CSRF check would refuse.
		['referrer-policy', 'same-origin'],
		['permissions-policy', PERMISSIONS[app]],
		['cross-origin-opener-policy', 'same-origin']
	];
}

/**
 * The headers apply() gives an /api/ response that has no policy of its own, as a
 * list: what the lean handlers of the built apps' server (platform/web/lean.ts) send.
 */
export function apiSecurityHeaders(app: AppName): [string, string][] {
	return [...fixedHeaders(app), ['content-security-policy', NO_CONTENT_CSP], ['cache-control', 'no-store']];
}

function apply(app: AppName, response: Response, api: boolean, signedIn: boolean): Response {
	let headers = response.headers;
	try {
		headers.set('x-content-type-options', 'nosniff');
	} catch {
		// Immutable headers (a Response passed through from fetch): copy once.
		response = new Response(response.body, response);
		headers = response.headers;
	}
	for (const [k, v] of fixedHeaders(app)) headers.set(k, v);
	const csp = headers.get('content-security-policy');
	if (csp) headers.set('content-security-policy', withConnectSources(csp, livekitSources(config().livekit.url)));
	else headers.set('content-security-policy', NO_CONTENT_CSP);
	if (api || signedIn || headers.has('set-cookie')) {
		headers.set('cache-control', 'no-store');
		headers.delete('expires');
	}
	return response;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const errorPage = (status: number, message: string) =>
	`<!doctype html><html><head><meta charset="utf-8"><title>${status}</title></head><body><h1>${status}</h1><p>${escapeHtml(message)}</p></body></html>`;

/**
 * Read and discard a request body nobody read (a 401 or 415 answered first, a
 * sign-out that needs no fields). adapter-node pauses the socket after the first
 * chunk until the body is read, so an unread body left the kept-alive connection
 * stuck: the next request on it waited for the server's keep-alive timeout and
 * was then reset. Draining runs after the answer is ready and does not delay it;
 * adapter-node's BODY_SIZE_LIMIT still bounds what is read.
 */
function drainUnread(request: Request): void {
	if (!request.body || request.bodyUsed) return;
	let reader: ReadableStreamDefaultReader<Uint8Array>;
	try {
		reader = request.body.getReader();
	} catch {
		return; // someone is reading it
	}
	void (async () => {
		try {
			while (!(await reader.read()).done);
		} catch {
			// Too large or cut off: adapter-node has already answered or will close the connection.
		}
	})();
}

/** The handle for one app; first in its hooks.server.ts sequence, so it also covers errors thrown by later handles. */
export function securityHeaders(app: AppName): Handle {
	return async ({ event, resolve }) => {
		const api = event.url.pathname.startsWith('/api/') || event.url.pathname === '/api';
		let response: Response;
		try {
			response = await resolve(event);
		} catch (e) {
			// A later handle refused the request (413 before a body is read, say): answer it here so it gets the headers too.
			if (!isHttpError(e)) throw e;
			const html = !api && (event.request.headers.get('accept') ?? '').includes('text/html');
			response = html
				? new Response(errorPage(e.status, e.body.message), { status: e.status, headers: { 'content-type': 'text/html; charset=utf-8' } })
				: json(e.body, { status: e.status });
		}
		drainUnread(event.request);
		return apply(app, response, api, !!event.locals.actor);
	};
}
