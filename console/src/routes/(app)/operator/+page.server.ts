import { findAccountForOperator, listTenantsForOperator } from '$platform/operator/operator.ts';
import { parseLoginId } from '$platform/accounts/sign-in.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['operator']);
	const raw = event.url.searchParams.get('loginId');
	const loginId = raw ? parseLoginId(raw) : null;
	return httpCall(async () => ({
		tenants: await listTenantsForOperator(actor),
		query: raw ?? '',
		queryValid: raw === null || loginId !== null,
		hit: loginId ? await findAccountForOperator(actor, loginId) : null
	}));
};
