import { systemHealth } from '$platform/operator/tenant-admin.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['operator']);
	return httpCall(async () => ({ checks: await systemHealth(actor), at: new Date() }));
};
