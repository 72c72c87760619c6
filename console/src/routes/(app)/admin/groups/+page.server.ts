import { assignKiosk, createGroup, deleteGroup, groupsPage, setGroupConcierges, updateGroup } from '$platform/groups/groups.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(() => groupsPage(actor));
};

export const actions: Actions = {
	create: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request, { form: 'create' });
		if (!(form instanceof FormData)) return form;
		const refill = { form: 'create', name: field(form, 'name') ?? '', overflowSeconds: field(form, 'overflowSeconds') ?? '' };
		try {
			const g = await createGroup(actor, { name: field(form, 'name'), overflowSeconds: field(form, 'overflowSeconds') });
			return { saved: 'created', groupId: g.id };
		} catch (e) {
			return failFrom(e, refill);
		}
	},
	update: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		const groupId = field(form, 'groupId');
		try {
			await updateGroup(actor, groupId, { name: field(form, 'name'), overflowSeconds: field(form, 'overflowSeconds') });
			return { saved: 'updated', groupId };
		} catch (e) {
			return failFrom(e, { groupId });
		}
	},
	delete: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		try {
			await deleteGroup(actor, field(form, 'groupId'));
			return { saved: 'deleted' };
		} catch (e) {
			return failFrom(e);
		}
	},
	members: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		const groupId = field(form, 'groupId');
		try {
			await setGroupConcierges(actor, groupId, form.getAll('conciergeId'));
			return { saved: 'members', groupId };
		} catch (e) {
			return failFrom(e, { groupId });
		}
	},
	kiosk: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		const kioskId = field(form, 'kioskId');
		try {
			await assignKiosk(actor, kioskId, field(form, 'groupId') ?? null);
			return { saved: 'kiosk', kioskId };
		} catch (e) {
			return failFrom(e, { kioskId });
		}
	}
};
