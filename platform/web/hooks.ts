/**
 * The server hooks both apps chain with `sequence`: request id and body limit,
 * then session. Each app's hooks.server.ts is three lines over these.
 */
import { error, redirect, type Cookies, type Handle, type HandleServerError, type RequestEvent } from '@sveltejs/kit';
import { config } from '../config.server.ts';
import { validateSessionToken } from '../sessions/sessions.ts';
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

/** Request id for logs, and the body-size limit checked before anything reads a body. */
export const requestContext: Handle = async ({ event, resolve }) => {
	event.locals.requestId = event.request.headers.get('x-request-id')?.slice(0, 64).replace(/[^\w.-]/g, '') || crypto.randomUUID();
	const length = Number(event.request.headers.get('content-length') ?? 0);
	if (length > config().bodyLimitBytes) {
		error(413, { message: 'The request is too large.', code: 'too_large' });
	}
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
	if (status >= 500) console.error(JSON.stringify({ level: 'error', requestId, method: event.request.method, path: event.url.pathname, status, error: e instanceof Error ? e.stack : String(e) }));
	return {
		message: status >= 500 ? 'Something went wrong on our side. Please try again; if it keeps happening, tell your administrator.' : message,
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
	if (!actor) {
		if (api) error(401, { message: 'Please sign in.', code: 'unauthenticated' });
		redirect(303, `/login?next=${encodeURIComponent(event.url.pathname)}`);
	}
	if (!roles.includes(actor.role)) error(403, { message: 'Your account cannot open this page.', code: 'forbidden' });
	return actor;
}

/** A same-app path to go to after sign-in, or the fallback (never an open redirect). */
export function safeNext(next: string | null, fallback: string): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
	return next;
}
