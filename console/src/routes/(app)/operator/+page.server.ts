import { findAccountForOperator, listTenantsForOperator } from '$platform/operator/operator.ts';
import { createTenantWithAdmin, searchPlatform, setTenantSuspended } from '$platform/operator/tenant-admin.ts';
import { parseLoginId } from '$platform/accounts/sign-in.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['operator']);
	const raw = event.url.searchParams.get('loginId');
	const loginId = raw ? parseLoginId(raw) : null;
	const q = event.url.searchParams.get('q');
	return httpCall(async () => ({
		tenants: await listTenantsForOperator(actor),
		query: raw ?? '',
		queryValid: raw === null || loginId !== null,
		hit: loginId ? await findAccountForOperator(actor, loginId) : null,
		search: q ?? '',
		found: q ? await searchPlatform(actor, q) : null
	}));
};

export const actions: Actions = {
	createTenant: async (event) => {
		const actor = requireRole(event, ['operator']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		const refill = {
			slug: field(form, 'slug') ?? '',
			name: field(form, 'name') ?? '',
			loginPrefix: field(form, 'loginPrefix') ?? '',
			adminLoginId: field(form, 'adminLoginId') ?? '',
			adminName: field(form, 'adminName') ?? ''
		};
		try {
			const r = await createTenantWithAdmin(actor, { ...refill, adminPassword: field(form, 'adminPassword') });
			return { created: r.adminLoginId };
		} catch (e) {
			return failFrom(e, { create: refill });
		}
	},
	suspend: async (event) => {
		const actor = requireRole(event, ['operator']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		try {
			const r = await setTenantSuspended(actor, field(form, 'tenantId'), field(form, 'suspend') === '1', field(form, 'reason'));
			return { suspended: r };
		} catch (e) {
			return failFrom(e);
		}
	}
};
