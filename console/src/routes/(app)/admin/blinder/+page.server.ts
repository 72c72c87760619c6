import { getPrivacyPolicy, setPrivacyPolicy } from '$platform/calls/index.ts';
import { Invalid } from '$platform/errors.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

/** The tenant's privacy policy: regions hidden on every kiosk share, and end-to-end encryption. */
export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => ({ policy: await getPrivacyPolicy(actor) }));
};

/** "x, y, w, h" per line, in percent of the screen -> fractions (validated again in platform). */
function parseLines(text: string): unknown[] {
	return text
		.split('\n')
		.map((l) => l.trim())
		.filter(Boolean)
		.map((l) => {
			const n = l.split(/[\s,]+/).map(Number);
			if (n.length !== 4 || n.some((v) => !Number.isFinite(v))) throw new Invalid('bad_regions', `"${l.slice(0, 40)}" is not four numbers (left, top, width, height in %).`);
			return { x: n[0]! / 100, y: n[1]! / 100, w: n[2]! / 100, h: n[3]! / 100 };
		});
}

export const actions: Actions = {
	save: async (event) => {
		const actor = requireRole(event, ['admin']);
		const form = await readForm(event.request);
		if (!(form instanceof FormData)) return form;
		const regions = field(form, 'regions') ?? '';
		try {
			await setPrivacyPolicy(actor, { blinderRegions: parseLines(regions), e2ee: field(form, 'e2ee') === 'on' });
			return { saved: true };
		} catch (e) {
			return failFrom(e, { regions });
		}
	}
};
