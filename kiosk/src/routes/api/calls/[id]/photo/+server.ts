import { callConciergePhoto } from '$platform/calls/index.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

/**
 * The answering concierge's photo, for this call's own kiosk while the call is live
 * (platform/calls/photo.ts): 404 for another tenant's call or a call not in progress,
 * 403 for another kiosk's call. Always an image type checked at upload, never SVG.
 */
export const GET: RequestHandler = async (event) => {
	const actor = requireRole(event, ['kiosk']);
	const p = await httpCall(() => callConciergePhoto(actor, event.params.id));
	return new Response(Buffer.from(p.photo), {
		headers: {
			'content-type': p.type,
			'content-length': String(p.photo.length),
			'x-content-type-options': 'nosniff',
			'content-disposition': 'inline; filename="photo"',
			'cache-control': 'private, no-store',
			'last-modified': p.updatedAt.toUTCString()
		}
	});
};
