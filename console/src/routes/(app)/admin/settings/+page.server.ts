import { readPolicies, setStaffPin, updatePolicies } from '$platform/policies/policies.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => ({ policy: await readPolicies(actor), myIp: actor.ip ?? null }));
};

export const actions: Actions = {
	save: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		const input: Record<string, unknown> = {};
		for (const [k, v] of form) if (typeof v === 'string') input[k] = v;
		try {
			const r = await updatePolicies(actor, input);
			return { saved: true, revokedSessions: r.revokedSessions };
		} catch (e) {
			return failFrom(e, { input });
		}
	},
	pin: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		try {
			const set = await setStaffPin(actor, field(form, 'pin'));
			return { pinSaved: set ? 'set' : 'removed' };
		} catch (e) {
			return failFrom(e, { pinForm: true });
		}
	}
};
