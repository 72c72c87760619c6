/**
 * Health, readiness and metrics for both apps and the worker.
 *
 *   GET /healthz  200 while the process runs (liveness: restart me if this fails)
 *   GET /readyz   200 when every dependency answers, else 503 (readiness: send me
 *                 traffic); the apps check PostgreSQL, their LISTEN connection (a
 *                 NOTIFY round trip) and LiveKit (`GET /` of its HTTP port), the
 *                 worker checks PostgreSQL, LiveKit and its job backend. A process
 *                 that got SIGTERM answers 503 from then on, so load balancers stop
 *                 sending it new requests while it drains.
 *   GET /metrics  Prometheus text (platform/metrics.ts), only with
 *                 `Authorization: Bearer <METRICS_TOKEN>`; 404 when no token is set.
 *
 * Answers carry no error text (they are unauthenticated); failures are logged.
 * The apps' routes call these; the worker serves them on WORKER_HEALTH_PORT.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { config } from './config.server.ts';
import { db } from './db.server.ts';
import { pingListen } from './events/hub.server.ts';
import { ping } from './health.repo.ts';
import { livekitApiBase } from './livekit.server.ts';
import { logError } from './log.ts';
import { metrics, metricsText } from './metrics.ts';

export const CHECK_TIMEOUT_MS = 2_000;

export type Check = (timeoutMs: number) => Promise<void>;
export interface CheckResult {
	ok: boolean;
	ms: number;
}
export interface Readiness {
	ready: boolean;
	draining: boolean;
	checks: Record<string, CheckResult>;
}

let draining = false;
process.once('SIGTERM', () => {
	draining = true;
});

/** LiveKit answers `OK` on `GET /` of its HTTP port. */
export async function livekitReachable(timeoutMs: number): Promise<void> {
	const r = await fetch(livekitApiBase().replace(/\/?$/, '/'), { signal: AbortSignal.timeout(timeoutMs) });
	if (!r.ok) throw new Error(`LiveKit answered ${r.status}`);
	await r.body?.cancel();
}

export const databaseCheck: Check = () => ping(db());

/** The checks of the kiosk and console apps. */
export const appChecks: Record<string, Check> = {
	database: databaseCheck,
	listen: (ms) => pingListen(ms),
	livekit: livekitReachable
};

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	return Promise.race([
		p,
		new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
		})
	]).finally(() => clearTimeout(timer));
}

/** Run every check at once, each bounded by timeoutMs. */
export async function readiness(checks: Record<string, Check>, timeoutMs = CHECK_TIMEOUT_MS): Promise<Readiness> {
	const names = Object.keys(checks);
	const results = await Promise.all(
		names.map(async (name): Promise<CheckResult> => {
			const t0 = performance.now();
			try {
				await within(checks[name]!(timeoutMs), timeoutMs + 100, name);
				metrics.dependency(name, true);
				return { ok: true, ms: Math.round(performance.now() - t0) };
			} catch (e) {
				metrics.dependency(name, false);
				logError('health', `readiness check ${name} failed`, e);
				return { ok: false, ms: Math.round(performance.now() - t0) };
			}
		})
	);
	const out: Record<string, CheckResult> = {};
	names.forEach((n, i) => (out[n] = results[i]!));
	return { ready: !draining && results.every((r) => r.ok), draining, checks: out };
}

const noStore = { 'cache-control': 'no-store' };

export function healthzResponse(): Response {
	return Response.json({ ok: true }, { headers: noStore });
}

export async function readyzResponse(checks: Record<string, Check> = appChecks): Promise<Response> {
	const r = await readiness(checks);
	return Response.json(r, { status: r.ready ? 200 : 503, headers: noStore });
}

/** True when the Authorization header carries the configured metrics token (compared in constant time). */
export function metricsAuthorized(authorization: string | null, token: string | null): boolean {
	if (!token) return false;
	const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
	if (!m) return false;
	const digest = (s: string) => createHash('sha256').update(s).digest();
	return timingSafeEqual(digest(m[1]!), digest(token));
}

/** /metrics: 404 without a configured token, 401 without the right bearer token, else the registry's text. */
export async function metricsResponse(authorization: string | null, processName: string): Promise<Response> {
	const token = config().metricsToken;
	if (!token) return Response.json({ message: 'Metrics are off: set METRICS_TOKEN to turn them on.', code: 'metrics_off' }, { status: 404, headers: noStore });
	if (!metricsAuthorized(authorization, token))
		return Response.json(
			{ message: 'Send the metrics token as a bearer token.', code: 'unauthenticated' },
			{ status: 401, headers: { ...noStore, 'www-authenticate': 'Bearer realm="metrics"' } }
		);
	const { contentType, body } = await metricsText(processName);
	return new Response(body, { headers: { ...noStore, 'content-type': contentType } });
}

/**
 * The worker's health listener: /healthz, /readyz and /metrics on host:port
 * (WORKER_HEALTH_HOST, default 127.0.0.1). Anything else is 404.
 */
export function startHealthServer(opts: { host: string; port: number; checks: Record<string, Check>; processName: string }): Promise<Server> {
	const server = createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		const answer = async (): Promise<Response> => {
			if (req.method !== 'GET' && req.method !== 'HEAD') return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
			if (path === '/healthz') return healthzResponse();
			if (path === '/readyz') return readyzResponse(opts.checks);
			if (path === '/metrics') return metricsResponse(req.headers.authorization ?? null, opts.processName);
			return Response.json({ message: 'Not found.', code: 'not_found' }, { status: 404 });
		};
		answer()
			.then(async (r) => {
				res.writeHead(r.status, Object.fromEntries(r.headers));
				res.end(req.method === 'HEAD' ? undefined : Buffer.from(await r.arrayBuffer()));
			})
			.catch((e) => {
				logError('health', 'health request failed', e, { path });
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end('{"message":"internal error","code":"internal"}');
			});
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port, opts.host, () => resolve(server));
	});
}
