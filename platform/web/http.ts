/**
 * The one mapping from platform errors to HTTP, shared by both apps. Route files
 * call platform functions and pass anything thrown through here.
 */
import { error, fail, isHttpError, isRedirect, type ActionFailure } from '@sveltejs/kit';
import { isDomainError } from '../errors.ts';

export interface FailBody {
	message: string;
	code: string;
	[field: string]: unknown;
}

/** For form actions: a DomainError becomes fail(status, { message, code, ...refill }). */
export function failFrom(e: unknown, refill: Record<string, unknown> = {}): ActionFailure<FailBody> {
	if (isDomainError(e)) return fail(e.status, { message: e.message, code: e.code, ...refill });
	throw e;
}

/** A DomainError as the status and JSON body of its answer; null for anything else. Used here and by platform/web/lean.ts. */
export function domainErrorAnswer(e: unknown): { status: number; body: { message: string; code: string } } | null {
	return isDomainError(e) ? { status: e.status, body: { message: e.message, code: e.code } } : null;
}

/** For loads and endpoints: a DomainError becomes error(status, { message, code }). */
export function rethrowHttp(e: unknown): never {
	const answer = domainErrorAnswer(e);
	if (answer) error(answer.status, answer.body);
	throw e;
}

/** Run fn, mapping domain errors to HTTP errors; redirects and HTTP errors pass through. */
export async function httpCall<T>(fn: () => Promise<T>): Promise<T> {
	try {
		return await fn();
	} catch (e) {
		if (isRedirect(e) || isHttpError(e)) throw e;
		rethrowHttp(e);
	}
}

/** Read a JSON body with a clear 4xx for anything that is not a JSON object (415 for any other content type). */
export async function readJsonObject(request: Request, maxBytes = 64 * 1024): Promise<Record<string, unknown>> {
	// application/json itself, optionally with parameters (charset): not application/json-seq or other look-alikes.
	const type = request.headers.get('content-type') ?? '';
	if (!/^\s*application\/json\s*(;|$)/i.test(type)) error(415, { message: 'Send a JSON body (Content-Type: application/json).', code: 'unsupported_media_type' });
	const text = await request.text().catch(() => error(400, { message: 'The request body could not be read.', code: 'bad_body' }));
	if (text.length > maxBytes) error(413, { message: 'The request body is too large.', code: 'too_large' });
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		error(400, { message: 'The request body is not valid JSON.', code: 'bad_json' });
	}
	if (typeof body !== 'object' || body === null || Array.isArray(body)) error(400, { message: 'The request body must be a JSON object.', code: 'bad_json' });
	return body as Record<string, unknown>;
}

/**
 * Read a form body for an action: a FormData, or a 400 failure (with `refill`, so
 * the page can show the form again) for anything that is not a well-formed
 * urlencoded or multipart form. Every form action of both apps reads through here,
 * so a malformed or foreign body is a message, never a 500.
 */
export async function readForm(request: Request, refill: Record<string, unknown> = {}): Promise<FormData | ActionFailure<FailBody>> {
	const type = (request.headers.get('content-type') ?? '').toLowerCase();
	const bad = () => fail(400, { message: 'The form could not be read. Please reload the page and try again.', code: 'bad_form', ...refill });
	if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/.test(type)) return bad();
	try {
		return await request.formData();
	} catch {
		return bad();
	}
}

/** A form field as a string, or undefined when absent or not text (a file upload, say). */
export function field(form: FormData, name: string): string | undefined {
	const v = form.get(name);
	return typeof v === 'string' ? v : undefined;
}
