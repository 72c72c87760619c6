import { redirect } from '@sveltejs/kit';
import { landingFor } from '$lib/landing.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
	const { me } = await parent();
	if (me.role !== 'concierge') redirect(303, landingFor(me.role));
	return {};
};
