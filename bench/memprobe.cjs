// Preloaded into a process under measurement (node --expose-gc --require bench/memprobe.cjs):
// on SIGUSR2 it collects garbage twice and writes process.memoryUsage() to a file the bench reads.
process.on('SIGUSR2', () => {
	global.gc?.();
	global.gc?.();
	require('node:fs').writeFileSync(`/tmp/concierge-memprobe-${process.pid}.json`, JSON.stringify(process.memoryUsage()));
});
