import { json } from '@sveltejs/kit';
import { setPreferredLocale } from '$platform/accounts/language.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** The signed-in person sets its own console language ({ locale: 'en' | 'ja' }). */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['concierge', 'admin', 'operator']);
	const body = await readJsonObject(event.request);
	return json({ locale: await httpCall(() => setPreferredLocale(actor, body.locale)) });
};
