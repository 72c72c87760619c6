import { historyCsv, parseHistoryFilter } from '$platform/history/history.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** The filtered call history as CSV, streamed. */
export const GET: RequestHandler = async (event) => {
	const actor = requireRole(event, ['admin']);
	const body = await httpCall(async () => historyCsv(actor, parseHistoryFilter(event.url.searchParams)));
	return new Response(body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="calls-${new Date().toISOString().slice(0, 10)}.csv"`,
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff'
		}
	});
};
