// Preloaded into a process under measurement (node --expose-gc --require bench/memprobe.cjs):
// on SIGUSR2 it collects garbage twice and writes process.memoryUsage(), with the committed and
// used bytes of each V8 heap space, to a file the bench reads. MEMPROBE_SNAP=1 also writes a heap
// snapshot at each probe (/tmp/snap-<pid>-<n>.heapsnapshot), to see which objects a stream keeps.
let probes = 0;
process.on('SIGUSR2', () => {
	const v8 = require('node:v8');
	global.gc?.();
	global.gc?.();
	const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { committed: s.physical_space_size, used: s.space_used_size }]));
	if (process.env.MEMPROBE_SNAP) v8.writeHeapSnapshot(`/tmp/snap-${process.pid}-${probes++}.heapsnapshot`);
	require('node:fs').writeFileSync(`/tmp/concierge-memprobe-${process.pid}.json`, JSON.stringify({ ...process.memoryUsage(), spaces }));
});
