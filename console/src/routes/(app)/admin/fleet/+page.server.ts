import { commandKiosk, fleet } from '$platform/fleet/fleet.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => ({ ...(await fleet(actor)), at: new Date() }));
};

export const actions: Actions = {
	command: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		try {
			const r = await commandKiosk(actor, field(form, 'accountId'), field(form, 'command'));
			return { sent: field(form, 'command'), endedCalls: r.endedCalls };
		} catch (e) {
			return failFrom(e);
		}
	}
};
