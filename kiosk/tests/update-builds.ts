/**
 * Two builds of both apps for the release tests (kiosk/tests/update-*.test.ts): build 1 is
 * the one `npm test -- web` made (kiosk/build, console/build); build 2 is built here with
 * another APP_VERSION into the run folder (APP_BUILD_DIR, APP_KIT_DIR: svelte.config.js),
 * and either is served on the test ports by the apps' own server (platform/web/server.js),
 * so a test can swap one for the other on the same port, as a deploy does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const runDir = (process.env.RUN_DIR ?? root + '.run/test') + '/release-builds/';

export type AppName = 'kiosk' | 'console';

export interface Build {
	/** Each app's version id (two builds without APP_VERSION get two build times). */
	version: Record<AppName, string>;
	dir: Record<AppName, string>;
}

const versionOf = (dir: string) => (JSON.parse(readFileSync(dir + 'client/_app/version.json', 'utf8')) as { version: string }).version;

/** The build `npm test -- web` made. */
export function firstBuild(): Build {
	const dir = { kiosk: root + 'kiosk/build/', console: root + 'console/build/' };
	return { version: { kiosk: versionOf(dir.kiosk), console: versionOf(dir.console) }, dir };
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<void> {
	return new Promise((resolve, reject) => {
		const out: string[] = [];
		const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
		child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
		child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} in ${cwd} exited ${code}:\n${out.join('').slice(-3000)}`))));
	});
}

/** Build both apps again with this version, beside build 1 (about a minute on two cores). */
export async function buildAgain(version: string): Promise<Build> {
	// Earlier runs' second builds go first: at most one set stays in the run folder.
	rmSync(runDir, { recursive: true, force: true });
	const dir = { kiosk: `${runDir}kiosk-${version}/`, console: `${runDir}console-${version}/` };
	for (const app of ['kiosk', 'console'] as const)
		await run(process.execPath, [root + 'node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'], root + app, {
			APP_VERSION: version,
			APP_BUILD_DIR: dir[app],
			APP_KIT_DIR: `${runDir}kit-${app}-${version}`
		});
	return { version: { kiosk: versionOf(dir.kiosk), console: versionOf(dir.console) }, dir };
}

export interface Served {
	origin: string;
	log: string[];
	stop(): Promise<void>;
}

/** Serve one app of a build on a port (its own server, as in production), resolved once it answers. */
export function serve(app: AppName, build: Build, port: number): Promise<Served> {
	const origin = `http://127.0.0.1:${port}`;
	const script = `import { serve } from ${JSON.stringify(root + 'platform/web/server.js')}; await serve(new URL(${JSON.stringify('file://' + build.dir[app])}));`;
	const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script], {
		cwd: root + app,
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: origin,
			BODY_SIZE_LIMIT: '512K',
			SIGNIN_PER_MINUTE: '100000',
			SHUTDOWN_TIMEOUT: '10'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const log: string[] = [];
	const keep = (d: Buffer) => log.push(...d.toString().split('\n').filter(Boolean));
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	const stop = () =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGTERM');
			setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
		});
	return new Promise((resolve, reject) => {
		const deadline = Date.now() + 30_000;
		const poll = async () => {
			if (child.exitCode !== null) return reject(new Error(`${app} ${build.version[app]} exited: ${log.join('\n')}`));
			try {
				const r = await fetch(origin + '/login');
				if (r.ok) return resolve({ origin, log, stop });
			} catch {}
			if (Date.now() > deadline) {
				await stop();
				return reject(new Error(`${app} ${build.version[app]} did not start on ${origin}: ${log.join('\n')}`));
			}
			setTimeout(() => void poll(), 150);
		};
		void poll();
	});
}

/** The version a page reports (the layout's <meta name="app-version">, rendered by the server that served it). */
export const PAGE_VERSION = `document.querySelector('meta[name="app-version"]')?.getAttribute('content')`;
