import { redirect } from '@sveltejs/kit';
import { changePassword } from '$platform/accounts/accounts.ts';
import { deleteSessionCookie } from '$platform/web/hooks.ts';
import { failFrom, field, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ expired: url.searchParams.has('expired') });

export const actions: Actions = {
	default: async (event) => {
		const actor = requireRole(event, ['concierge', 'admin', 'operator']);
		const form = await event.request.formData();
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
