// Crash and problem reports from this kiosk: 202 with the report id once stored.
import { json } from '@sveltejs/kit';
import { parseReport } from '$platform/reports/report-input.ts';
import { readReportBody } from '$platform/reports/upload-body.ts';
import { submitReport, takeReportToken } from '$platform/reports/reports.ts';
import { httpCall, requireRole } from '$lib/server/http.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const actor = requireRole(event, ['kiosk']);
	return httpCall(async () => {
		takeReportToken(actor);
		const report = parseReport(await readReportBody(event.request));
		const stored = await submitReport(actor, report);
		return json(stored, { status: 202 });
	});
};
