import { callHistory, parseHistoryFilter } from '$platform/history/history.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => {
		const q = parseHistoryFilter(event.url.searchParams);
		const page = await callHistory(actor, q);
		return { ...page, filter: { from: q.from ?? '', to: q.to ?? '', kiosk: q.kioskLoginId ?? '', concierge: q.conciergeLoginId ?? '', outcome: q.outcome ?? '' } };
	});
};
