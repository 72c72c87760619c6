/**
 * The server hooks both apps chain with `sequence`: request id and body limit,
 * then session. Each app's hooks.server.ts is three lines over these.
 */
import { error, json, redirect, type Cookies, type Handle, type HandleServerError, type RequestEvent, type ServerInit } from '@sveltejs/kit';
import { ConfigError, config } from '../config.server.ts';
import { validateSessionToken, type SessionContext } from '../sessions/sessions.ts';
import type { Actor, AppName, Role } from '../types.ts';

export const cookieName = (app: AppName) => `${app}_session`;

export function setSessionCookie(cookies: Cookies, app: AppName, token: string, expiresAt: Date): void {
	cookies.set(cookieName(app), token, { path: '/', httpOnly: true, sameSite: 'lax', secure: config().cookieSecure, expires: expiresAt });
}

export function deleteSessionCookie(cookies: Cookies, app: AppName): void {
	cookies.delete(cookieName(app), { path: '/', httpOnly: true, sameSite: 'lax', secure: config().cookieSecure });
}

export function clientIp(event: RequestEvent): string | null {
	try {
		return event.getClientAddress();
	} catch {
		return null;
	}
}

/**
 * Runs once when the app starts (SvelteKit's `init` hook): a bad or missing
 * variable, or a development secret in production, stops the process here with
 * a message naming it, before it takes a request.
 */
export const checkConfigAtStart: ServerInit = () => {
	try {
		config();
	} catch (e) {
		if (e instanceof ConfigError) {
			console.error(`Refusing to start. ${e.message}`);
			process.exit(78);
		}
		throw e;
	}
};

/**
 * The plain rules the hooks below apply, shared with the lean handlers of the built
 * apps' server (platform/web/lean.ts), which serve a few hot paths without SvelteKit.
 */
export interface Refusal {
	status: number;
	body: { message: string; code: string };
}

/** The request id for logs: the caller's (cleaned) or a new one. */
export const requestIdFrom = (header: string | null | undefined): string => header?.slice(0, 64).replace(/[^\w.-]/g, '') || crypto.randomUUID();

/** A declared body over the apps' limit, refused before anything reads it. */
export function bodyLimitRefusal(contentLength: string | null | undefined): Refusal | null {
	if (Number(contentLength ?? 0) > config().bodyLimitBytes) return { status: 413, body: { message: 'The request is too large.', code: 'too_large' } };
	return null;
}

/** The refusal of an /api/ request by its session: not signed in, or not one of the roles. */
export function apiRoleRefusal(actor: Actor | null, roles: readonly Role[]): Refusal | null {
	if (!actor) return { status: 401, body: { message: 'Please sign in.', code: 'unauthenticated' } };
	if (!roles.includes(actor.role)) return { status: 403, body: { message: 'Your account cannot open this page.', code: 'forbidden' } };
	return null;
}

/** What an /api/ request of a session with an expired password gets (apps with passwordExpiryGuard). */
export const PASSWORD_EXPIRED: Refusal = { status: 403, body: { message: 'Your password has expired. Change it first.', code: 'password_expired' } };

/** A Set-Cookie value equal to what setSessionCookie (token) or deleteSessionCookie (null) sends. */
export function sessionCookieHeader(app: AppName, token: string | null, expiresAt?: Date): string {
	// The attribute order of the `cookie` package SvelteKit serializes with (Max-Age, Path, Expires, HttpOnly, Secure, SameSite).
	const secure = config().cookieSecure ? '; Secure' : '';
	if (token === null) return `${cookieName(app)}=; Max-Age=0; Path=/; HttpOnly${secure}; SameSite=Lax`;
	return `${cookieName(app)}=${encodeURIComponent(token)}; Path=/; Expires=${expiresAt!.toUTCString()}; HttpOnly${secure}; SameSite=Lax`;
}

/** The session cookie's value from a Cookie header (the first one, as SvelteKit reads it). */
export function sessionCookieFrom(app: AppName, header: string | null | undefined): string | undefined {
	if (!header) return undefined;
	const name = cookieName(app);
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
		let v = part.slice(eq + 1).trim();
		if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
		try {
			return decodeURIComponent(v);
		} catch {
			return v;
		}
	}
	return undefined;
}

/** The session behind a cookie value, and the Set-Cookie to send (pushed-back expiry, or clearing a dead cookie). */
export async function sessionFromCookie(app: AppName, token: string | undefined, ip: string | null): Promise<{ ctx: SessionContext | null; setCookie: string | null }> {
	if (token === undefined) return { ctx: null, setCookie: null };
	const ctx = await validateSessionToken(token, app, ip);
	if (!ctx) return { ctx: null, setCookie: sessionCookieHeader(app, null) };
	return { ctx, setCookie: ctx.session.fresh ? sessionCookieHeader(app, token, ctx.session.expiresAt) : null };
}

/** The body of an unexpected error's answer (logUnexpected below and the lean handlers). */
export const INTERNAL_MESSAGE = 'Something went wrong on our side. Please try again; if it keeps happening, tell your administrator.';

