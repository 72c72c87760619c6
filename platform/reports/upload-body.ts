/**
 * Reading an uploaded report body with hard limits: JSON only, optionally gzip;
 * at most 256 KB on the wire (Content-Length checked first, then every byte
 * counted while streaming) and 2 MB once inflated. Inflation stops at the cap,
 * so a decompression bomb costs 2 MB of work, not its full size.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Invalid, TooLarge, UnsupportedMediaType } from '../errors.ts';

const gunzipAsync = promisify(gunzip) as (buf: Buffer, opts: { maxOutputLength: number }) => Promise<Buffer>;

export const MAX_WIRE_BYTES = 256 * 1024;
export const MAX_INFLATED_BYTES = 2 * 1024 * 1024;

const tooLarge = () => new TooLarge('report_too_large', 'The report is too large to send.');

/** The body of a report upload as parsed JSON, or a DomainError with a 4xx status. */
export async function readReportBody(request: Request, limits = { wire: MAX_WIRE_BYTES, inflated: MAX_INFLATED_BYTES }): Promise<unknown> {
	const type = request.headers.get('content-type') ?? '';
	if (!/^application\/json\s*(;|$)/i.test(type)) throw new UnsupportedMediaType('unsupported_media_type', 'Send the report as JSON (Content-Type: application/json).');
	const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
	if (encoding !== 'identity' && encoding !== 'gzip') throw new UnsupportedMediaType('unsupported_encoding', 'The report may be sent plain or gzip-compressed, nothing else.');
	const declared = request.headers.get('content-length');
	if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > limits.wire)) throw tooLarge();

	const wire = await readCapped(request, limits.wire);
	let raw = wire;
	if (encoding === 'gzip') {
		try {
			raw = await gunzipAsync(wire, { maxOutputLength: limits.inflated });
		} catch (e) {
			if (e instanceof RangeError || (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
			throw new Invalid('bad_gzip', 'The report could not be decompressed.');
		}
	} else if (raw.length > limits.inflated) throw tooLarge();

	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
	} catch {
		throw new Invalid('bad_json', 'The report is not valid UTF-8 text.');
	}
	try {
		return JSON.parse(text);
	} catch {
		throw new Invalid('bad_json', 'The report is not valid JSON.');
	}
}

async function readCapped(request: Request, max: number): Promise<Buffer> {
	if (!request.body) throw new Invalid('empty_body', 'The report is empty.');
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			// Past the cap, keep draining without keeping (adapter-node's BODY_SIZE_LIMIT
			// bounds it) so the client reads a clean 413 instead of a reset connection.
			if (size <= max) chunks.push(value);
		}
	} catch (e) {
		// adapter-node's own BODY_SIZE_LIMIT ends the stream with an error: still too large.
		if (e instanceof Error && /content-length|body size|too large/i.test(e.message)) throw tooLarge();
		throw new Invalid('bad_body', 'The report could not be read.');
	}
	if (size > max) throw tooLarge();
	if (size === 0) throw new Invalid('empty_body', 'The report is empty.');
	return Buffer.concat(chunks, size);
}
