// Preloaded into an app under measurement when BENCH_CPU_PROF=<dir> (node --require bench/cpuprof.cjs):
// the first SIGWINCH starts a V8 CPU profile, the next one writes it to <dir>/<BENCH_CPU_PROF_NAME>.cpuprofile,
// so a profile covers one phase of a bench (bench/ring.ts: the rings), not the setup before it.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const session = new inspector.Session();
session.connect();
let running = false;
process.on('SIGWINCH', () => {
	if (!running) {
		running = true;
		session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')));
		return;
	}
	running = false;
	session.post('Profiler.stop', (err, res) => {
		const file = `${process.env.BENCH_CPU_PROF}/${process.env.BENCH_CPU_PROF_NAME}.cpuprofile`;
		if (!err) writeFileSync(file, JSON.stringify(res.profile));
		writeFileSync(`${file}.done`, err ? String(err) : 'ok');
	});
});