/** Request id for logs, and the body-size limit checked before anything reads a body. */
export const requestContext: Handle = async ({ event, resolve }) => {
	event.locals.requestId = requestIdFrom(event.request.headers.get('x-request-id'));
	const tooLarge = bodyLimitRefusal(event.request.headers.get('content-length'));
	if (tooLarge) error(tooLarge.status, tooLarge.body);
	const response = await resolve(event);
	response.headers.set('x-request-id', event.locals.requestId);
	return response;
};

/** Sets locals.actor / locals.session from the app's cookie; clears cookies that are not a live session. */
export function sessionHandle(app: AppName): Handle {
	return async ({ event, resolve }) => {
		event.locals.actor = null;
		event.locals.session = null;
		event.locals.tenant = null;
		const token = event.cookies.get(cookieName(app));
		if (token !== undefined) {
			const ctx = await validateSessionToken(token, app, clientIp(event));
			if (ctx) {
				event.locals.actor = ctx.actor;
				event.locals.session = ctx.session;
				event.locals.tenant = ctx.tenant;
				if (ctx.session.fresh) setSessionCookie(event.cookies, app, token, ctx.session.expiresAt);
			} else {
				deleteSessionCookie(event.cookies, app);
			}
		}
		return resolve(event);
	};
}

/** Logs anything unexpected with the request id; the person sees a plain sentence and the id. */
export const logUnexpected: HandleServerError = ({ error: e, event, status, message }) => {
	const requestId = event.locals.requestId ?? 'none';
	if (status >= 500)
		console.error(JSON.stringify({ level: 'error', requestId, method: event.request.method, path: event.url.pathname, status, error: e instanceof Error ? e.stack : String(e) }));
	return {
		message: status >= 500 ? INTERNAL_MESSAGE : message,
		code: status >= 500 ? 'internal' : 'error',
		requestId
	};
};

/**
 * The one guard for pages and endpoints. Pages redirect to sign-in; endpoints
 * (paths under /api/) answer 401/403 with JSON.
 */
export function requireRole(event: Pick<RequestEvent, 'locals' | 'url'>, roles: readonly Role[]): Actor {
	const actor = event.locals.actor;
	const api = event.url.pathname.startsWith('/api/');
	if (!actor && !api) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname)}`);
	const refusal = apiRoleRefusal(actor, roles);
	if (refusal) error(refusal.status, refusal.body);
	return actor!;
}

/**
 * A same-app path to go to after sign-in, or the fallback (never an open redirect).
 * `next` is parsed against the app's own origin and must stay on it; anything with
 * control characters, whitespace or a backslash (which browsers read as a slash) is
 * refused before parsing, and the result must not start with `//` either (`/.//x`
 * parses to the path `//x`, which a browser reads as another host). The answer is
 * the parsed, percent-encoded path and query, so it is always a valid header value.
 */
export function safeNext(next: string | null, fallback: string, origin: string): string {
	if (!next || next.length > 2048 || !next.startsWith('/')) return fallback;
	// C0 and C1 controls, DEL, every Unicode space or line break, and backslash.
	if (/[\u0000-\u0020\u007f-\u00a0\\\s\u2028\u2029\ufeff]/u.test(next)) return fallback;
	let url: URL;
	try {
		url = new URL(next, origin);
	} catch {
		return fallback;
	}
	if (url.origin !== new URL(origin).origin) return fallback;
	const path = url.pathname + url.search;
	if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\') || !/^[\x21-\x7e]+$/.test(path)) return fallback;
	return path;
}

/**
 * Password expiry, enforced in one place for every route of the app: with an
 * expired password a session may only open the change-password page (and its
 * data and action), sign out, and load the app's static files. Anything under
 * /api/ answers 403 `password_expired`; other page requests are sent to the
 * change-password page; any other form post is refused, so no action runs.
 */
export function passwordExpiryGuard(changePath: string): Handle {
	const allowed = new Set([changePath, changePath + '/__data.json', '/logout', '/login', '/login/__data.json']);
	return async ({ event, resolve }) => {
		if (!event.locals.session?.passwordExpired) return resolve(event);
		const path = event.url.pathname;
		if (allowed.has(path) || path.startsWith('/_app/') || path === '/favicon.ico' || path === '/favicon.png' || path === '/robots.txt') return resolve(event);
		const body = PASSWORD_EXPIRED.body;
		const target = `${changePath}?expired=1`;
		if (path.startsWith('/api/')) return json(body, { status: 403, headers: { 'cache-control': 'no-store' } });
		const method = event.request.method;
		if (method === 'GET' || method === 'HEAD') return new Response(null, { status: 303, headers: { location: target } });
		// A form action posted by SvelteKit's enhance gets its redirect as an action result.
		if (event.request.headers.get('x-sveltekit-action') === 'true') return json({ type: 'redirect', status: 303, location: target }, { headers: { 'cache-control': 'no-store' } });
		const wantsHtml = (event.request.headers.get('accept') ?? '').includes('text/html');
		if (wantsHtml) return new Response(null, { status: 303, headers: { location: target } });
		return json(body, { status: 403 });
	};
}
