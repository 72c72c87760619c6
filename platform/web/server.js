/**
 * The built apps' server: adapter-node's `build/handler.js` mounted in our own
 * node:http server (adapter-node's documented custom server), with the lean
 * handlers of platform/web/lean.ts in front of it for the few hot paths
 * (`/api/events`, the kiosk's `/api/reports`). Everything else is SvelteKit's.
 *
 * Started by `kiosk/server.js` and `console/server.js` (`node kiosk/server.js`), with
 * adapter-node's environment: HOST, PORT, ORIGIN, BODY_SIZE_LIMIT, ADDRESS_HEADER,
 * XFF_DEPTH, SHUTDOWN_TIMEOUT, KEEP_ALIVE_TIMEOUT, HEADERS_TIMEOUT. Shutdown follows
 * adapter-node's own index.js: on SIGTERM/SIGINT stop accepting, close idle
 * connections, emit `sveltekit:shutdown` once the server is closed (the platform closes
 * its pools on it), and close what is still open after SHUTDOWN_TIMEOUT seconds.
 * Plain JavaScript, so the build runs with `node` alone.
 */
import http from 'node:http';
import process from 'node:process';

/** @typedef {(req: http.IncomingMessage, res: http.ServerResponse) => boolean} LeanHandler */

/**
 * @param {URL} buildDir the app's build folder (with a trailing slash)
 * @returns {Promise<http.Server>}
 */
export async function serve(buildDir) {
	// Importing handler.js initialises the SvelteKit server, which runs hooks.server.ts,
	// which registers the app's lean handler (registerLeanHandler in platform/web/lean.ts).
	/** @type {{ handler: (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void }} */
	const { handler } = await import(new URL('handler.js', buildDir).href);
	const lean = /** @type {LeanHandler | undefined} */ (/** @type {Record<symbol, unknown>} */ (globalThis)[Symbol.for('concierge.leanHandler')]);
	if (typeof lean !== 'function') throw new Error('the app did not register its lean handler (hooks.server.ts: registerLeanHandler)');

	const server = http.createServer((req, res) => {
		if (lean(req, res)) return;
		// As polka does in adapter-node's own server: an error that escapes SvelteKit's
		// handler (a request it could not even build, say) is answered, not left to crash
		// the process as an unhandled rejection.
		Promise.resolve()
			.then(() =>
				handler(req, res, () => {
					res.statusCode = 404;
					res.end('Not found');
				})
			)
			.catch((/** @type {unknown} */ e) => {
				const status = e && typeof e === 'object' && 'status' in e && typeof e.status === 'number' && e.status >= 400 ? e.status : 500;
				if (status >= 500)
					console.error(
						JSON.stringify({
							level: 'error',
							area: 'server',
							msg: 'request failed outside SvelteKit',
							method: req.method,
							path: req.url?.split('?')[0],
							error: e instanceof Error ? e.stack : String(e)
						})
					);
				if (res.headersSent) return void res.destroy();
				res.statusCode = status;
				res.end(http.STATUS_CODES[status]);
			});
	});
	const seconds = (/** @type {string} */ name) => {
		const v = process.env[name];
		return v ? Number(v) * 1000 : undefined;
	};
	const keepAlive = seconds('KEEP_ALIVE_TIMEOUT');
	if (keepAlive !== undefined) server.keepAliveTimeout = keepAlive;
	const headersTimeout = seconds('HEADERS_TIMEOUT');
	if (headersTimeout !== undefined) server.headersTimeout = headersTimeout;

	const host = process.env.HOST || '0.0.0.0';
	const port = Number(process.env.PORT || 3000);
	await new Promise((resolve) => server.listen(port, host, () => resolve(undefined)));
	console.log(`Listening on http://${host}:${port}`);

	/** @type {NodeJS.Timeout | undefined} */
	let forced;
	const shutdown = (/** @type {string} */ reason) => {
		if (forced) return;
		server.closeIdleConnections();
		server.close((error) => {
			if (error) return;
			clearTimeout(forced);
			// @ts-expect-error custom event, as adapter-node emits it
			process.emit('sveltekit:shutdown', reason);
		});
		forced = setTimeout(() => server.closeAllConnections(), Number(process.env.SHUTDOWN_TIMEOUT || 30) * 1000);
		forced.unref();
	};
	process.on('SIGTERM', () => shutdown('SIGTERM'));
	process.on('SIGINT', () => shutdown('SIGINT'));
	server.on('request', (req) => req.on('close', () => forced && server.closeIdleConnections()));
	return server;
}
