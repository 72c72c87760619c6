/**
 * The sign-in form action and sign-out, shared by kiosk and console: parse the
 * form, call platform, set or clear the cookie, redirect or fail with the login
 * ID filled in again.
 */
import { fail, redirect, type Action, type RequestEvent } from '@sveltejs/kit';
import { signIn } from '../accounts/sign-in.ts';
import { leaveOnSignOut } from '../calls/index.ts';
import { config } from '../config.server.ts';
import { db } from '../db.server.ts';
import { publishSessionEnded } from '../events/events.ts';
import { logError } from '../log.ts';
import { invalidateSession } from '../sessions/sessions.ts';
import type { AppName, Role } from '../types.ts';
import { failFrom, field, readForm } from './http.ts';
import { clientIp, deleteSessionCookie, safeNext, setSessionCookie } from './hooks.ts';
import { TokenBucket, ipKey } from './rate-limit.ts';

let perIp: TokenBucket | null = null;

/**
 * The per-address limit on password checks (sign-in, change password): one bucket
 * per IPv4 address or IPv6 /64 (ipKey). Behind a proxy the address is the one
 * adapter-node reads from ADDRESS_HEADER/XFF_DEPTH (docs/operations.md).
 */
export function takePasswordAttempt(event: RequestEvent): boolean {
	perIp ??= new TokenBucket(config().signInPerMinute, config().signInPerMinute / 60);
	return perIp.take(ipKey(clientIp(event)));
}

export function signInAction(app: AppName, landing: (role: Role) => string): Action {
	return async (event: RequestEvent) => {
		const form = await readForm(event.request, { loginId: '' });
		if (!(form instanceof FormData)) return form;
		const loginId = field(form, 'loginId') ?? '';
		const ip = clientIp(event);
		if (!takePasswordAttempt(event)) return fail(429, { message: 'Too many sign-in attempts from this device. Wait a minute and try again.', code: 'rate_limited', loginId });
		let result;
		try {
			result = await signIn(app, { loginId: field(form, 'loginId'), password: field(form, 'password') }, { ip, userAgent: event.request.headers.get('user-agent') });
		} catch (e) {
			return failFrom(e, { loginId: loginId.slice(0, 64) });
		}
		setSessionCookie(event.cookies, app, result.token, result.expiresAt);
		if (result.passwordExpired) redirect(303, '/account/password?expired=1');
		redirect(303, safeNext(event.url.searchParams.get('next'), landing(result.role), event.url.origin));
	};
}

export function signOutAction(app: AppName): Action {
	return async ({ locals, cookies }) => {
		if (locals.actor && locals.session) {
			// A concierge signing out mid-call ends the call for the kiosk and goes offline.
			await leaveOnSignOut(locals.actor).catch((e) => logError('sign-out', 'ending live calls failed', e, { accountId: locals.actor?.accountId }));
			await invalidateSession(locals.actor, locals.session.id);
			await publishSessionEnded(db(), locals.actor, locals.session.id, 'signed_out');
		}
		deleteSessionCookie(cookies, app);
		redirect(303, '/login');
	};
}
