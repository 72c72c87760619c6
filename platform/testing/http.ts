/** Small HTTP helpers for tests that talk to the built apps like a browser would. */
export interface SignedIn {
	cookie: string;
	origin: string;
}

/** Sign in through the real form action; returns the session cookie ("name=value"). */
export async function signInHttp(origin: string, loginId: string, password: string): Promise<SignedIn> {
	const r = await fetch(origin + '/login', {
		method: 'POST',
		redirect: 'manual',
		headers: { origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ loginId, password })
	});
	const set = r.headers.getSetCookie().find((c) => /^(kiosk|console)_session=[a-z2-7]{32};/.test(c));
	if (r.status !== 303 || !set) throw new Error(`sign-in of ${loginId} failed: ${r.status} ${await r.text()}`);
	return { cookie: set.split(';')[0]!, origin };
}

export function get(s: SignedIn | string, path: string, init: RequestInit = {}): Promise<Response> {
	const origin = typeof s === 'string' ? s : s.origin;
	const headers = new Headers(init.headers);
	if (typeof s !== 'string') headers.set('cookie', s.cookie);
	return fetch(origin + path, { redirect: 'manual', ...init, headers });
}

/** POST a raw body (JSON by default) from the app's own origin, as the page would. */
export function post(s: SignedIn | string, path: string, body: string, type = 'application/json'): Promise<Response> {
	return get(s, path, { method: 'POST', headers: { 'content-type': type, origin: typeof s === 'string' ? s : s.origin }, body });
}
