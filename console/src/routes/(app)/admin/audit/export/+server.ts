import { auditCsv, parseAuditFilter } from '$platform/audit/audit-log.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** The filtered audit log as CSV, streamed. */
export const GET: RequestHandler = async (event) => {
	const actor = requireRole(event, ['admin']);
	const body = await httpCall(async () => auditCsv(actor, parseAuditFilter(event.url.searchParams)));
	const day = new Date().toISOString().slice(0, 10);
	return new Response(body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="audit-log-${day}.csv"`,
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff'
		}
	});
};
