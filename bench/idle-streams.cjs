// A separate load-generator process for bench/ring.ts: holds many idle SSE streams
// (10,000 kiosks) so the bench process that times the rings is not also busy with them.
// Driven over IPC: {open: {origin, path, cookies}} -> {opened, failed}; {close: true} -> {closed};
// {cpu: true} -> {cpu: process.cpuUsage()} (microseconds of user and system CPU);
// {bytes: true} -> {bytes, frames}: what the streams have received so far (frames: SSE events, heartbeats included).
const http = require('node:http');

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const open = [];
let bytes = 0;
let frames = 0;

function one(origin, path, cookie) {
	return new Promise((resolve) => {
		const req = http.get(origin + path, { agent, headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } }, (res) => {
			if (res.statusCode !== 200) {
				res.resume();
				return resolve(false);
			}
			res.on('data', (chunk) => {
				bytes += chunk.length;
				for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) if (chunk[i + 1] === 10) frames++;
			});
			open.push(req);
			resolve(true);
		});
		req.on('error', () => resolve(false));
	});
}

process.on('message', async (m) => {
	if (m.open) {
		const { origin, path, cookies } = m.open;
		let opened = 0;
		let failed = 0;
		for (let i = 0; i < cookies.length; i += 100) {
			const ok = await Promise.all(cookies.slice(i, i + 100).map((c) => one(origin, path, c)));
			for (const x of ok) x ? opened++ : failed++;
		}
		process.send({ opened, failed });
	} else if (m.close) {
		for (const r of open.splice(0)) r.destroy();
		process.send({ closed: true });
	} else if (m.bytes) {
		process.send({ bytes, frames });
	} else if (m.cpu) {
		process.send({ cpu: process.cpuUsage() });
	}
});
process.send({ ready: true });
