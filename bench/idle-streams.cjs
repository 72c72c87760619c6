// A separate load-generator process for bench/ring.ts: holds many idle SSE streams
// (10,000 kiosks) so the bench process that times the rings is not also busy with them.
// Driven over IPC: {open: {origin, path, cookies}} -> {opened, failed}; {close: true} -> {closed};
// {cpu: true} -> {cpu: process.cpuUsage()} (microseconds of user and system CPU).
const http = require('node:http');

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const open = [];

function one(origin, path, cookie) {
	return new Promise((resolve) => {
		const req = http.get(origin + path, { agent, headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } }, (res) => {
			if (res.statusCode !== 200) {
				res.resume();
				return resolve(false);
			}
			res.on('data', () => {});
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
	} else if (m.cpu) {
		process.send({ cpu: process.cpuUsage() });
	}
});
process.send({ ready: true });
