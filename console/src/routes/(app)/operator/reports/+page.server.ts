import { listReportGroupsForOperator } from '$platform/operator/operator.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = { ...requireRole(event, ['operator']), ip: event.getClientAddress() };
	return httpCall(async () => ({ groups: await listReportGroupsForOperator(actor), base: '/operator/reports', operator: true }));
};
