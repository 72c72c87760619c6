import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** Who this session is. 401 once the session is gone (signed out, expired, disabled). */
export const GET: RequestHandler = (event) => {
	const actor = requireRole(event, ['concierge', 'admin', 'operator']);
	return json({ loginId: actor.loginId, displayName: actor.displayName, role: actor.role, tenant: event.locals.tenant });
};
