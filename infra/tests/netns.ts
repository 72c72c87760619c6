/**
 * Hosts built from Linux network namespaces for the infra tests: namespaces joined
 * by veth pairs (addresses from 198.18.0.0/15, the benchmarking range), nftables
 * inside a namespace, processes started inside one, a TCP forwarder from a
 * namespace to the host's PostgreSQL, and Chromium inside a namespace. Everything
 * is created under names of this test slot and deleted again; nothing leaves the
 * machine. Needs root.
 */
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';

export const slot = Number(process.env.TEST_SLOT ?? 0);

/** Whether `ip netns` works here (root, iproute2, namespaces allowed). */
export function netnsAvailable(): { ok: boolean; why: string } {
	const probe = `cgprobe${slot}`;
	const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
	if (add.status !== 0) return { ok: false, why: (add.stderr || add.error?.message || 'ip netns add failed').trim() };
	spawnSync('ip', ['netns', 'del', probe]);
	return { ok: true, why: '' };
}

export function run(cmd: string, args: string[], input?: string): string {
	return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function inNs(ns: string, cmd: string, args: string[], input?: string): string {
	return run('ip', ['netns', 'exec', ns, cmd, ...args], input);
}

const execFileAsync = promisify(execFile);

/** inNs without blocking the event loop (the test process itself forwards PostgreSQL to the namespaces). */
export async function inNsAsync(ns: string, cmd: string, args: string[]): Promise<string> {
	return (await execFileAsync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8' })).stdout;
}

export class Namespaces {
	readonly names: string[] = [];
	readonly links: string[] = [];

	constructor(readonly prefix: string) {}

	name(short: string): string {
		return `${this.prefix}${short}`;
	}

	/** A namespace with loopback up and its own /etc/hosts (ip netns exec bind-mounts /etc/netns/NAME/hosts). */
	add(short: string, hosts = ''): string {
		const ns = this.name(short);
		spawnSync('ip', ['netns', 'del', ns]);
		run('ip', ['netns', 'add', ns]);
		this.names.push(ns);
		inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
		mkdirSync(`/etc/netns/${ns}`, { recursive: true });
		writeFileSync(`/etc/netns/${ns}/hosts`, `127.0.0.1 localhost\n${hosts}`);
		return ns;
	}

	/** A veth pair between two namespaces (null: the host's own), with an address on each end. */
	link(id: string, a: string | null, aAddr: string, b: string | null, bAddr: string): void {
		const ea = `${this.prefix}${id}a`;
		const eb = `${this.prefix}${id}b`;
		spawnSync('ip', ['link', 'del', ea]);
		run('ip', ['link', 'add', ea, 'type', 'veth', 'peer', 'name', eb]);
		this.links.push(ea);
		for (const [end, ns, addr] of [
			[ea, a, aAddr],
			[eb, b, bAddr]
		] as const) {
			if (ns) run('ip', ['link', 'set', end, 'netns', ns]);
			const ip = (args: string[]) => (ns ? inNs(ns, 'ip', args) : run('ip', args));
			ip(['addr', 'add', addr, 'dev', end]);
			ip(['link', 'set', end, 'up']);
		}
	}

	/** Delete everything this object made. */
	destroy(): void {
		for (const ns of this.names) {
			spawnSync('ip', ['netns', 'del', ns]);
			rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
		}
		for (const l of this.links) spawnSync('ip', ['link', 'del', l]);
		this.names.length = 0;
		this.links.length = 0;
	}
}

/** A long-running process inside a namespace (or the host when ns is null), with its output kept. */
export class Proc {
	readonly log: string[] = [];
	readonly child: ChildProcess;

	constructor(
		readonly name: string,
		ns: string | null,
		cmd: string,
		args: string[],
		env: NodeJS.ProcessEnv,
		cwd?: string
	) {
		const [c, a] = ns ? ['ip', ['netns', 'exec', ns, cmd, ...args]] : [cmd, args];
		this.child = spawn(c, a, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		const keep = (d: Buffer) => {
			this.log.push(...d.toString().split('\n').filter(Boolean));
			if (this.log.length > 3000) this.log.splice(0, this.log.length - 3000);
		};
		this.child.stdout!.on('data', keep);
		this.child.stderr!.on('data', keep);
	}

	get exited(): boolean {
		return this.child.exitCode !== null || this.child.signalCode !== null;
	}

	tail(n = 30): string {
		return `--- ${this.name} ---\n${this.log.slice(-n).join('\n')}`;
	}

	/** SIGTERM, then SIGKILL after graceMs. */
	stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
		return new Promise((resolve) => {
			if (this.exited) return resolve();
			const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
			this.child.once('exit', () => {
				clearTimeout(t);
				resolve();
			});
			this.child.kill(signal);
		});
	}
}

/** TCP forwarder on host:port (in the host namespace) to a local port, e.g. PostgreSQL on 127.0.0.1. */
export function forward(host: string, port: number, toPort: number, toHost = '127.0.0.1'): Promise<Server> {
	const server = createServer((socket) => {
		const upstream = connect(toPort, toHost);
		socket.pipe(upstream).pipe(socket);
		const end = () => {
			socket.destroy();
			upstream.destroy();
		};
		socket.on('error', end);
		upstream.on('error', end);
		socket.on('close', end);
		upstream.on('close', end);
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve(server));
	});
}

/**
 * An executable that runs Chromium inside a namespace with HOME set to a directory
 * whose NSS database trusts the given CA (Chromium reads $HOME/.pki/nssdb), so HTTPS,
 * WSS and TURN over TLS all verify against it as a real device's trust store would.
 */
export function chromiumIn(ns: string, dir: string, caFile: string): string {
	const home = `${dir}/home-${ns}`;
	mkdirSync(`${home}/.pki/nssdb`, { recursive: true });
	run('certutil', ['-N', '-d', `sql:${home}/.pki/nssdb`, '--empty-password']);
	run('certutil', ['-A', '-d', `sql:${home}/.pki/nssdb`, '-n', 'concierge-test-ca', '-t', 'C,,', '-i', caFile]);
	const wrapper = `${dir}/chromium-${ns}.sh`;
	writeFileSync(wrapper, `#!/bin/sh\nexport HOME=${home}\nexec ip netns exec ${ns} ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} "$@"\n`);
	chmodSync(wrapper, 0o755);
	return wrapper;
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 30_000, every = 250): Promise<T> {
	const end = Date.now() + ms;
	let last: unknown = null;
	for (;;) {
		try {
			const v = await fn();
			if (v) return v;
		} catch (e) {
			last = e;
		}
		if (Date.now() > end) throw new Error(`timed out waiting for: ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
		await new Promise((r) => setTimeout(r, every));
	}
}
