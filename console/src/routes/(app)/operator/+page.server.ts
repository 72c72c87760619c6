import { listTenantsForOperator } from '$platform/operator/operator.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['operator']);
	return httpCall(async () => ({ tenants: await listTenantsForOperator(actor) }));
};
