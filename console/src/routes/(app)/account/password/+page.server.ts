import { fail, redirect } from '@sveltejs/kit';
import { changePassword } from '$platform/accounts/accounts.ts';
import { deleteSessionCookie } from '$platform/web/hooks.ts';
import { readForm } from '$platform/web/http.ts';
import { takePasswordAttempt } from '$platform/web/sign-in-action.ts';
import { failFrom, field, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ expired: url.searchParams.has('expired') });

export const actions: Actions = {
	default: async (event) => {
		const actor = requireRole(event, ['concierge', 'admin', 'operator']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		// The current-password check is a password check like sign-in: same per-address limit.
		if (!takePasswordAttempt(event)) return fail(429, { message: 'Too many attempts from this device. Wait a minute and try again.', code: 'rate_limited' });
		try {
			await changePassword(actor, { current: field(form, 'current'), next: field(form, 'next') });
		} catch (e) {
			return failFrom(e);
		}
		// Changing the password ends every session, this one included.
		deleteSessionCookie(event.cookies, 'console');
		redirect(303, '/login?changed=1');
	}
};
