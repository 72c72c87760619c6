/**
 * Synthetic call probe: a real call between two headless Chromium instances, one
 * signed in as the probe kiosk, one as the probe concierge (accounts of a tenant
 * marked synthetic, whose calls stay out of every KPI). It signs both in, sets the
 * concierge available, presses the call button, answers, checks that both sides
 * decode the other's video, hangs up, and prints its timings as one JSON line and
 * as Prometheus text (for a textfile collector or a Pushgateway). Exit status 0 when
 * the call worked, 1 when it did not, 2 on bad arguments.
 *
 *   PROBE_KIOSK_PASSWORD=… PROBE_CONSOLE_PASSWORD=… \
 *   npm run probe -- --kiosk-url https://kiosk.example.com --console-url https://console.example.com \
 *        [--kiosk-login probe-kiosk] [--console-login probe-concierge] [--timeout 90] [--prom-file PATH]
 *
 *   npm run probe -- --setup [--slug synthetic-probe]
 *     creates the synthetic tenant and its two probe accounts (DATABASE_OWNER_URL and
 *     DATABASE_URL), printing the login IDs and fresh passwords once.
 *
 * Passwords come from the environment only (never the command line, which `ps` shows).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--use-fake-ui-for-media-stream',
	'--use-fake-device-for-media-stream',
	'--autoplay-policy=no-user-gesture-required'
];

const RECORD_PEER_CONNECTIONS = `(() => {
	const Original = window.RTCPeerConnection;
	window.__pcs = [];
	window.RTCPeerConnection = class extends Original { constructor(...a) { super(...a); window.__pcs.push(this); } };
})();`;

const { values: args } = parseArgs({
	options: {
		'kiosk-url': { type: 'string' },
		'console-url': { type: 'string' },
		'kiosk-login': { type: 'string', default: process.env.PROBE_KIOSK_LOGIN ?? 'probe-kiosk' },
		'console-login': { type: 'string', default: process.env.PROBE_CONSOLE_LOGIN ?? 'probe-concierge' },
		timeout: { type: 'string', default: '90' },
		'prom-file': { type: 'string' },
		setup: { type: 'boolean', default: false },
		slug: { type: 'string', default: 'synthetic-probe' }
	},
	strict: true
});

function usage(msg: string): never {
	console.error(
		`probe: ${msg}\nusage: npm run probe -- --kiosk-url URL --console-url URL [--kiosk-login ID] [--console-login ID] [--timeout S] [--prom-file PATH]\n       npm run probe -- --setup [--slug SLUG]`
	);
	process.exit(2);
}

if (args.setup) {
	await setup(args.slug);
	process.exit(0);
}

const kioskUrl = args['kiosk-url'];
const consoleUrl = args['console-url'];
if (!kioskUrl || !consoleUrl) usage('--kiosk-url and --console-url are required');
for (const u of [kioskUrl, consoleUrl]) {
	try {
		if (!/^https?:$/.test(new URL(u).protocol)) usage(`not an http(s) URL: ${u}`);
	} catch {
		usage(`not a URL: ${u}`);
	}
}
const kioskPassword = process.env.PROBE_KIOSK_PASSWORD;
const consolePassword = process.env.PROBE_CONSOLE_PASSWORD;
if (!kioskPassword || !consolePassword) usage('PROBE_KIOSK_PASSWORD and PROBE_CONSOLE_PASSWORD must be set in the environment');
const timeoutMs = Number(args.timeout) * 1000;
if (!Number.isFinite(timeoutMs) || timeoutMs < 10_000) usage('--timeout must be at least 10 (seconds)');

const timings: Record<string, number> = {};
let step = 'start';
const t0 = performance.now();
async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
	step = name;
	const t = performance.now();
	const v = await fn();
	timings[name] = Math.round(performance.now() - t);
	return v;
}

async function signIn(page: Page, origin: string, loginId: string, password: string): Promise<void> {
	await page.goto(new URL('/login', origin).toString(), { waitUntil: 'networkidle' });
	await page.fill('input[name=loginId]', loginId);
	await page.fill('input[name=password]', password);
	await page.click('button[type=submit]');
	await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
}

/** Decoded remote video frames over a connected DTLS transport, summed over the page's peer connections. */
function framesDecoded(page: Page): Promise<number> {
	return page.evaluate(async () => {
		let frames = 0;
		let dtls = false;
		for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? []) {
			if (pc.connectionState === 'closed') continue;
			(await pc.getStats()).forEach((s: Record<string, unknown>) => {
				if (s.type === 'inbound-rtp' && s.kind === 'video') frames += Number(s.framesDecoded ?? 0);
				if (s.type === 'transport' && s.dtlsState === 'connected') dtls = true;
			});
		}
		return dtls ? frames : 0;
	});
}

async function untilFrames(page: Page, deadline: number): Promise<number> {
	for (;;) {
		const n = await framesDecoded(page);
		if (n > 0) return n;
		if (Date.now() > deadline) throw new Error('no decoded remote video');
		await page.waitForTimeout(200);
	}
}

let browsers: Browser[] = [];
let ok = false;
let error: string | null = null;
let frames = { kiosk: 0, console: 0 };
const deadline = Date.now() + timeoutMs;
const guard = setTimeout(() => {
	error = `timed out after ${timeoutMs / 1000} s at step ${step}`;
	finish();
}, timeoutMs);

