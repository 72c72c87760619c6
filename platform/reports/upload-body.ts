/**
 * Reading an uploaded report body with hard limits (used by platform/reports/upload.ts): JSON only, optionally gzip;
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

/** The request headers an upload is judged by before its body is read. */
export interface UploadHead {
	contentType: string | null;
	contentEncoding: string | null;
	contentLength: string | null;
}

type Limits = { wire: number; inflated: number };
const LIMITS: Limits = { wire: MAX_WIRE_BYTES, inflated: MAX_INFLATED_BYTES };

/** Refuse an upload by its headers (type, encoding, declared size); returns its encoding. */
export function checkUploadHead(head: UploadHead, limits: Limits = LIMITS): 'identity' | 'gzip' {
	if (!/^application\/json\s*(;|$)/i.test(head.contentType ?? ''))
		throw new UnsupportedMediaType('unsupported_media_type', 'Send the report as JSON (Content-Type: application/json).');
	const encoding = (head.contentEncoding ?? 'identity').trim().toLowerCase();
	if (encoding !== 'identity' && encoding !== 'gzip') throw new UnsupportedMediaType('unsupported_encoding', 'The report may be sent plain or gzip-compressed, nothing else.');
	const declared = head.contentLength;
	if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > limits.wire)) throw tooLarge();
	return encoding;
}

/** The bytes received (at most limits.wire of them, already counted) as parsed JSON. */
export async function decodeReportBody(encoding: 'identity' | 'gzip', wire: Buffer, limits: Limits = LIMITS): Promise<unknown> {
	if (wire.length === 0) throw new Invalid('empty_body', 'The report is empty.');
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

/**
 * Collect a body's chunks up to max bytes. Past the cap it keeps draining without
 * keeping (the server's own body limit bounds that), so the client reads a clean
 * 413 instead of a reset connection.
 */
export async function collectCapped(chunks: AsyncIterable<Uint8Array>, max: number): Promise<Buffer> {
	const kept: Uint8Array[] = [];
	let size = 0;
	try {
		for await (const value of chunks) {
			size += value.byteLength;
			if (size <= max) kept.push(value);
		}
	} catch (e) {
		// adapter-node's own BODY_SIZE_LIMIT ends the stream with an error: still too large.
		if (e instanceof Error && /content-length|body size|too large/i.test(e.message)) throw tooLarge();
		throw new Invalid('bad_body', 'The report could not be read.');
	}
	if (size > max) throw tooLarge();
	return Buffer.concat(kept, size);
}
