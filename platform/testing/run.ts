/**
 * The test runner behind `npm test` (infra/test.sh starts the services first).
 * Runs every uvu test file of the given groups in one process, so the built apps,
 * the browser and the pools are started once, then closes them and prints one
 * closing line: `N passed, N failed`.
 *
 *   node --import tsx platform/testing/run.ts [unit|db|web|all] [filter-regex]
 *
 * unit: *.test.ts without services (platform/, and eslint-rules/ for the lint config); db: *.db.test.ts (PostgreSQL, LiveKit);
 * web: kiosk/tests and console/tests (built apps, Chromium).
 * infra: infra/tests/*.infra.test.ts (network namespaces, Caddy, TURN, several LiveKit
 * nodes and app instances; root only; the slowest group).
 * With `all`, infra/test.sh has run the lint group first (infra/lint.sh) and names
 * its counts file in LINT_COUNTS: each check is one pass or fail in the closing line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'uvu/parse';
import { run } from 'uvu/run';
import { migrate } from '../migrate.server.ts';
import { closeDb } from '../db.server.ts';
import { closeOwnerDb, ownerUrl, resetSchema } from './db.ts';
import { stopApps } from './apps.ts';
import { closeBrowser } from './browser.ts';
import { runClosers } from './closers.ts';

const group = process.argv[2] ?? 'all';
const filter = process.argv[3] ? new RegExp(process.argv[3]) : null;
process.env.NODE_ENV ??= 'test';

const groups: Record<string, { dir: string; pattern: RegExp; ignore?: RegExp }[]> = {
	unit: [
		{ dir: 'platform', pattern: /\.test\.ts$/, ignore: /\.db\.test\.ts$/ },
		{ dir: 'eslint-rules', pattern: /\.test\.ts$/ }
	],
	db: [
		{ dir: 'platform', pattern: /\.db\.test\.ts$/ },
		{ dir: 'infra/tests', pattern: /\.db\.test\.ts$/ }
	],
	web: [
		{ dir: 'kiosk/tests', pattern: /\.test\.ts$/ },
		{ dir: 'console/tests', pattern: /\.test\.ts$/ }
	],
	// The heavy group: network namespaces (firewall traversal) and the scale-out topology.
	infra: [{ dir: 'infra/tests', pattern: /\.infra\.test\.ts$/ }]
};
const chosen = group === 'all' ? [...groups.unit!, ...groups.db!, ...groups.web!, ...groups.infra!] : groups[group];
if (!chosen) {
	console.error(`unknown group "${group}" (unit, db, web, infra, all)`);
	process.exit(2);
}

const suites: { name: string; file: string }[] = [];
for (const g of chosen) {
	try {
		const ctx = await parse(g.dir, g.pattern, { ignore: g.ignore });
		suites.push(...ctx.suites.filter((s) => !filter || filter.test(s.file)));
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
	}
}

if (group !== 'unit') {
	await resetSchema();
	await migrate(ownerUrl());
}

// uvu prints its own totals; read them as they pass to print the closing line.
let total = 0;
let passed = 0;
let skipped = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
	const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
	const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
	const t = /Total:\s+(\d+)/.exec(plain);
	const p = /Passed:\s+(\d+)/.exec(plain);
	const s = /Skipped:\s+(\d+)/.exec(plain);
	if (t) total = Number(t[1]);
	if (p) passed = Number(p[1]);
	if (s) skipped = Number(s[1]);
	return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

let crashed = false;
try {
	await run(suites, { bail: false });
} catch (e) {
	crashed = true;
	console.error(e);
}
process.stdout.write = write;

await Promise.allSettled([runClosers(), stopApps(), closeBrowser(), closeDb(), closeOwnerDb()]);
let failed = total - passed - skipped + (crashed ? 1 : 0);
const lint = lintCounts();
if (lint) {
	passed += lint.passed;
	failed += lint.failed;
	console.log(`\nlint: ${lint.passed} passed, ${lint.failed} failed${lint.names ? ` (${lint.names}: see test-results/lint.txt)` : ''}`);
}
console.log(`\n${group}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || process.exitCode ? 1 : 0);

/** The lint group's counts ("passed failed names…"); a missing file means the group did not finish: one failure. */
function lintCounts(): { passed: number; failed: number; names: string } | null {
	const file = process.env.LINT_COUNTS;
	if (!file) return null;
	if (!existsSync(file)) return { passed: 0, failed: 1, names: 'the lint group did not finish' };
	const [p, f, ...names] = readFileSync(file, 'utf8').trim().split(' ');
	return { passed: Number(p), failed: Number(f), names: names.join(' ') };
}
