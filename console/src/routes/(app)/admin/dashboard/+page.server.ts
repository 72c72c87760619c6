import { dashboard, parseHistoryFilter } from '$platform/history/history.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => {
		const q = parseHistoryFilter(event.url.searchParams);
		// Without dates: the last 30 days.
		const from = q.from ?? (q.to ? null : new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10));
		const figures = await dashboard(actor, { ...q, from });
		return { figures, filter: { from: from ?? '', to: q.to ?? '' } };
	});
};
