import { conciergePhoto } from '$platform/accounts/manage.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/** A concierge's photo, to anyone signed in to the console of the same tenant; always an image type we checked, never SVG. */
export const GET: RequestHandler = async (event) => {
	const actor = requireRole(event, ['concierge', 'admin']);
	const p = await httpCall(() => conciergePhoto(actor, event.params.id));
	return new Response(Buffer.from(p.photo), {
		headers: {
			'content-type': p.type,
			'content-length': String(p.photo.length),
			'x-content-type-options': 'nosniff',
			'content-disposition': 'inline; filename="photo"',
			'cache-control': 'private, max-age=300',
			'last-modified': p.updatedAt.toUTCString()
		}
	});
};
