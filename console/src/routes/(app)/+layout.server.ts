import { requireRole } from '$lib/server/http.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = (event) => {
	const actor = requireRole(event, ['concierge', 'admin', 'operator']);
	return {
		me: { loginId: actor.loginId, displayName: actor.displayName, role: actor.role },
		tenant: event.locals.tenant
	};
};
