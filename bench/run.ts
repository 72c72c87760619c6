/**
 * npm run bench -- <name> [<name> ...]
 * Each bench/<name>.ts exports `default async function (out: (line: object) => void)`.
 * Every result line is JSON, printed to stdout and appended to bench/results/<name>.jsonl
 * together with the machine, the time of the run and the machine's load average (1, 5 and
 * 15 minutes, from `os.loadavg()`) when the run started and when the line was written:
 * the machine may be shared, and a figure measured under load must say so.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { cpus, totalmem, hostname, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./', import.meta.url));
const names = process.argv.slice(2);
if (!names.length) {
	console.error('usage: npm run bench -- <name> [...]   (benches: files in bench/ other than run.ts)');
	process.exit(2);
}
mkdirSync(dir + 'results', { recursive: true });
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), host: hostname(), node: process.version };
const runAt = new Date().toISOString();
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const loadAtStart = load();
let failed = false;
for (const name of names) {
	if (!/^[a-z-]+$/.test(name) || !existsSync(`${dir}${name}.ts`)) {
		console.error(`no bench named "${name}"`);
		failed = true;
		continue;
	}
	const mod = (await import(`./${name}.ts`)) as { default: (out: (line: Record<string, unknown>) => void) => Promise<void> };
	const out = (line: Record<string, unknown>) => {
		const full = { ...line, bench: name, runAt, machine, loadAvg: { atStart: loadAtStart, atLine: load() } };
		console.log(JSON.stringify(line));
		appendFileSync(`${dir}results/${name}.jsonl`, JSON.stringify(full) + '\n');
	};
	try {
		await mod.default(out);
	} catch (e) {
		console.error(`bench ${name} failed:`, e);
		failed = true;
	}
}
process.exit(failed ? 1 : 0);
