import { auditPageView } from '$platform/audit/audit-log.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['operator']);
	return httpCall(() => auditPageView(actor, event.url.searchParams));
};
