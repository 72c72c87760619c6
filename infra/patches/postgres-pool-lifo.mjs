#!/usr/bin/env node
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
 * a `pop` added to the driver's queue); waiting queries are still served in order. Run by
 * `npm install` (postinstall) and by infra/test.sh and infra/start.sh; idempotent. It fails
 * loudly when the code it patches is not there, so an upgrade of postgres.js is looked at.
 * Checked by platform/db-driver.db.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = join(root, 'node_modules/postgres');
if (!existsSync(pkg)) process.exit(0); // not installed yet
const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
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

let patched = 0;
for (const dir of ['src', 'cjs/src', 'cf/src']) {
	if (!existsSync(join(pkg, dir, 'index.js'))) continue;
	/** Each file's text with this dir's edits made; a file already marked was patched by an earlier run. */
	const files = new Map();
	for (const [rel, from, to] of edits(dir)) {
		const file = join(pkg, rel);
		const src = files.get(file) ?? readFileSync(file, 'utf8');
		if (!files.has(file) && src.includes(MARK)) continue;
		if (!from.test(src)) {
			console.error(
				`postgres.js ${version}: ${rel} no longer has the code this patch changes (${from}). Check how the release picks an idle connection, then update or remove infra/patches/postgres-pool-lifo.mjs.`
			);
			process.exit(1);
		}
		files.set(file, src.replace(from, to));
		patched++;
	}
	for (const [file, src] of files) if (readFileSync(file, 'utf8') !== src) writeFileSync(file, src);
}
if (patched) console.log(`postgres.js ${version}: the pool reuses the connection released last (${patched} edits)`);
