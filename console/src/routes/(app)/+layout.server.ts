import { redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/http.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = (event) => {
	const actor = requireRole(event, ['concierge', 'admin', 'operator']);
	if (event.locals.session?.passwordExpired && event.url.pathname !== '/account/password') redirect(303, '/account/password?expired=1');
	return {
		me: { loginId: actor.loginId, displayName: actor.displayName, role: actor.role },
		tenant: event.locals.tenant
	};
};
