// The bare Node SSE server bench/ring.ts compares the apps with: a node:http server that
// holds streams opened at /events and writes one event to every one of them per POST
// /push?id=. ring.ts times its push inside the bench's process and in a process of its own,
// and measures its memory per idle stream (the floor) in a process of its own. Run directly
// (`node bare-push-server.cjs`) it listens on 127.0.0.1, on PORT or a free port, and sends
// its parent the port.
const http = require('node:http');

/** Start the server (port 0: a free one); resolves with the port and a close function. */
function start(port = 0) {
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
	return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ port: server.address().port, close: () => server.close() })));
}

module.exports = { start };
if (require.main === module) start(Number(process.env.PORT ?? 0)).then(({ port }) => process.send?.({ port }));
