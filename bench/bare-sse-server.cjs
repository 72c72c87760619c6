// The floor for bench/ring.ts's memory figure: a bare Node SSE server holding idle streams.
const http = require('node:http');
const open = new Set();
http
	.createServer((req, res) => {
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
		res.write('retry: 2000\n\n');
		open.add(res);
		req.on('close', () => open.delete(res));
	})
	.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('up'));
