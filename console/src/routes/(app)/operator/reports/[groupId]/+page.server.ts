import { getReportGroupForOperator } from '$platform/operator/operator.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = { ...requireRole(event, ['operator']), ip: event.getClientAddress() };
	return httpCall(async () => ({ ...(await getReportGroupForOperator(actor, event.params.groupId)), back: '/operator/reports' }));
};
