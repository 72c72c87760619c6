/**
 * Helpers for the call tests (kiosk/tests/call*.test.ts, console/tests/call*.test.ts):
 * sign-in over HTTP or in a browser context, an SSE reader, the RTCPeerConnection
 * recorder and its SRTP/decoded-frames check.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

/** Sign in through the app's real form; returns the Cookie header value. */
export async function signInCookie(origin: string, loginId: string, password: string): Promise<string> {
	const r = await fetch(`${origin}/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
		body: new URLSearchParams({ loginId, password })
	});
	const cookie = r.headers.getSetCookie().find((c) => /_session=/.test(c));
	if (!cookie) throw new Error(`sign-in of ${loginId} at ${origin} failed: ${r.status} ${await r.text()}`);
	return cookie.split(';')[0]!;
}

export async function api(
	origin: string,
	cookie: string,
	path: string,
	body?: Record<string, unknown>
): Promise<{ status: number; body: Record<string, unknown> & { code?: string; message?: string } }> {
	const r = await fetch(origin + path, {
		method: body === undefined ? 'GET' : 'POST',
		headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	return { status: r.status, body: await r.json().catch(() => ({})) };
}

export interface SseReader {
	events: { type: string; data: Record<string, unknown> }[];
	waitFor(pred: (e: { type: string; data: Record<string, unknown> }) => boolean, ms?: number): Promise<{ type: string; data: Record<string, unknown> }>;
	close(): void;
}

/** Open an SSE stream as the given cookie and collect its events. */
export async function openStream(origin: string, cookie: string): Promise<SseReader> {
	const ctrl = new AbortController();
	const r = await fetch(origin + '/api/events', { headers: { cookie, accept: 'text/event-stream' }, signal: ctrl.signal });
	if (!r.ok || !r.body) throw new Error(`stream refused: ${r.status}`);
	const events: SseReader['events'] = [];
	const waiters = new Set<() => void>();
	void (async () => {
		const decoder = new TextDecoder();
		let buf = '';
		try {
			for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
				buf += decoder.decode(chunk, { stream: true });
				let i: number;
				while ((i = buf.indexOf('\n\n')) >= 0) {
					const block = buf.slice(0, i);
					buf = buf.slice(i + 2);
					const type = /^event: (.*)$/m.exec(block)?.[1];
					const data = /^data: (.*)$/m.exec(block)?.[1];
					if (type && data) events.push({ type, data: JSON.parse(data) });
					waiters.forEach((w) => w());
				}
			}
		} catch {}
	})();
	return {
		events,
		waitFor(pred, ms = 10_000) {
			return new Promise((resolve, reject) => {
				const check = () => {
					const hit = events.find(pred);
					if (hit) {
						waiters.delete(check);
						clearTimeout(t);
						resolve(hit);
					}
				};
				const t = setTimeout(() => {
					waiters.delete(check);
					reject(new Error(`event not received; got ${events.map((e) => e.type).join(', ')}`));
				}, ms);
				waiters.add(check);
				check();
			});
		},
		close: () => ctrl.abort()
	};
}

/** Records every RTCPeerConnection the page creates, so tests can read getStats() from them. */
export const RECORD_PEER_CONNECTIONS = `
(() => {
	const Original = window.RTCPeerConnection;
	window.__pcs = [];
	window.RTCPeerConnection = class extends Original {
		constructor(...args) { super(...args); window.__pcs.push(this); }
	};
})();`;

/**
 * Records every camera track the page opens (getUserMedia), so a test can tell
 * whether a camera is still capturing: a track whose readyState is 'live'.
 */
export const RECORD_CAMERA_TRACKS = `
(() => {
	window.__cams = [];
	const md = navigator.mediaDevices;
	if (!md || !md.getUserMedia) return;
	const original = md.getUserMedia.bind(md);
	md.getUserMedia = async (constraints) => {
		const stream = await original(constraints);
		for (const t of stream.getVideoTracks()) window.__cams.push(t);
		return stream;
	};
})();`;

export async function newContext(browser: Browser): Promise<BrowserContext> {
	const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
	await ctx.addInitScript(RECORD_PEER_CONNECTIONS);
	await ctx.addInitScript(RECORD_CAMERA_TRACKS);
	return ctx;
}

/**
 * Is a camera of this page capturing? True when any camera track the page opened
 * is still 'live' (the published one included). A string expression: tsx would wrap
 * a function with __name, which the page does not have.
 */
export function cameraLive(page: Page): Promise<boolean> {
	return page.evaluate(`(window.__cams || []).some((t) => t.readyState === 'live')`) as Promise<boolean>;
}

/** How many camera tracks this page has opened so far. */
export function camerasOpened(page: Page): Promise<number> {
	return page.evaluate(`(window.__cams || []).length`) as Promise<number>;
}

export async function signInPage(page: Page, origin: string, loginId: string, password: string): Promise<void> {
	// Let the page hydrate first: a click that lands mid-hydration was seen to leave it on /login.
	await page.goto(origin + '/login', { waitUntil: 'networkidle' });
	await page.fill('input[name=loginId]', loginId);
	await page.fill('input[name=password]', password);
	await page.click('button[type=submit]');
	// The console's form is enhanced (client-side navigation), so wait on the location, not on a load event.
	await page
		.waitForFunction(() => !location.pathname.startsWith('/login'), undefined, { timeout: 30_000 })
		.catch(async (e) => {
			await page.screenshot({ path: `test-results/sign-in-stuck-${loginId}.png` }).catch(() => {});
			throw new Error(
				`sign-in of ${loginId} stayed on ${page.url()}: ${(
					await page
						.locator('body')
						.innerText()
						.catch(() => '?')
				).slice(0, 300)} (${(e as Error).message})`
			);
		});
}

export interface MediaProof {
	framesDecoded: number;
	videoInbound: number;
	dtlsState: string | null;
	srtpCipher: string | null;
}

/** Read the page's peer connections: decoded remote video frames and the DTLS-SRTP transport. */
export function mediaProof(page: Page): Promise<MediaProof> {
	return page.evaluate(async () => {
		let framesDecoded = 0;
		let videoInbound = 0;
		let dtlsState: string | null = null;
		let srtpCipher: string | null = null;
		for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? []) {
			if (pc.connectionState === 'closed') continue;
			const stats = await pc.getStats();
			stats.forEach((s: Record<string, unknown>) => {
				if (s.type === 'inbound-rtp' && s.kind === 'video') {
					videoInbound++;
					framesDecoded += Number(s.framesDecoded ?? 0);
				}
				if (s.type === 'transport' && s.dtlsState === 'connected') {
					dtlsState = 'connected';
					if (typeof s.srtpCipher === 'string' && s.srtpCipher) srtpCipher = s.srtpCipher;
				}
			});
		}
		return { framesDecoded, videoInbound, dtlsState, srtpCipher };
	});
}

/** Poll until the page has decoded remote video over a DTLS-connected SRTP transport. */
export async function waitForMedia(page: Page, ms = 30_000): Promise<MediaProof> {
	const deadline = Date.now() + ms;
	let last: MediaProof | null = null;
	while (Date.now() < deadline) {
		last = await mediaProof(page);
		if (last.framesDecoded > 0 && last.dtlsState === 'connected' && last.srtpCipher) return last;
		await page.waitForTimeout(250);
	}
	throw new Error(`no decoded remote video over SRTP: ${JSON.stringify(last)}`);
}

/** Wait until a <video> matching selector shows decoded frames. */
export async function waitForVideo(page: Page, selector: string, ms = 20_000): Promise<void> {
	await page.waitForFunction(
		(sel) => {
			const v = document.querySelector(sel) as HTMLVideoElement | null;
			return !!v && v.videoWidth > 0 && v.readyState >= 2;
		},
		selector,
		{ timeout: ms }
	);
}

const umd = fileURLToPath(new URL('../../node_modules/livekit-client/dist/livekit-client.umd.js', import.meta.url));

/**
 * Try to join LiveKit with a raw token from a page (which must be on an http://127.0.0.1
 * origin). Resolves 'refused: …' when LiveKit refuses, 'removed: <reason>' when the
 * participant is thrown out within `ms`, or 'stayed'.
 */
export async function tryJoin(page: Page, url: string, token: string, ms = 15_000): Promise<string> {
	// Evaluated through the DevTools protocol, not a <script> tag: the app pages' CSP (kit.csp) blocks injected scripts.
	if (!(await page.evaluate(() => 'LivekitClient' in window))) await page.evaluate(readFileSync(umd, 'utf8'));
	return page.evaluate(
		async ({ url, token, ms }) => {
			const LK = (window as unknown as { LivekitClient: typeof import('livekit-client') }).LivekitClient;
			const room = new LK.Room();
			// The guard may remove the participant before connect() has even finished.
			let removed: string | null = null;
			const gone = new Promise<string>((resolve) =>
				room.on(LK.RoomEvent.Disconnected, (reason) => {
					removed = `removed: ${reason === undefined ? 'unknown' : LK.DisconnectReason[reason]}`;
					resolve(removed);
				})
			);
			try {
				await room.connect(url, token);
			} catch (e) {
				await new Promise((r) => setTimeout(r, 200));
				const r = removed as string | null;
				return r?.endsWith('PARTICIPANT_REMOVED') ? r : `refused: ${(e as Error).message}`;
			}
			return Promise.race([
				gone,
				new Promise<string>((resolve) =>
					setTimeout(() => {
						if (removed) return resolve(removed);
						void room.disconnect();
						resolve('stayed');
					}, ms)
				)
			]);
		},
		{ url, token, ms }
	);
}
