/**
 * The kiosk's report upload (`POST /api/reports`) in one place: rate limit, headers,
 * body limits, validation, redaction and the group-committed insert. The SvelteKit
 * route (kept for `vite dev`) and the lean handler of the built kiosk server
 * (platform/web/lean.ts) both call acceptReportUpload with plain inputs.
 */
import type { Actor } from '../types.ts';
import { parseReport } from './report-input.ts';
import { submitReport, takeReportToken, type SubmitResult } from './reports.ts';
import { checkUploadHead, decodeReportBody, MAX_WIRE_BYTES, type UploadHead } from './upload-body.ts';

/** The roles that may upload reports (the kiosk app only). */
export const REPORT_ROLES = ['kiosk'] as const;

/**
 * Accept one upload from a kiosk: 202 with { id, duplicate } once stored, or a
 * DomainError with a 4xx status. `readBody(max)` returns the body's bytes, at most
 * max of them, or throws TooLarge past it; it is called only after the rate limit
 * and the headers pass.
 */
export async function acceptReportUpload(actor: Actor, head: UploadHead, readBody: (max: number) => Promise<Buffer>): Promise<{ status: 202; body: SubmitResult }> {
	takeReportToken(actor);
	const encoding = checkUploadHead(head);
	const report = parseReport(await decodeReportBody(encoding, await readBody(MAX_WIRE_BYTES)));
	return { status: 202, body: await submitReport(actor, report) };
}
