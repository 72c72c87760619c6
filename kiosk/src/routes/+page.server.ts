import { requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => {
	const actor = requireRole(event, ['kiosk']);
	return { kiosk: { name: actor.displayName, loginId: actor.loginId }, store: event.locals.tenant?.name ?? '' };
};
