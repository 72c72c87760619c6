// A separate load-generator process for bench/ring.ts: holds many idle SSE streams
// (10,000 kiosks) so the bench process that times the rings is not also busy with them.
// Driven over IPC: {open: {origin, path, cookies}} -> {opened, failed}; {close: true} -> {closed};
// {cpu: true} -> {cpu: process.cpuUsage()} (microseconds of user and system CPU);
// {bytes: true} -> {bytes, frames, byType}: what the streams have received so far (frames: SSE events, heartbeats
// included; byType: frames per event type, heartbeat comments as "heartbeat").
const http = require('node:http');

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const open = [];
let bytes = 0;
let frames = 0;
const byType = {};
const tally = (type) => (byType[type] = (byType[type] ?? 0) + 1);

function one(origin, path, cookie) {
	return new Promise((resolve) => {
		const req = http.get(origin + path, { agent, headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } }, (res) => {
			if (res.statusCode !== 200) {
				res.resume();
				return resolve(false);
			}
			let rest = '';
			res.setEncoding('utf8');
			res.on('data', (chunk) => {
				bytes += Buffer.byteLength(chunk);
				rest += chunk;
				let i;
				while ((i = rest.indexOf('\n\n')) >= 0) {
					const block = rest.slice(0, i);
					rest = rest.slice(i + 2);
					frames++;
					tally(block.startsWith(':') ? 'heartbeat' : (/^event: (.*)$/m.exec(block)?.[1] ?? 'message'));
				}
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
		process.send({ bytes, frames, byType: { ...byType } });
	} else if (m.cpu) {
		process.send({ cpu: process.cpuUsage() });
	}
});
process.send({ ready: true });
