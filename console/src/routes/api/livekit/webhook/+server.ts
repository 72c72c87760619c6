import { error, json } from '@sveltejs/kit';
import { handleWebhook } from '$platform/calls/index.ts';
import { receiveWebhook } from '$platform/livekit.server.ts';
import type { RequestHandler } from './$types';

/**
 * LiveKit's webhooks. The signature (a JWT carrying the body's SHA-256) is checked
 * on the raw body before anything is read from it.
 */
export const POST: RequestHandler = async ({ request, locals }) => {
	const raw = await request.text().catch(() => error(400, { message: 'The request body could not be read.', code: 'bad_body' }));
	if (raw.length > 64 * 1024) error(413, { message: 'The request body is too large.', code: 'too_large' });
	let ev;
	try {
		ev = await receiveWebhook(raw, request.headers.get('authorization'));
	} catch (e) {
		console.warn(JSON.stringify({ level: 'warn', area: 'livekit-webhook', msg: 'rejected webhook', requestId: locals.requestId, error: String(e) }));
		error(401, { message: 'Invalid webhook signature.', code: 'bad_signature' });
	}
	const result = await handleWebhook(ev);
	return json({ ok: true, ...result });
};
