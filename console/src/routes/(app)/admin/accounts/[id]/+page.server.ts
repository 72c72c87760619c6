import { accountDetail, archiveAccount, editDisplayName, resetPassword, setConciergePhoto } from '$platform/accounts/manage.ts';
import { readForm } from '$platform/web/http.ts';
import { failFrom, field, httpCall, requireRole } from '$lib/server/http.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireRole(event, ['admin']);
	return httpCall(async () => {
		const account = await accountDetail(actor, event.params.id);
		return { account, isMe: account.id === actor.accountId };
	});
};

const act = (run: (actor: ReturnType<typeof requireRole>, form: FormData, id: string) => Promise<Record<string, unknown>>) => async (event: Parameters<Actions[string]>[0]) => {
	const actor = requireRole(event, ['admin']);
	const form = await readForm(event.request);
	if (!(form instanceof FormData)) return form;
	try {
		return await run(actor, form, event.params.id!);
	} catch (e) {
		return failFrom(e, { form: field(form, 'which') ?? '' });
	}
};

export const actions: Actions = {
	rename: act(async (actor, form, id) => {
		await editDisplayName(actor, id, field(form, 'displayName'));
		return { done: 'Display name saved.' };
	}),
	reset: act(async (actor, form, id) => {
		const r = await resetPassword(actor, id, field(form, 'password'));
		return { done: r.mustChange ? 'Password reset. It must be changed at the next sign-in; every session of the account was ended.' : 'Password reset; the kiosk was signed out.' };
	}),
	archive: act(async (actor, form, id) => {
		const r = await archiveAccount(actor, id, field(form, 'confirmLoginId') ?? '');
		return { done: r.freed ? 'Archived; its login ID is free for a new account.' : 'Archived. Its history is kept; the login ID stays reserved.' };
	}),
	photo: act(async (actor, form, id) => {
		const f = form.get('photo');
		await setConciergePhoto(actor, id, field(form, 'remove') === '1' ? null : f instanceof Blob ? f : new Blob([]));
		return { done: 'Photo saved.' };
	})
};
