/**
 * Browser side of platform/ (shared by the kiosk and the console, imported as
 * `$platform/client/...`). Everything under platform/client/ runs in the browser:
 * it imports only the call contract's types and livekit-client, never a
 * `.server.ts` file or any other platform module.
 *
 * The typed /api wrapper: one POST helper over the contract, so a wrong body or a
 * misread result is a compile error, and errors that carry the server's `code`
 * and HTTP `status` (0 when the request never reached the server).
 */
import type { ApiError, CallAction, CallActions, CallView, PresenceBody, PresenceResult } from '../calls/contract.ts';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** An /api request that did not succeed. status 0: the network, not the server, failed. */
export class ApiRequestError extends Error {
	readonly status: number;
	readonly code: string;
	readonly requestId: string | undefined;
	constructor(message: string, status: number, code: string, requestId?: string) {
		super(message);
		this.name = 'ApiRequestError';
		this.status = status;
		this.code = code;
		this.requestId = requestId;
	}
	/** The server was not reached, or failed on its side: worth trying again. */
	get retryable(): boolean {
		return this.status === 0 || this.status >= 500 || this.status === 429;
	}
}

/** The fetch used by default; tests pass their own to each helper. */
const defaultFetch: Fetch = (input, init) => fetch(input, init);

/** POST a JSON body and read a JSON result; any non-2xx becomes an ApiRequestError. */
export async function postJson<T>(path: string, body: object = {}, f: Fetch = defaultFetch): Promise<T> {
	let r: Response;
	try {
		r = await f(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	} catch (e) {
		throw new ApiRequestError((e as Error).message || 'network error', 0, 'network');
	}
	const data = (await r.json().catch(() => ({}))) as Partial<ApiError> & T;
	if (!r.ok) throw new ApiRequestError(String(data.message ?? `HTTP ${r.status}`), r.status, String(data.code ?? `http_${r.status}`), data.requestId);
	return data as T;
}

type BodyArg<A extends CallAction> = CallActions[A]['body'] extends Record<string, never> ? [body?: CallActions[A]['body']] : [body: CallActions[A]['body']];

/** POST /api/calls/[id]/[action], typed per action by the contract. */
export function callAction<A extends CallAction>(id: string, action: A, ...[body]: BodyArg<A>): Promise<CallActions[A]['result']> {
	return postJson<CallActions[A]['result']>(`/api/calls/${encodeURIComponent(id)}/${action}`, body ?? {});
}

/** The kiosk's call button: POST /api/calls. */
export function createCall(f: Fetch = defaultFetch): Promise<CallView> {
	return postJson<CallView>('/api/calls', {}, f);
}

/** The concierge's own choice of availability. */
export function setPresence(status: PresenceBody['status'], f: Fetch = defaultFetch): Promise<PresenceResult> {
	return postJson<PresenceResult>('/api/presence', { status } satisfies PresenceBody, f);
}

export interface RetryOptions {
	/** Delays between attempts, ms; the last one repeats. Default 250, 500, 1000, 2000, 4000. */
	delays?: number[];
	/** An error that means "done" rather than "failed" (default: 404 or 409, the call is over or not ours). */
	isSettled?: (e: ApiRequestError) => boolean;
	/** Stops the retries; the promise then rejects with the last error. */
	signal?: AbortSignal;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Told of each failed attempt (for logs). */
	onRetry?: (e: ApiRequestError, attempt: number) => void;
}

export type Confirmed<T> = { settled: 'done'; value: T } | { settled: 'over'; error: ApiRequestError };

const DELAYS = [250, 500, 1000, 2000, 4000];

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const t = setTimeout(resolve, ms);
		signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
	});
}

/**
 * Repeat a request until the server confirms it: a 2xx ('done'), or a 404/409 that
 * says there is nothing left to do ('over'). Network errors and 5xx are retried
 * with backoff for as long as it takes (a hang-up must never be lost); any other
 * error (401, 403, 400) is thrown, since repeating it cannot help.
 */
export async function retryUntilConfirmed<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<Confirmed<T>> {
	const delays = opts.delays?.length ? opts.delays : DELAYS;
	const isSettled = opts.isSettled ?? ((e) => e.status === 404 || e.status === 409);
	const wait = opts.sleep ?? sleep;
	for (let attempt = 0; ; attempt++) {
		try {
			return { settled: 'done', value: await fn() };
		} catch (e) {
			const err = e instanceof ApiRequestError ? e : new ApiRequestError((e as Error).message, 0, 'network');
			if (!err.retryable) {
				if (isSettled(err)) return { settled: 'over', error: err };
				throw err;
			}
			if (opts.signal?.aborted) throw err;
			opts.onRetry?.(err, attempt + 1);
			await wait(delays[Math.min(attempt, delays.length - 1)]!, opts.signal);
			if (opts.signal?.aborted) throw err;
		}
	}
}
