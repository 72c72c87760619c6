// The bare Node SSE push that bench/ring.ts compares a ring with: a node:http server that
// writes one event to every open stream per POST /push?id=. ring.ts runs it in its own
// process (the bench times it as it does the apps: across processes) and, as it always
// has, inside the bench's process. Run directly (`node bare-push-server.cjs`) it listens
// on a free port of 127.0.0.1 and sends the port to its parent.
const http = require('node:http');

/** Start the server on a free port; resolves with the port and a close function. */
function start() {
	const clients = new Set();
	const server = http.createServer((req, res) => {
		if (req.url === '/events') {
			res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
			res.write('retry: 2000\n\n');
			clients.add(res);
			req.on('close', () => clients.delete(res));
			return;
		}
		if (req.method === 'POST' && req.url?.startsWith('/push')) {
			const id = new URL(req.url, 'http://x').searchParams.get('id') ?? '';
			for (const c of clients) c.write(`event: ping\ndata: ${id}\n\n`);
			res.end('ok');
			return;
		}
		res.statusCode = 404;
		res.end();
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => server.close() })));
}

module.exports = { start };
if (require.main === module) start().then(({ port }) => process.send?.({ port }));
