/**
 * The lean SSE handler's one reach into Node's internals (forgetSentHead): the head a
 * response keeps after sending it is swapped for a shared string. These tests fail if a
 * Node version stores the head otherwise (then the saving is gone, and this says so), or if
 * the swap changes what a client receives.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forgetSentHead } from './lean.ts';

const test = suite('lean handler: the sent head');

function serve(handler: http.RequestListener): Promise<{ url: string; close: () => void }> {
	const server = http.createServer(handler);
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({
				url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
				close: () => {
					server.closeAllConnections();
					server.close();
				}
			})
		)
	);
}

test('after the head is sent, the response keeps a shared string; the client gets the full head, every chunk and a clean end', async () => {
	const seen: { before: number; after: unknown; headersSent: boolean; setHeader: string }[] = [];
	const s = await serve((req, res) => {
		res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'r-1', 'content-security-policy': "default-src 'none'" });
		res.flushHeaders();
		const before = String((res as unknown as { _header: string })._header).length;
		forgetSentHead(res);
		let setHeader = 'allowed';
		try {
			res.setHeader('x-late', '1');
		} catch (e) {
			setHeader = (e as { code?: string }).code ?? 'threw';
		}
		seen.push({ before, after: (res as unknown as { _header: unknown })._header, headersSent: res.headersSent, setHeader });
		res.write('event: a\ndata: 1\n\n');
		setTimeout(() => res.end('event: b\ndata: 2\n\n'), 20);
	});
	try {
		const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
		const get = () =>
			new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; socket: unknown }>((resolve, reject) => {
				const req = http.get(s.url, { agent }, (res) => {
					let body = '';
					res.setEncoding('utf8');
					res.on('data', (d) => (body += d));
					res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, socket: req.socket }));
				});
				req.on('error', reject);
			});
		const first = await get();
		const second = await get();
		assert.is(first.status, 200);
		assert.is(first.headers['x-request-id'], 'r-1');
		assert.is(first.headers['content-security-policy'], "default-src 'none'");
		assert.is(first.headers['transfer-encoding'], 'chunked');
		assert.is(first.body, 'event: a\ndata: 1\n\nevent: b\ndata: 2\n\n');
		assert.is(second.body, first.body, 'the kept-alive connection serves the next response');
		assert.is(second.socket, first.socket, 'on the same connection');
		assert.is(seen.length, 2);
		for (const x of seen) {
			assert.ok(x.before > 100, `Node kept the sent head as a string (${x.before} chars)`);
			assert.type(x.after, 'string');
			assert.ok((x.after as string).length < 40, 'and now keeps the shared one');
			assert.ok(x.headersSent, 'headersSent still true');
			assert.is(x.setHeader, 'ERR_HTTP_HEADERS_SENT', 'a late header is still refused');
		}
		agent.destroy();
	} finally {
		s.close();
	}
});

test('a head not yet sent is left alone', async () => {
	const res = new http.ServerResponse(new http.IncomingMessage(null as never));
	res.setHeader('x-a', '1');
	forgetSentHead(res);
	assert.is((res as unknown as { _header: unknown })._header, null);
	assert.not.ok(res.headersSent);
});

test.run();
