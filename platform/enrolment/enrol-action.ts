/**
 * The kiosk sign-in screen's "enrol with a code" action: parse the form, call
 * enrolKiosk, set the kiosk cookie, go to standby; or fail with the login ID refilled.
 */
import { fail, redirect, type Action, type RequestEvent } from '@sveltejs/kit';
import { failFrom, field, readForm } from '../web/http.ts';
import { clientIp, setSessionCookie } from '../web/hooks.ts';
import { takePasswordAttempt } from '../web/sign-in-action.ts';
import { enrolKiosk } from './enrolment.ts';

export function enrolAction(): Action {
	return async (event: RequestEvent) => {
		const form = await readForm(event.request, { loginId: '', mode: 'code' });
		if (!(form instanceof FormData)) return form;
		const loginId = (field(form, 'loginId') ?? '').slice(0, 64);
		// Shares the per-address bucket of password checks: a guesser gains nothing by switching.
		if (!takePasswordAttempt(event))
			return fail(429, { message: 'Too many sign-in attempts from this device. Wait a minute and try again.', code: 'rate_limited', loginId, mode: 'code' });
		let result;
		try {
			result = await enrolKiosk({ loginId: field(form, 'loginId'), code: field(form, 'code') }, { ip: clientIp(event), userAgent: event.request.headers.get('user-agent') });
		} catch (e) {
			return failFrom(e, { loginId, mode: 'code' });
		}
		setSessionCookie(event.cookies, 'kiosk', result.token, result.expiresAt);
		redirect(303, '/');
	};
}
