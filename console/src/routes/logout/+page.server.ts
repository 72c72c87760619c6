import { redirect } from '@sveltejs/kit';
import { signOutAction } from '$platform/web/sign-in-action.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');
export const actions: Actions = { default: signOutAction('console') };
