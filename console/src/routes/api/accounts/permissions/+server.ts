import { json, type RequestHandler } from '@sveltejs/kit';
import { setSharePermissions } from '$platform/accounts/permissions.ts';
import { httpCall, readJsonObject, requireRole } from '$lib/server/http.ts';

/** POST { loginId, canShareScreen?, canViewKioskScreen? } → the concierge's permissions. Admins: own tenant; operators: any. */
export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['admin', 'operator']);
	const body = await readJsonObject(event.request, 4096);
	const r = await httpCall(() => setSharePermissions(actor, body.loginId, { canShareScreen: body.canShareScreen, canViewKioskScreen: body.canViewKioskScreen }));
	return json({ loginId: r.loginId, canShareScreen: r.canShareScreen, canViewKioskScreen: r.canViewKioskScreen, changed: r.changed });
};
