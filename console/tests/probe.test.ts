/**
 * The synthetic call probe (`npm run probe`, infra/probe/probe.ts) against the test
 * apps: --setup makes the synthetic tenant and its accounts; a run places a real call
 * between two headless Chromium instances, prints JSON and Prometheus text and exits
 * 0; its call is counted as tenant="synthetic", never as a customer call; a wrong
 * password makes it exit 1 with ok=false, and bad arguments exit 2.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startApps } from '../../platform/testing/apps.ts';
import { ownerDb } from '../../platform/testing/db.ts';

const test = suite('synthetic call probe');
const root = fileURLToPath(new URL('../../', import.meta.url));
const slug = `probe-${process.pid}`;
const logins = { kiosk: `probe-kiosk-${process.pid}`, concierge: `probe-concierge-${process.pid}` };

function probe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--import', 'tsx', root + 'infra/probe/probe.ts', ...args], {
			cwd: root,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		let err = '';
		child.stdout.on('data', (d) => (out += String(d)));
		child.stderr.on('data', (d) => (err += String(d)));
		child.on('exit', (code) => resolve({ code, out, err }));
	});
}

async function scrape(origin: string): Promise<string> {
	return (await fetch(origin + '/metrics', { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } })).text();
}

function count(text: string, name: string, tenant: string): number {
	let n = 0;
	for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) if (m[1]!.includes(`tenant="${tenant}"`)) n += Number(m[2]);
	return n;
}

let passwords: Record<string, string> = {};

test('--setup makes a synthetic tenant with the two probe accounts', async () => {
	const r = await probe(['--setup', '--slug', slug, '--kiosk-login', logins.kiosk, '--console-login', logins.concierge]);
	assert.is(r.code, 0, r.err + r.out);
	passwords = Object.fromEntries([...r.out.matchAll(/^(PROBE_\w+_PASSWORD)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
	assert.ok(passwords.PROBE_KIOSK_PASSWORD && passwords.PROBE_CONSOLE_PASSWORD, r.out);
	const [t] = await ownerDb()<{ synthetic: boolean }[]>`select synthetic from tenants where slug = ${slug}`;
	assert.is(t?.synthetic, true);
});

test('a probe run places a real call, prints JSON and Prometheus text, exits 0, and stays out of the customer KPIs', async () => {
	const apps = await startApps();
	const before = await scrape(apps.kiosk);
	const r = await probe(['--kiosk-url', apps.kiosk, '--console-url', apps.console, '--kiosk-login', logins.kiosk, '--console-login', logins.concierge], passwords);
	const json = JSON.parse(r.out.split('\n')[0]!) as { ok: boolean; error: string | null; timingsMs: Record<string, number>; framesDecoded: { kiosk: number; console: number } };
	assert.is(r.code, 0, `${r.out}\n${r.err}`);
	assert.is(json.ok, true);
	assert.ok(json.framesDecoded.kiosk > 0 && json.framesDecoded.console > 0, 'frames decoded both ways');
	for (const s of ['sign_in', 'ring', 'answer', 'media', 'hang_up', 'total']) assert.ok(json.timingsMs[s]! >= 0, `timing ${s}`);
	assert.match(r.out, /^concierge_probe_success 1$/m);
	assert.match(r.out, /^concierge_probe_step_seconds\{step="ring"\} \d+\.\d{3}$/m);
	const [call] = await ownerDb()<{ state: string; endReason: string }[]>`
		select c.state, c.end_reason as "endReason" from calls c join tenants t on t.id = c.tenant_id where t.slug = ${slug} order by c.created_at desc limit 1`;
	assert.equal(call, { state: 'ended', endReason: 'hung_up_by_kiosk' }, 'the probe hung up its call');
	const after = await scrape(apps.kiosk);
	assert.is(count(after, 'concierge_calls_placed_total', 'synthetic'), count(before, 'concierge_calls_placed_total', 'synthetic') + 1, 'counted as synthetic');
	assert.is(count(after, 'concierge_calls_placed_total', 'customer'), count(before, 'concierge_calls_placed_total', 'customer'), 'not as a customer call');
});

test('a failing probe exits 1 with ok=false; bad arguments exit 2', async () => {
	const apps = await startApps();
	const r = await probe(['--kiosk-url', apps.kiosk, '--console-url', apps.console, '--kiosk-login', logins.kiosk, '--console-login', logins.concierge, '--timeout', '30'], {
		...passwords,
		PROBE_KIOSK_PASSWORD: 'not-the-password'
	});
	assert.is(r.code, 1, r.out + r.err);
	const json = JSON.parse(r.out.split('\n')[0]!) as { ok: boolean; error: string };
	assert.is(json.ok, false);
	assert.match(json.error, 'sign_in');
	assert.match(r.out, /^concierge_probe_success 0$/m);
	assert.is((await probe(['--kiosk-url', apps.kiosk])).code, 2);
	assert.is((await probe(['--kiosk-url', 'ftp://x', '--console-url', apps.console], passwords)).code, 2);
});

test.run();
