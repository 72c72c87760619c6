import { redirect } from '@sveltejs/kit';
import { signInAction } from '$platform/web/sign-in-action.ts';
import { enrolAction } from '$platform/enrolment/enrol-action.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	if (locals.actor) redirect(303, '/');
};

const password = signInAction('kiosk', () => '/');
const code = enrolAction();

// One action (SvelteKit allows no named action beside the default one): a form that
// carries a `code` field enrols by one-time code, any other signs in with a password.
export const actions: Actions = {
	default: async (event) => {
		const type = event.request.headers.get('content-type') ?? '';
		const probe = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)
			? await event.request
					.clone()
					.formData()
					.catch(() => null)
			: null;
		return probe?.has('code') ? code(event) : password(event);
	}
};
