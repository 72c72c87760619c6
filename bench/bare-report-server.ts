/**
 * The floor for bench/reports.ts: a bare node:http server doing the same work per
 * upload as the kiosk app's lean handler, and nothing else: the session cookie
 * validated (one query), the body read within the same limits, parsed, validated,
 * redacted and stored by the same group commit (platform/reports/ingest.ts).
 * No SvelteKit, no security headers, no request id, no rate limit.
 * Run by bench/reports.ts with `node --import tsx`; PORT from the environment.
 */
import http from 'node:http';
import { validateSessionToken } from '../platform/sessions/sessions.ts';
import { checkUploadHead, collectCapped, decodeReportBody, MAX_WIRE_BYTES } from '../platform/reports/upload-body.ts';
import { parseReport } from '../platform/reports/report-input.ts';
import { redactDeep } from '../platform/reports/redact.ts';
import { storeReport } from '../platform/reports/ingest.ts';
import { isDomainError } from '../platform/errors.ts';

const server = http.createServer((req, res) => {
	void (async () => {
		try {
			const token = /(?:^|;\s*)kiosk_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
			const ctx = await validateSessionToken(token, 'kiosk', null);
			if (!ctx) {
				req.resume();
				res.writeHead(401).end();
				return;
			}
			const encoding = checkUploadHead({
				contentType: req.headers['content-type'] ?? null,
				contentEncoding: req.headers['content-encoding'] ?? null,
				contentLength: req.headers['content-length'] ?? null
			});
			const report = parseReport(await decodeReportBody(encoding, await collectCapped(req, MAX_WIRE_BYTES)));
			const clean = redactDeep(report);
			const inserted = await storeReport(ctx.actor.tenantId, ctx.actor.accountId, clean);
			res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: clean.id, duplicate: !inserted }));
		} catch (e) {
			req.resume();
			res.writeHead(isDomainError(e) ? e.status : 500).end();
		}
	})();
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('up'));
process.on('SIGTERM', () => process.exit(0));
