import { setTenantSuspended, tenantDrill } from '$platform/operator/tenant-admin.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['operator']);
	return httpCall(async () => tenantDrill(actor, event.params.id));
};

export const actions: Actions = {
	suspend: async (event) => {
		const actor = requireRole(event, ['operator']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		try {
			const r = await setTenantSuspended(actor, event.params.id, field(form, 'suspend') === '1', field(form, 'reason'));
			return { result: r };
		} catch (e) {
			return failFrom(e);
		}
	}
};