try {
	const launch = () => chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: FLAGS });
	browsers = await timed('launch', () => Promise.all([launch(), launch()]));
	const [kb, cb] = browsers as [Browser, Browser];
	const k = await kb.newPage();
	const c = await cb.newPage();
	await k.addInitScript(RECORD_PEER_CONNECTIONS);
	await c.addInitScript(RECORD_PEER_CONNECTIONS);
	await timed('sign_in', () => Promise.all([signIn(k, kioskUrl, args['kiosk-login'], kioskPassword), signIn(c, consoleUrl, args['console-login'], consolePassword)]));
	await timed('available', async () => {
		await c.click('button:has-text("Available")');
		await c.waitForSelector('section[data-status=available]');
		await k.waitForSelector('button.call:not([disabled])');
	});
	const callId = await timed('ring', async () => {
		await k.click('button.call');
		const li = await c.waitForSelector('li[data-call-id]');
		return (await li.getAttribute('data-call-id'))!;
	});
	await timed('answer', async () => {
		await c.click(`li[data-call-id="${callId}"] button:has-text("Accept")`);
		await k.waitForSelector('main[data-phase=incall]');
	});
	await timed('media', async () => {
		frames = { kiosk: await untilFrames(k, deadline), console: await untilFrames(c, deadline) };
	});
	await timed('hang_up', async () => {
		const status = await k.evaluate(
			async (id) => (await fetch(`/api/calls/${id}/hangup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
			callId
		);
		if (status !== 200) throw new Error(`hang-up answered ${status}`);
		await k.waitForSelector('main[data-phase=standby]');
	});
	// Leave the concierge away and both signed out, so runs do not pile up sessions.
	await c.click('button:has-text("Away")').catch(() => {});
	for (const p of [k, c]) await p.evaluate(() => fetch('/logout', { method: 'POST' })).catch(() => {});
	ok = true;
} catch (e) {
	error = `${step}: ${(e as Error).message.split('\n')[0]}`;
}
finish();

function finish(): void {
	clearTimeout(guard);
	timings.total = Math.round(performance.now() - t0);
	const result = { ok, error, at: new Date().toISOString(), kioskUrl, consoleUrl, timingsMs: timings, framesDecoded: frames };
	console.log(JSON.stringify(result));
	const prom = [
		'# HELP concierge_probe_success 1 when the synthetic call worked end to end.',
		'# TYPE concierge_probe_success gauge',
		`concierge_probe_success ${ok ? 1 : 0}`,
		'# HELP concierge_probe_step_seconds Duration of each step of the synthetic call.',
		'# TYPE concierge_probe_step_seconds gauge',
		...Object.entries(timings).map(([s, ms]) => `concierge_probe_step_seconds{step="${s}"} ${(ms / 1000).toFixed(3)}`),
		'# HELP concierge_probe_last_run_timestamp_seconds When the probe last ran.',
		'# TYPE concierge_probe_last_run_timestamp_seconds gauge',
		`concierge_probe_last_run_timestamp_seconds ${Math.floor(Date.now() / 1000)}`,
		''
	].join('\n');
	console.log(prom);
	if (args['prom-file']) writeFileSync(args['prom-file'], prom);
	void Promise.allSettled(browsers.map((b) => b.close())).then(() => process.exit(ok ? 0 : 1));
}

/** The synthetic tenant and its probe accounts (idempotent for the tenant; fresh passwords each time). */
async function setup(slug: string): Promise<void> {
	const { default: postgres } = await import('postgres');
	const { closeDb, db, withTenant } = await import('../../platform/db.server.ts');
	const { createTenant } = await import('../../platform/tenants/tenants.ts');
	const { findTenantIdBySlug } = await import('../../platform/tenants/tenants.repo.ts');
	const { markSynthetic } = await import('../../platform/tenants/synthetic.repo.ts');
	const { findLogin, insertAccount, setPasswordHash } = await import('../../platform/accounts/accounts.repo.ts');
	const { hashPassword } = await import('../../platform/accounts/password.ts');
	const ownerUrl = process.env.DATABASE_OWNER_URL;
	if (!ownerUrl) usage('--setup needs DATABASE_OWNER_URL (and DATABASE_URL)');
	const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
	type Sql = Parameters<typeof markSynthetic>[0];
	try {
		const tenantId =
			(await findTenantIdBySlug(owner as unknown as Sql, slug)) ??
			(await createTenant(owner as unknown as Sql, { slug, name: 'Synthetic probe', isPlatform: false, loginPrefix: 'probe' })).id;
		await markSynthetic(owner as unknown as Sql, tenantId);
		const out: Record<string, string> = {};
		for (const [role, loginId, env] of [
			['kiosk', args['kiosk-login'], 'PROBE_KIOSK_PASSWORD'],
			['concierge', args['console-login'], 'PROBE_CONSOLE_PASSWORD']
		] as const) {
			const password = randomBytes(18).toString('base64url');
			const passwordHash = await hashPassword(password);
			const found = await findLogin(db(), loginId);
			if (found) await withTenant(tenantId, (tx) => setPasswordHash(tx, found.accountId, passwordHash));
			else await withTenant(tenantId, (tx) => insertAccount(tx, { tenantId, loginId, displayName: role === 'kiosk' ? 'Probe kiosk' : 'Probe concierge', role, passwordHash }));
			out[env] = password;
		}
		console.log(`synthetic tenant ${slug} (${tenantId}) ready; put these in the probe's Secret:`);
		for (const [k, v] of Object.entries(out)) console.log(`${k}=${v}`);
	} finally {
		await owner.end({ timeout: 2 });
		await closeDb();
	}
}
