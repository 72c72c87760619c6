import { requireRole } from '$lib/server/http.ts';
import { getPreferredLocale } from '$platform/accounts/language.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
	const actor = requireRole(event, ['concierge', 'admin', 'operator']);
	return {
		locale: await getPreferredLocale(actor),
		me: { loginId: actor.loginId, displayName: actor.displayName, role: actor.role },
		tenant: event.locals.tenant
	};
};
