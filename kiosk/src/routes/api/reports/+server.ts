// Crash and problem reports from this kiosk: 202 with the report id once stored.
// The built app's server answers this path with its lean handler (platform/web/lean.ts); this route serves `vite dev`.
import { json } from '@sveltejs/kit';
import { acceptReportUpload, REPORT_ROLES } from '$platform/reports/upload.ts';
import { collectCapped } from '$platform/reports/upload-body.ts';
import { Invalid } from '$platform/errors.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, REPORT_ROLES);
	const h = event.request.headers;
	return httpCall(async () => {
		const { status, body } = await acceptReportUpload(
			actor,
			{ contentType: h.get('content-type'), contentEncoding: h.get('content-encoding'), contentLength: h.get('content-length') },
			(max) => {
				if (!event.request.body) throw new Invalid('empty_body', 'The report is empty.');
				return collectCapped(event.request.body as unknown as AsyncIterable<Uint8Array>, max);
			}
		);
		return json(body, { status });
	});
};
