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
import { failFrom, field } from './http.ts';
import { clientIp, deleteSessionCookie, safeNext, setSessionCookie } from './hooks.ts';
import { TokenBucket } from './rate-limit.ts';

let perIp: TokenBucket | null = null;

export function signInAction(app: AppName, landing: (role: Role) => string): Action {
	return async (event: RequestEvent) => {
		perIp ??= new TokenBucket(config().signInPerMinute, config().signInPerMinute / 60);
		const form = await event.request.formData().catch(() => null);
		if (!form) return fail(400, { message: 'The form could not be read. Please try again.', code: 'bad_form', loginId: '' });
		const loginId = field(form, 'loginId') ?? '';
		const ip = clientIp(event);
		if (!perIp.take(ip ?? 'unknown')) return fail(429, { message: 'Too many sign-in attempts from this device. Wait a minute and try again.', code: 'rate_limited', loginId });
		let result;
		try {
			result = await signIn(app, { loginId: field(form, 'loginId'), password: field(form, 'password') }, { ip, userAgent: event.request.headers.get('user-agent') });
		} catch (e) {
			return failFrom(e, { loginId: loginId.slice(0, 64) });
		}
		setSessionCookie(event.cookies, app, result.token, result.expiresAt);
		if (result.passwordExpired) redirect(303, '/account/password?expired=1');
		redirect(303, safeNext(event.url.searchParams.get('next'), landing(result.role)));
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
