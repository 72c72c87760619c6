import { getReportGroup } from '$platform/reports/reports.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => ({ ...(await getReportGroup(actor, event.params.groupId)), back: '/reports' }));
};
