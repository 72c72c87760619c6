/**
 * Lean handlers: the few hot paths the built apps' server (platform/web/server.js)
 * answers on node:http directly, in front of SvelteKit's handler, without building
 * a web Request/Response or a ReadableStream per request:
 *   - GET /api/events on both apps (an SSE stream held open by every kiosk and console),
 *   - POST /api/reports on the kiosk (report upload bursts).
 * Everything else, and every other method on these paths, goes to SvelteKit.
 *
 * There is no second copy of any rule here: the same functions the SvelteKit hooks and
 * routes use decide everything (platform/web/hooks.ts for the request id, the body
 * limit, the session cookie, the password-expiry and role refusals;
 * platform/web/security-headers.ts for the headers; platform/web/http.ts for the
 * mapping of DomainError to HTTP; platform/events/routes.ts and stream.ts for the
 * stream; platform/reports/upload.ts for the upload). This file only moves bytes.
 *
 * Each app's hooks.server.ts registers its handler (registerLeanHandler); the server
 * finds it on globalThis after importing the build's handler.js, so the lean paths run
 * the one copy of platform/ that the SvelteKit build bundles (one pool, one LISTEN
 * connection, one list of open streams).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openStream, STREAM_HEADERS } from '../events/stream.ts';
import { EVENTS_ROLES, eventsStreamOptions } from '../events/routes.ts';
import { acceptReportUpload, REPORT_ROLES } from '../reports/upload.ts';
import { collectCapped } from '../reports/upload-body.ts';
import type { AppName } from '../types.ts';
import { apiRoleRefusal, bodyLimitRefusal, INTERNAL_MESSAGE, PASSWORD_EXPIRED, requestIdFrom, sessionCookieFrom, sessionFromCookie, type Refusal } from './hooks.ts';
import { domainErrorAnswer } from './http.ts';
import { apiSecurityHeaders } from './security-headers.ts';

/** Answers the request and returns true, or returns false to leave it to SvelteKit. */
export type LeanHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const KEY = Symbol.for('concierge.leanHandler');

/** Called by each app's hooks.server.ts: makes the app's lean handler available to platform/web/server.js. */
export function registerLeanHandler(app: AppName): void {
	(globalThis as Record<symbol, unknown>)[KEY] = leanHandler(app);
}

/** Apps whose passwordExpiryGuard refuses /api/ requests of a session with an expired password (hooks.server.ts). */
const PASSWORD_GUARDED: Record<AppName, boolean> = { kiosk: false, console: true };

const pathOf = (url: string | undefined) => {
	const u = url ?? '/';
	const q = u.indexOf('?');
	return q < 0 ? u : u.slice(0, q);
};

export function leanHandler(app: AppName): LeanHandler {
	const security = apiSecurityHeaders(app);
	return (req, res) => {
		const path = pathOf(req.url);
		if (path === '/api/events' && req.method === 'GET') {
			void serveEvents(app, security, req, res);
			return true;
		}
		if (app === 'kiosk' && path === '/api/reports' && req.method === 'POST') {
			void serveReport(security, req, res);
			return true;
		}
		return false;
	};
}

/** The client's address as adapter-node's getClientAddress gives it (ADDRESS_HEADER, XFF_DEPTH), or null. */
function clientAddress(req: IncomingMessage): string | null {
	const from = (process.env.ADDRESS_HEADER ?? '').toLowerCase();
	if (!from) return req.socket.remoteAddress ?? null;
	const value = header(req, from);
	if (value === null) return null;
	if (from !== 'x-forwarded-for') return value;
	const all = value.split(',');
	const depth = parseInt(process.env.XFF_DEPTH ?? '1');
	return depth >= 1 && depth <= all.length ? all[all.length - depth]!.trim() : null;
}

/**
 * One request header (the first, name in lower case), read from rawHeaders: an open
 * stream then never builds the `req.headers` object, which would stay in memory as long
 * as the stream (10,000 idle kiosks per process).
 */
