/**
 * postgres.js 3.4.9 hands a query (or `sql.reserve()`) the idle connection that has been
 * idle longest (its `open` queue is first in, first out), so a pool of 20 sends
 * consecutive requests to 20 different PostgreSQL backends in turn, each one cold (its
 * process asleep, its memory out of the CPU's caches) and every pooled connection kept
 * alive by the rotation. This makes the pool a stack, as node-postgres's pool and pgcat
 * are: the connection released last is used next, the others are used only under
 * concurrency, and those nobody needs close after `idle_timeout` (platform/db.server.ts).
 * Measured on the ring bench (bench/ring.ts, 1,000 kiosks): see docs/benchmarks.md.
 *
 * Only the choice among idle connections changes (`open.shift()` becomes `open.pop()`, with
 * a `pop` added to the driver's queue); waiting queries are still served in order. Applied
 * by infra/patches/postgres.mjs (idempotent; fails loudly when the code it patches is not
 * there, so an upgrade of postgres.js is looked at). Checked by platform/db-driver.db.test.ts.
 */
const MARK = '/* concierge: idle connections as a stack */';

/** [file, what must be there, what it becomes] for each build of the driver (ESM, CommonJS, Cloudflare). */
const edits = (dir) => [
	[`${dir}/index.js`, /\? open\.shift\(\)/, `? open.pop() ${MARK}`],
	[`${dir}/index.js`, /return go\(open\.shift\(\), query\)/, `return go(open.pop(), query) ${MARK}`],
	[
		`${dir}/queue.js`,
		/( *)shift: \(\) => \{/,
		(_, indent) =>
			[
				`${indent}${MARK}`,
				`${indent}pop: () => {`,
				`${indent}  const out = xs.pop()`,
				`${indent}  if (xs.length === index) {`,
				`${indent}    index = 0`,
				`${indent}    xs = []`,
				`${indent}  }`,
				`${indent}  return out`,
				`${indent}},`,
				`${indent}shift: () => {`
			].join('\n')
	]
];

/** @type {import('./postgres.mjs').Patch} */
export default {
	mark: MARK,
	edits,
	missing: (version, rel, from) =>
		`postgres.js ${version}: ${rel} no longer has the code this patch changes (${from}). Check how the release picks an idle connection, then update or remove infra/patches/postgres-pool-lifo.mjs.`,
	done: (version, n) => `postgres.js ${version}: the pool reuses the connection released last (${n} edits)`
};
