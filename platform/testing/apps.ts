/**
 * Starts the built kiosk and console apps (node <app>/server.js: SvelteKit behind the lean handlers) once per test run, on the
 * test ports, against the test database and LiveKit. Browser and HTTP tests call
 * startApps(); run.ts stops them at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Apps {
	kiosk: string;
	console: string;
}

let started: Promise<Apps> | null = null;
const children: ChildProcess[] = [];
export const appLogs: Record<string, string[]> = { kiosk: [], console: [] };

function launch(name: 'kiosk' | 'console', port: number): Promise<string> {
	const origin = `http://127.0.0.1:${port}`;
	// The app's own server (platform/web/server.js): SvelteKit's handler behind the lean handlers.
	const child = spawn(process.execPath, [root + `${name}/server.js`], {
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: origin,
			BODY_SIZE_LIMIT: process.env.BODY_SIZE_LIMIT ?? '512K',
			// Every test signs in from 127.0.0.1; the per-IP limiter has its own unit test.
			SIGNIN_PER_MINUTE: process.env.SIGNIN_PER_MINUTE ?? '100000'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	children.push(child);
	const keep = (d: Buffer) => {
		const lines = appLogs[name]!;
		lines.push(...d.toString().split('\n').filter(Boolean));
		if (lines.length > 2000) lines.splice(0, lines.length - 2000);
	};
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	return new Promise((resolve, reject) => {
		const deadline = Date.now() + 20_000;
		const poll = async () => {
			if (child.exitCode !== null) return reject(new Error(`${name} exited: ${appLogs[name]!.join('\n')}`));
			try {
				const r = await fetch(origin + '/login');
				if (r.ok) return resolve(origin);
			} catch {}
			if (Date.now() > deadline) return reject(new Error(`${name} did not start on ${origin}`));
			setTimeout(() => void poll(), 150);
		};
		void poll();
	});
}

export function startApps(): Promise<Apps> {
	started ??= (async () => {
		const [kiosk, console] = await Promise.all([launch('kiosk', Number(process.env.TEST_KIOSK_PORT ?? 5183)), launch('console', Number(process.env.TEST_CONSOLE_PORT ?? 5184))]);
		return { kiosk, console };
	})();
	return started;
}

export async function stopApps(): Promise<void> {
	await Promise.all(
		children.map(
			(c) =>
				new Promise<void>((resolve) => {
					if (c.exitCode !== null) return resolve();
					c.once('exit', () => resolve());
					c.kill('SIGTERM');
					setTimeout(() => c.kill('SIGKILL'), 3000).unref();
				})
		)
	);
	children.length = 0;
	started = null;
}

let worker: ChildProcess | null = null;
export const workerLog: string[] = [];

/**
 * The real job worker (`npm run worker`) as a child process, once per run: ring
 * timeouts and remote-disable retries run there, as in production.
 */
export function startWorkerProcess(): Promise<void> {
	if (worker && worker.exitCode === null) return Promise.resolve();
	worker = spawn(process.execPath, ['--import', 'tsx', root + 'platform/jobs/worker.ts'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
	children.push(worker);
	const w = worker;
	return new Promise((resolve, reject) => {
		const onData = (d: Buffer) => {
			const text = d.toString();
			workerLog.push(...text.split('\n').filter(Boolean));
			if (workerLog.length > 5000) workerLog.splice(0, workerLog.length - 5000);
			if (text.includes('worker ready')) resolve();
		};
		w.stdout!.on('data', onData);
		w.stderr!.on('data', onData);
		w.once('exit', (code) => reject(new Error(`worker exited (${code}): ${workerLog.slice(-20).join('\n')}`)));
		setTimeout(() => reject(new Error('worker did not become ready')), 30_000).unref();
	});
}
