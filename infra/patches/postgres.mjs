#!/usr/bin/env node
/**
 * Our three patches to the installed postgres.js (3.4.9), applied in order:
 *   - postgres-begin.mjs: `sql.begin()` reserves its connection on write (porsager/postgres#1189);
 *   - postgres-pool-lifo.mjs: the pool reuses the idle connection released last;
 *   - postgres-write-batch.mjs: a turn's queries leave in one socket write up to 64 KB.
 * Run by `npm install` (postinstall), and by infra/test.sh and infra/start.sh for a
 * node_modules installed before a patch existed. Idempotent: a file that already carries a
 * patch's mark is left as it is. Fails loudly (exit 1, naming the patch to look at) when
 * the code a patch changes is not there, as after an upgrade of the driver.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import begin from './postgres-begin.mjs';
import poolLifo from './postgres-pool-lifo.mjs';
import writeBatch from './postgres-write-batch.mjs';

/**
 * @typedef {object} Patch
 * @property {string} mark a comment each patched file carries
 * @property {(dir: string) => [string, RegExp, string | ((match: string, ...groups: string[]) => string)][]} edits
 *   [file, what must be there, what it becomes] for one build of the driver
 * @property {(version: string, rel: string, from: RegExp) => string} missing the message when the code is not there
 * @property {(version: string, edits: number) => string} done the message after patching
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = join(root, 'node_modules/postgres');
if (!existsSync(pkg)) process.exit(0); // not installed yet
const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;

for (const patch of [begin, poolLifo, writeBatch]) {
	let patched = 0;
	// Each build of the driver: ESM, CommonJS, Cloudflare.
	for (const dir of ['src', 'cjs/src', 'cf/src']) {
		if (!existsSync(join(pkg, dir, 'index.js'))) continue;
		/** Each file's text with this dir's edits made; a file already marked was patched by an earlier run. */
		const files = new Map();
		for (const [rel, from, to] of patch.edits(dir)) {
			const file = join(pkg, rel);
			const src = files.get(file) ?? readFileSync(file, 'utf8');
			if (!files.has(file) && src.includes(patch.mark)) continue;
			if (!from.test(src)) {
				console.error(patch.missing(version, rel, from));
				process.exit(1);
			}
			files.set(file, src.replace(from, /** @type {any} */ (to)));
			patched++;
		}
		for (const [file, src] of files) if (readFileSync(file, 'utf8') !== src) writeFileSync(file, src);
	}
	if (patched) console.log(patch.done(version, patched));
}
