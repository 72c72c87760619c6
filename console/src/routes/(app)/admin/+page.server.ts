import { createAccount } from '$platform/accounts/accounts.ts';
import { parseAccountQuery, searchAccounts } from '$platform/accounts/manage.ts';
import { readAuditLog } from '$platform/audit/audit-log.ts';
import { getTenant } from '$platform/tenants/tenants.ts';
import { issueEnrolmentCode, liveEnrolmentCodes, revokeEnrolmentCode } from '$platform/enrolment/enrolment.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => {
		const query = parseAccountQuery(event.url.searchParams);
		const [accounts, audit, tenant, codes] = await Promise.all([searchAccounts(actor, query), readAuditLog(actor, 50), getTenant(actor), liveEnrolmentCodes(actor)]);
		return {
			accounts,
			query: { q: query.q ?? '', role: query.role ?? '', state: query.state ?? '' },
			audit,
			policy: tenant,
			liveCodes: Object.fromEntries([...codes].map(([id, c]) => [id, c.expiresAt.toISOString()]))
		};
	});
};

export const actions: Actions = {
	create: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request, { loginId: '', displayName: '', role: '' });
		if (!(form instanceof FormData)) return form;
		const refill = { loginId: field(form, 'loginId') ?? '', displayName: field(form, 'displayName') ?? '', role: field(form, 'role') ?? '' };
		try {
			const created = await createAccount(actor, { ...refill, password: field(form, 'password') });
			return { created: created.loginId };
		} catch (e) {
			return failFrom(e, refill);
		}
	},
	issueCode: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		try {
			const issued = await issueEnrolmentCode(actor, field(form, 'accountId'));
			return { enrolment: { accountId: field(form, 'accountId'), loginId: issued.loginId, code: issued.code, expiresAt: issued.expiresAt.toISOString() } };
		} catch (e) {
			return failFrom(e);
		}
	},
	revokeCode: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		try {
			await revokeEnrolmentCode(actor, field(form, 'accountId'));
			return { revoked: true };
		} catch (e) {
			return failFrom(e);
		}
	}
};
