import { json, type RequestHandler } from '@sveltejs/kit';
import { disableAccount, enableAccount } from '$platform/accounts/disable.ts';
import { httpCall, readJsonObject, requireRole } from './http.ts';

/** POST { loginId, reason? } → the account's new state. Admins: own tenant; operators: any. */
export function accountStateHandler(disable: boolean): RequestHandler {
	return async (event) => {
		const actor = requireRole(event, ['admin', 'operator']);
		const body = await readJsonObject(event.request, 4096);
		const r = await httpCall(() => (disable ? disableAccount(actor, body.loginId, body.reason) : enableAccount(actor, body.loginId)));
		return json({ loginId: r.loginId, role: r.role, disabled: r.disabled, changed: r.changed, revokedSessions: r.revokedSessions });
	};
}