function header(req: IncomingMessage, name: string): string | null {
	const raw = req.rawHeaders;
	for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) return raw[i + 1]!;
	return null;
}

/**
 * Read away a body nobody read, as drainUnread in security-headers.ts does, so an early
 * refusal never leaves a kept-alive connection stuck (what Node's own server does
 * with a body left unread when the response ends).
 */
function drain(req: IncomingMessage): void {
	if (req.readableEnded || req.destroyed || req.readableFlowing) return;
	req.on('error', () => {});
	req.resume();
}

interface Ctx {
	req: IncomingMessage;
	res: ServerResponse;
	requestId: string;
	headers: Record<string, string | string[]>;
}

function answer(c: Ctx, status: number, body: unknown): void {
	drain(c.req);
	if (c.res.headersSent || c.res.destroyed) return;
	const text = JSON.stringify(body);
	c.res.writeHead(status, { ...c.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
	c.res.end(text);
}

function failed(c: Ctx, e: unknown): void {
	const known = domainErrorAnswer(e);
	if (known) return answer(c, known.status, known.body);
	console.error(
		JSON.stringify({ level: 'error', requestId: c.requestId, method: c.req.method, path: pathOf(c.req.url), status: 500, error: e instanceof Error ? e.stack : String(e) })
	);
	answer(c, 500, { message: INTERNAL_MESSAGE, code: 'internal', requestId: c.requestId });
}

/**
 * What every lean request goes through, in the order of the SvelteKit hooks (each
 * app's hooks.server.ts): request id, body limit, session, password expiry (console),
 * then the route's roles. Returns the session, or null after answering a refusal.
 */
async function admit(app: AppName, c: Ctx, roles: readonly ('kiosk' | 'concierge')[]) {
	const refuse = (r: Refusal) => {
		answer(c, r.status, r.body);
		return null;
	};
	const tooLarge = bodyLimitRefusal(header(c.req, 'content-length'));
	if (tooLarge) return refuse(tooLarge);
	const { ctx, setCookie } = await sessionFromCookie(app, sessionCookieFrom(app, header(c.req, 'cookie')), clientAddress(c.req));
	if (setCookie) c.headers['set-cookie'] = setCookie;
	if (ctx && PASSWORD_GUARDED[app] && ctx.session.passwordExpired) return refuse(PASSWORD_EXPIRED);
	const refusal = apiRoleRefusal(ctx?.actor ?? null, roles);
	if (refusal) return refuse(refusal);
	return ctx!;
}

function context(security: [string, string][], req: IncomingMessage, res: ServerResponse): Ctx {
	const requestId = requestIdFrom(header(req, 'x-request-id'));
	const headers: Record<string, string | string[]> = Object.fromEntries(security);
	headers['x-request-id'] = requestId;
	return { req, res, requestId, headers };
}

async function serveEvents(app: AppName, security: [string, string][], req: IncomingMessage, res: ServerResponse): Promise<void> {
	const c = context(security, req, res);
	try {
		const ctx = await admit(app, c, EVENTS_ROLES[app] as readonly ('kiosk' | 'concierge')[]);
		if (!ctx || res.destroyed) return;
		if (header(req, 'content-length') !== null || header(req, 'transfer-encoding') !== null) drain(req);
		// The head is not flushed on its own: it leaves with the first frame (the snapshot, once
		// read), in one write, through res.write; the frames after it go straight to the socket.
		res.writeHead(200, { ...c.headers, ...STREAM_HEADERS });
		let headSent = false;
		// Chunked, as for any HTTP/1.1 client; an HTTP/1.0 one gets plain res.write.
		const chunked = (res as unknown as { chunkedEncoding?: boolean }).chunkedEncoding === true;
		const meta = { userAgent: header(req, 'user-agent'), appVersion: new URL(req.url ?? '/', 'http://x').searchParams.get('v') };
		const close = openStream(ctx.actor, { id: ctx.session.id }, eventsStreamOptions(app, ctx.actor, meta), {
			write: (b) => {
				// No socket yet while the response waits behind the connection's previous one (keep-alive:
				// the client may send the next request before Node has seen the last response finish):
				// res.write queues the frames and Node flushes them, in order, when the socket is assigned.
				// The connection's own socket tells a client gone even then (a waiting response hears no 'close').
				if (res.destroyed || res.writableEnded || req.socket.destroyed) throw new Error('stream closed');
				const socket = res.socket;
				// Otherwise straight to the socket, as one ready-made HTTP chunk shared by every stream (see chunk()).
				if (chunked && socket && headSent) socket.write(chunk(b));
				else {
					res.write(b);
					headSent = true;
					forgetSentHead(res);
				}
			},
			end: () => res.end()
		});
		res.once('close', close);
	} catch (e) {
		failed(c, e);
	}
}

/**
 * Node keeps a response's serialised head (`_header`: status line, the security headers,
 * the request id; about 700 bytes here) for the whole life of the response, though once
 * it is handed to the socket (`_headerSent`) Node only tests it for being set (headersSent,
 * and the refusals of writeHead/setHeader after it). An open stream lives for hours, and a
 * kiosk instance holds 10,000, so the sent head is swapped for one shared string. Checked,
 * not assumed: if a Node version stores the head otherwise, nothing is changed.
 * (platform/web/lean.test.ts checks that this Node still does.)
 */
const SENT_HEAD = 'HTTP/1.1 (head sent)\r\n\r\n';
export function forgetSentHead(res: ServerResponse): void {
	const r = res as unknown as { _header?: unknown; _headerSent?: unknown };
	if (r._headerSent === true && typeof r._header === 'string') r._header = SENT_HEAD;
}

/**
 * A frame as one HTTP/1.1 chunk (size line, bytes, CRLF), built once per frame: the
 * frames of an event, the heartbeat and the retry line are the same bytes for every
 * stream of the process (platform/events/stream.ts), so an event reaching 10,000 kiosks
 * costs one socket write each and no per-stream encoding. The response is chunked
 * (no content-length), and res.end() still writes the closing chunk.
 */
const chunks = new WeakMap<Uint8Array, Buffer>();
function chunk(frame: Uint8Array): Buffer {
	let c = chunks.get(frame);
	if (!c) chunks.set(frame, (c = Buffer.concat([Buffer.from(`${frame.byteLength.toString(16)}\r\n`), frame, Buffer.from('\r\n')])));
	return c;
}

/** SvelteKit's own CSRF rule for form content types (kit's respond.js), which runs before any hook. */
const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\s*(;|$)/i;

async function serveReport(security: [string, string][], req: IncomingMessage, res: ServerResponse): Promise<void> {
	const c = context(security, req, res);
	try {
		const origin = header(req, 'origin');
		if (FORM_TYPES.test(header(req, 'content-type') ?? '') && origin !== process.env.ORIGIN) {
			drain(req);
			const message = 'Cross-site POST form submissions are forbidden';
			const json = header(req, 'accept') === 'application/json';
			res.writeHead(403, { 'content-type': json ? 'application/json' : 'text/plain;charset=UTF-8' });
			res.end(json ? JSON.stringify({ message }) : message);
			return;
		}
		const ctx = await admit('kiosk', c, REPORT_ROLES);
		if (!ctx) return;
		// Past the cap the body is read away, not kept (collectCapped), and the answer is a clean 413.
		const { status, body } = await acceptReportUpload(
			ctx.actor,
			{ contentType: header(req, 'content-type'), contentEncoding: header(req, 'content-encoding'), contentLength: header(req, 'content-length') },
			(max) => collectCapped(req, max)
		);
		answer(c, status, body);
	} catch (e) {
		failed(c, e);
	}
}
