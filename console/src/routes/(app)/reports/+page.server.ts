import { listReportGroups } from '$platform/reports/reports.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => ({ groups: await listReportGroups(actor), base: '/reports', operator: false }));
};
