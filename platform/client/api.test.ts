import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiRequestError, callAction, createCall, postJson, retryUntilConfirmed, setPresence } from './api.ts';

const test = suite('client api');

type Seen = { url: string; init: RequestInit | undefined };
function fakeFetch(answers: (Response | Error)[]): { seen: Seen[]; restore: () => void } {
	const seen: Seen[] = [];
	const original = globalThis.fetch;
	globalThis.fetch = (async (url: string, init?: RequestInit) => {
		seen.push({ url, init });
		const a = answers.shift();
		if (!a) throw new Error('no more answers');
		if (a instanceof Error) throw a;
		return a;
	}) as typeof fetch;
	return { seen, restore: () => (globalThis.fetch = original) };
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

test('callAction posts the typed body to the action path and returns the result', async () => {
	const f = fakeFetch([json(200, { id: 'c1', state: 'accepted' })]);
	try {
		const view = await callAction('c1', 'share', { state: 'paused' });
		assert.is(view.id, 'c1');
		assert.is(f.seen[0]!.url, '/api/calls/c1/share');
		assert.is(f.seen[0]!.init!.method, 'POST');
		assert.equal(JSON.parse(f.seen[0]!.init!.body as string), { state: 'paused' });
		assert.is(new Headers(f.seen[0]!.init!.headers).get('content-type'), 'application/json');
	} finally {
		f.restore();
	}
});

test('an action without a body sends {}; the call id is path-encoded', async () => {
	const f = fakeFetch([json(200, { id: 'x' })]);
	try {
		await callAction('a/b', 'hangup');
		assert.is(f.seen[0]!.url, '/api/calls/a%2Fb/hangup');
		assert.is(f.seen[0]!.init!.body, '{}');
	} finally {
		f.restore();
	}
});

test('errors carry the server code and status; network failures are status 0', async () => {
	const f = fakeFetch([json(409, { code: 'no_concierge', message: 'Nobody', requestId: 'r1' }), new TypeError('Failed to fetch'), new Response('<html>', { status: 502 })]);
	try {
		const e1 = await createCall().catch((e) => e);
		assert.instance(e1, ApiRequestError);
		assert.is(e1.status, 409);
		assert.is(e1.code, 'no_concierge');
		assert.is(e1.requestId, 'r1');
		assert.is(e1.retryable, false);
		const e2 = await setPresence('available').catch((e) => e);
		assert.is(e2.status, 0);
		assert.is(e2.code, 'network');
		assert.is(e2.retryable, true);
		const e3 = (await postJson('/api/x').then(
			() => null,
			(e: ApiRequestError) => e
		))!;
		assert.is(e3.status, 502);
		assert.is(e3.code, 'http_502');
		assert.is(e3.retryable, true);
	} finally {
		f.restore();
	}
});

function recorder() {
	const waits: number[] = [];
	return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

test('retryUntilConfirmed retries network errors and 5xx with growing delays until a 2xx', async () => {
	let n = 0;
	const answers = [
		new ApiRequestError('down', 0, 'network'),
		new ApiRequestError('bad gateway', 502, 'http_502'),
		new ApiRequestError('down', 0, 'network'),
		new ApiRequestError('down', 0, 'network')
	];
	const r = recorder();
	const out = await retryUntilConfirmed(
		async () => {
			n++;
			const a = answers.shift();
			if (a) throw a;
			return 'ok';
		},
		{ sleep: r.sleep, delays: [10, 20, 40] }
	);
	assert.equal(out, { settled: 'done', value: 'ok' });
	assert.is(n, 5);
	assert.equal(r.waits, [10, 20, 40, 40], 'backoff grows, then repeats its last delay');
});

test('retryUntilConfirmed settles on 404/409 (the call is over) and throws other 4xx at once', async () => {
	const r = recorder();
	const over = await retryUntilConfirmed(
		async () => {
			throw new ApiRequestError('gone', 404, 'call_not_found');
		},
		{ sleep: r.sleep }
	);
	assert.is(over.settled, 'over');
	assert.is(over.settled === 'over' && over.error.code, 'call_not_found');
	let tries = 0;
	const e = await retryUntilConfirmed(
		async () => {
			tries++;
			throw new ApiRequestError('signed out', 401, 'unauthenticated');
		},
		{ sleep: r.sleep }
	).catch((x) => x);
	assert.is(e.status, 401);
	assert.is(tries, 1, 'a 401 is not repeated');
	assert.equal(r.waits, []);
});

test('retryUntilConfirmed stops when aborted', async () => {
	const ctrl = new AbortController();
	let tries = 0;
	const e = await retryUntilConfirmed(
		async () => {
			if (++tries === 3) ctrl.abort();
			throw new ApiRequestError('down', 0, 'network');
		},
		{ signal: ctrl.signal, sleep: async () => {} }
	).catch((x) => x);
	assert.instance(e, ApiRequestError);
	assert.is(tries, 3);
});

test('retryUntilConfirmed with the real timer waits between tries', async () => {
	let tries = 0;
	const t0 = Date.now();
	const out = await retryUntilConfirmed(
		async () => {
			if (++tries < 3) throw new ApiRequestError('down', 503, 'http_503');
			return 1;
		},
		{ delays: [30] }
	);
	assert.is(out.settled, 'done');
	assert.ok(Date.now() - t0 >= 55, 'two waits of 30 ms');
});

test.run();
