import { getReportGroup, setReportGroupStatus } from '$platform/reports/reports.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => ({ ...(await getReportGroup(actor, event.params.groupId)), back: '/reports' }));
};

export const actions: Actions = {
	status: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		try {
			await setReportGroupStatus(actor, event.params.groupId, field(form, 'status'));
			return { saved: true };
		} catch (e) {
			return failFrom(e);
		}
	}
};
