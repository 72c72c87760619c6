import { AUDIT_KINDS, auditPage, parseAuditFilter } from '$platform/audit/audit-log.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['operator']);
	return httpCall(async () => {
		const f = parseAuditFilter(event.url.searchParams);
		const page = await auditPage(actor, f, f.before);
		return { ...page, filter: { kind: f.kind ?? '', account: f.loginId ?? '', from: f.from ?? '', to: f.to ?? '' }, kinds: AUDIT_KINDS };
	});
};
