import { redirect } from '@sveltejs/kit';
import { signInAction } from '$platform/web/sign-in-action.ts';
import { landingFor } from '$lib/landing.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	if (locals.actor) redirect(303, landingFor(locals.actor.role));
};

export const actions: Actions = { default: signInAction('console', landingFor) };
