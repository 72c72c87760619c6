/**
 * The production install (infra/prod/) without a systemd host: what
 * `install.sh --render-only` writes (a root-only env file with fresh secrets, a
 * Caddyfile Caddy accepts, LiveKit's config with TURN/TLS, units systemd-analyze
 * accepts), the renderers refusing development secrets and missing variables by
 * name, and the nightly backup: pg_dump with its retention count, and a restore
 * into a scratch database whose every table has the same number of rows.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';

const test = suite('production install and backups');
const root = fileURLToPath(new URL('../../', import.meta.url));
const livekitBin = `${process.env.CONCIERGE_CACHE ?? '/root/.cache/concierge'}/bin/livekit-server`;

function sh(args: string[], env: NodeJS.ProcessEnv = {}) {
	const r = spawnSync('bash', args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
	return { code: r.status, out: r.stdout + r.stderr };
}

function envFile(path: string): Record<string, string> {
	return Object.fromEntries(
		readFileSync(path, 'utf8')
			.split('\n')
			.filter((l) => /^[A-Z_]+=/.test(l))
			.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
	);
}

test('install --render-only: root-only env with fresh secrets, a valid Caddyfile, LiveKit with TURN/TLS, verified units', () => {
	const dir = mkdtempSync(join(tmpdir(), 'concierge-render-'));
	try {
		const r = sh(['infra/prod/install.sh', '--render-only', dir, '--domain', 'shop.test', '--public-ip', '198.18.0.10', '--turn-ip', '198.18.0.11', '--tls', 'internal'], {
			LIVEKIT_BIN: livekitBin
		});
		assert.is(r.code, 0, r.out);
		const envPath = join(dir, 'concierge.env');
		assert.is(statSync(envPath).mode & 0o777, 0o600, 'the env file is root only');
		const env = envFile(envPath);
		assert.is(env.CONCIERGE_ENV, 'production');
		for (const dev of ['owner-dev-password', 'app-dev-password', 'ops-dev-password', 'concierge-dev-secret', 'concierge-dev-metrics-token', '=devkey'])
			assert.not.match(readFileSync(envPath, 'utf8'), dev, `no development secret (${dev})`);
		const secrets = [env.DB_OWNER_PASSWORD, env.DB_APP_PASSWORD, env.DB_OPS_PASSWORD, env.LIVEKIT_API_SECRET, env.METRICS_TOKEN];
		assert.is(new Set(secrets).size, 5, 'every secret is its own');
		for (const s of secrets) assert.ok(s && s.length >= 24, 'long secrets');
		assert.is(env.TURN_HOST, 'turn.shop.test');
		assert.is(env.TURN_TLS_PORT, '443', 'TURN on 443 of its own address');
		// A second render keeps the existing secrets.
		assert.is(
			sh(['infra/prod/install.sh', '--render-only', dir, '--domain', 'shop.test', '--public-ip', '198.18.0.10', '--turn-ip', '198.18.0.11', '--tls', 'internal'], {
				LIVEKIT_BIN: livekitBin
			}).code,
			0
		);
		assert.is(envFile(envPath).LIVEKIT_API_SECRET, env.LIVEKIT_API_SECRET, 'secrets are generated once');

		const caddy = readFileSync(join(dir, 'Caddyfile'), 'utf8');
		assert.match(caddy, 'default_bind 198.18.0.10');
		assert.match(caddy, 'tls internal');
		assert.match(caddy, /@metrics path \/metrics/);
		const adapted = JSON.parse(
			execFileSync('caddy', ['adapt', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
		) as {
			apps: { http: { servers: Record<string, { listen: string[] }> } };
		};
		assert.equal(Object.values(adapted.apps.http.servers)[0]!.listen, ['198.18.0.10:443'], 'Caddy leaves 443 of the TURN address to LiveKit');

		const lk = readFileSync(join(dir, 'livekit.yaml'), 'utf8');
		assert.match(lk, /turn:\n {2}enabled: true\n {2}domain: turn.shop.test\n {2}tls_port: 443/);
		assert.match(lk, /bind_addresses:\n {4}- 198.18.0.11/);
		assert.match(lk, /tcp_port: 7881/);
		assert.match(lk, `${env.LIVEKIT_API_KEY}: ${env.LIVEKIT_API_SECRET}`);

		const units = readdirSync(dir).filter((f) => /\.(service|timer|target)$/.test(f));
		assert.ok(units.length >= 7, units.join(' '));
		for (const u of units) {
			const text = readFileSync(join(dir, u), 'utf8');
			assert.not.match(text, '@APP_DIR@');
			if (/kiosk|console|worker|livekit/.test(u)) {
				assert.match(text, 'Restart=always', `${u} restarts`);
				assert.match(text, 'RestartPreventExitStatus=78', `${u} does not loop on a refused configuration`);
				if (u.includes('livekit')) assert.not.match(text, 'EnvironmentFile=', 'livekit-server would take LIVEKIT_* variables as config overrides');
				else assert.match(text, 'EnvironmentFile=/etc/concierge/concierge.env');
			}
			// The apps run their own server (platform/web/server.js, with the lean handlers), not adapter-node's index.js.
			for (const app of ['kiosk', 'console'])
				if (u === `concierge-${app}.service`) assert.match(text, new RegExp(`^ExecStart=.* /opt/concierge/${app}/server\\.js$`, 'm'), `${u} runs ${app}/server.js`);
		}
		const verify = spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map((u) => join(dir, u))], { encoding: 'utf8' });
		assert.is(verify.status, 0, verify.stdout + verify.stderr);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test("every way of starting a built app runs its own server (the lean handlers), never adapter-node's build/index.js", () => {
	const starters = [
		'infra/start.sh',
		'infra/helm/Dockerfile',
		'infra/helm/concierge/templates/apps.yaml',
		'infra/prod/systemd/concierge-kiosk.service',
		'infra/prod/systemd/concierge-console.service'
	];
	for (const f of starters) {
		const text = readFileSync(join(root, f), 'utf8');
		assert.not.match(text, 'build/index.js', f);
		assert.match(text, /(kiosk|console|\{\{ \$app \}\})\/server\.js/, `${f} starts <app>/server.js`);
	}
});

test('the renderers refuse development secrets and missing variables, naming them', () => {
	const dir = mkdtempSync(join(tmpdir(), 'concierge-render-'));
	try {
		assert.is(sh(['infra/prod/install.sh', '--render-only', dir, '--domain', 'shop.test', '--public-ip', '198.18.0.10', '--tls', 'internal']).code, 0);
		const good = readFileSync(join(dir, 'concierge.env'), 'utf8');
		const bad = join(dir, 'bad.env');
		const cases: [string, string, RegExp][] = [
			['LIVEKIT_API_SECRET', 'concierge-dev-secret-0123456789abcdef0123', /LIVEKIT_API_SECRET holds a development secret/],
			['DATABASE_URL', 'postgres://concierge_app:app-dev-password@127.0.0.1:5432/concierge', /DATABASE_URL holds a development secret/],
			['LIVEKIT_API_KEY', 'devkey', /LIVEKIT_API_KEY holds a development secret/],
			['METRICS_TOKEN', '', /METRICS_TOKEN is required/],
			['TURN_HOST', '', /TURN_HOST is required/]
		];
		for (const [name, value, expected] of cases) {
			writeFileSync(bad, good.replace(new RegExp(`^${name}=.*$`, 'm'), `${name}=${value}`));
			for (const what of ['livekit', 'caddy']) {
				const r = sh(['infra/prod/render.sh', what, join(dir, 'out')], { ENV_FILE: bad });
				assert.is(r.code, 78, `${what} with ${name}=${value}: ${r.out}`);
				assert.match(r.out, expected);
				assert.not.match(r.out, 'app-dev-password', 'the secret itself is not printed');
			}
		}
		const ok = sh(['infra/prod/render.sh', 'livekit', join(dir, 'out')], { ENV_FILE: join(dir, 'concierge.env') });
		assert.is(ok.code, 0, ok.out);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

const testDb = new URL(process.env.DATABASE_URL!).pathname.slice(1);
const scratch = `${testDb}_restore`;

function psql(db: string, sql: string): string {
	return execFileSync('runuser', ['-u', 'postgres', '--', 'psql', '-X', '-tA', '-v', 'ON_ERROR_STOP=1', '-p', process.env.PGPORT ?? '5432', '-d', db, '-c', sql], {
		cwd: '/',
		encoding: 'utf8'
	}).trim();
}

function rowCounts(db: string): Record<string, number> {
	// public only: the job tables (schema bullmq) may move under a running worker between dump and count.
	const tables = psql(db, `select schemaname || '.' || tablename from pg_tables where schemaname = 'public' order by 1`).split('\n').filter(Boolean);
	return Object.fromEntries(tables.map((t) => [t, Number(psql(db, `select count(*) from ${t}`))]));
}

test('nightly backup keeps BACKUP_KEEP dumps; a dump restores into a scratch database with the same rows', async () => {
	const tenant = await makeTenant({ name: 'Backup shop' });
	await makeAccount(tenant, { role: 'kiosk' });
	await makeAccount(tenant, { role: 'concierge' });
	const dir = mkdtempSync(join(tmpdir(), 'concierge-backup-'));
	try {
		const env = { DB_NAME: testDb, BACKUP_DIR: dir, BACKUP_KEEP: '2' };
		const made: string[] = [];
		// Other processes of the test run (the worker's sweep, the apps) may write while the last
		// dump is taken: count the source right before and right after it, and expect each restored
		// table to hold a count between the two (equal when nothing changed).
		let justBefore: Record<string, number> = {};
		for (let i = 0; i < 3; i++) {
			if (i === 2) justBefore = rowCounts(testDb);
			const r = sh(['infra/prod/backup.sh'], env);
			assert.is(r.code, 0, r.out);
			made.push(r.out.trim().split('\n').at(-1)!);
		}
		const kept = readdirSync(dir).sort();
		assert.is(kept.length, 2, `retention keeps 2: ${kept.join(' ')}`);
		assert.equal(
			kept.map((f) => join(dir, f)),
			made.slice(1).sort(),
			'the two newest are kept'
		);
		assert.is(statSync(made[2]!).mode & 0o777, 0o600, 'dumps are root only');

		const refused = sh(['infra/prod/restore.sh', made[2]!, testDb]);
		assert.is(refused.code, 2, 'an existing database is not overwritten without --replace');
		assert.match(refused.out, '--replace');

		const r = sh(['infra/prod/restore.sh', made[2]!, scratch, '--replace']);
		assert.is(r.code, 0, r.out);
		const before = rowCounts(testDb);
		const after = rowCounts(scratch);
		assert.ok(Object.keys(before).length > 10, 'many tables compared');
		assert.ok((before['public.accounts'] ?? 0) >= 2, 'with rows in them');
		assert.equal(Object.keys(after), Object.keys(before), 'every table comes back');
		const off = Object.keys(before).filter((t) => {
			const lo = Math.min(justBefore[t] ?? 0, before[t]!);
			const hi = Math.max(justBefore[t] ?? 0, before[t]!);
			return !(after[t]! >= lo && after[t]! <= hi);
		});
		assert.equal(off, [], `every table has the rows it had when dumped: ${off.map((t) => `${t} ${justBefore[t]}..${before[t]} restored ${after[t]}`).join(', ')}`);
		assert.is(psql(scratch, `select relrowsecurity::text from pg_class where relname = 'accounts'`), 'true', 'row-level security comes back');
		assert.is(
			psql(scratch, `select count(*) from pg_tables where schemaname = 'bullmq'`),
			psql(testDb, `select count(*) from pg_tables where schemaname = 'bullmq'`),
			'the job tables come back'
		);
		assert.is(psql(scratch, `select pg_get_userbyid(datdba) from pg_database where datname = current_database()`), 'concierge_owner');
	} finally {
		psql('postgres', `drop database if exists "${scratch}" with (force)`);
		rmSync(dir, { recursive: true, force: true });
	}
});

test.run();
