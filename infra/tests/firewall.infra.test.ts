/**
 * Firewall traversal, for real, with network namespaces on this machine:
 *
 *   store  (198.18.B.2)  --veth--  server (198.18.B.1 / 198.18.B+1.1)  --veth--  concierge (198.18.B+1.2)
 *                                  services on an interface of their own: 198.19.B.10 (Caddy :443)
 *                                  and 198.19.B.11 (LiveKit TURN/TLS :443, ICE :7881/:7882)
 *   host   (198.18.B+2.1: a forwarder to the host's PostgreSQL) --veth-- server (198.18.B+2.2)
 *
 * The server runs the production configuration (infra/prod: Caddy with `tls internal`,
 * LiveKit with TURN/TLS on 443 of its own address, both apps). The store's nftables
 * allow only TCP 443 towards the server. Chromium in the store signs in as a kiosk
 * and calls a concierge whose Chromium runs in the third namespace; the call
 * connects, both sides decode frames, and the kiosk's selected candidate pair is a
 * relay over TLS. Then 443 is blocked too, and the kiosk says it cannot reach the
 * service ("Connection lost", the call button off) instead of ringing forever.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, appendFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { RECORD_PEER_CONNECTIONS, signInPage, waitForMedia } from '../../kiosk/tests/call-helpers.ts';
import { Namespaces, Proc, chromiumIn, forward, inNs, inNsAsync, netnsAvailable, run, slot, until } from './netns.ts';

const test = suite('firewall traversal (network namespaces)');
const root = fileURLToPath(new URL('../../', import.meta.url));
const livekitBin = `${process.env.CONCIERGE_CACHE ?? '/root/.cache/concierge'}/bin/livekit-server`;

const B = 10 + 4 * slot;
const PUBLIC_IP = `198.19.${B}.10`;
const TURN_IP = `198.19.${B}.11`;
const HOST_LINK = `198.18.${B + 2}.1`;
const DOMAIN = `shop${slot}.test`;
const hosts = `${PUBLIC_IP} kiosk.${DOMAIN} console.${DOMAIN} livekit.${DOMAIN}\n${TURN_IP} turn.${DOMAIN}\n`;

const available = netnsAvailable();

interface Setup {
	net: Namespaces;
	dir: string;
	procs: Proc[];
	forwarder: Server;
	store: string;
	browsers: Browser[];
	kioskBrowser: Browser;
	conciergeBrowser: Browser;
}
let setup: Setup | null = null;

function storeFirewall(ns: string, allow443: boolean): void {
	// Towards the server only TCP 443 (when allowed); everything else is refused at once
	// (a reset or an ICMP error), as a store firewall that rejects rather than drops would.
	const rules = `flush ruleset
table inet store {
	chain out {
		type filter hook output priority 0; policy drop;
		oif lo accept
		${allow443 ? `ip daddr { ${PUBLIC_IP}, ${TURN_IP} } tcp dport 443 accept` : ''}
		meta l4proto tcp reject with tcp reset
		reject
	}
	chain in {
		type filter hook input priority 0; policy drop;
		iif lo accept
		${allow443 ? 'ct state established,related accept' : ''}
	}
}
`;
	inNs(ns, 'nft', ['-f', '-'], rules);
}

// What build() has started so far, for its error message and for cleaning up after a failed build.
const building: Proc[] = [];
let buildingNet: Namespaces | null = null;

async function build(): Promise<Setup> {
	const dir = mkdtempSync(join(tmpdir(), 'concierge-netns-'));
	const net = new Namespaces(`cg${slot}`);
	buildingNet = net;
	const procs = building;
	const srv = net.add('srv', hosts);
	const store = net.add('store', hosts);
	const conc = net.add('conc', hosts);
	net.link('s', srv, `198.18.${B}.1/24`, store, `198.18.${B}.2/24`);
	net.link('c', srv, `198.18.${B + 1}.1/24`, conc, `198.18.${B + 1}.2/24`);
	net.link('h', null, `${HOST_LINK}/24`, srv, `198.18.${B + 2}.2/24`);
	// The service addresses sit on an interface of their own (a veth with both ends in the
	// server; no dummy driver in containers), as on a host's NIC: LiveKit binds its UDP port
	// per interface and leaves loopback interfaces out.
	inNs(srv, 'ip', ['link', 'add', 'svc0', 'type', 'veth', 'peer', 'name', 'svc1']);
	inNs(srv, 'ip', ['addr', 'add', `${PUBLIC_IP}/32`, 'dev', 'svc0']);
	inNs(srv, 'ip', ['addr', 'add', `${TURN_IP}/32`, 'dev', 'svc0']);
	inNs(srv, 'ip', ['link', 'set', 'svc0', 'up']);
	inNs(srv, 'ip', ['link', 'set', 'svc1', 'up']);
	inNs(store, 'ip', ['route', 'add', 'default', 'via', `198.18.${B}.1`]);
	inNs(conc, 'ip', ['route', 'add', 'default', 'via', `198.18.${B + 1}.1`]);
	storeFirewall(store, true);
	const forwarder = await forward(HOST_LINK, 5432, Number(process.env.PGPORT ?? 5432));

	// The production configuration, rendered as install.sh renders it, with files in dir.
	const r = run('bash', ['infra/prod/install.sh', '--render-only', dir, '--domain', DOMAIN, '--public-ip', PUBLIC_IP, '--turn-ip', TURN_IP, '--tls', 'internal']);
	assert.match(r, 'rendered');
	const envPath = join(dir, 'concierge.env');
	appendFileSync(envPath, `TURN_CERT_FILE=${dir}/turn.crt\nTURN_KEY_FILE=${dir}/turn.key\n`);
	const prod = Object.fromEntries(
		readFileSync(envPath, 'utf8')
			.split('\n')
			.filter((l) => /^[A-Z_]+=/.test(l))
			.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
	);
	const caddyData = join(dir, 'caddy-data');
	const renderEnv = { ...process.env, ENV_FILE: envPath, CADDY_GLOBAL_EXTRA: 'skip_install_trust\n\tadmin off', CADDY_DATA: `${caddyData}/caddy`, TURN_CERT_GROUP: 'root' };
	run('env', [...Object.entries(renderEnv).map(([k, v]) => `${k}=${v}`), 'bash', 'infra/prod/render.sh', 'caddy', join(dir, 'Caddyfile')]);

	const caddy = new Proc('caddy', srv, 'caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
		...process.env,
		HOME: dir,
		XDG_DATA_HOME: caddyData,
		XDG_CONFIG_HOME: join(dir, 'caddy-config')
	});
	procs.push(caddy);
	// LiveKit's TURN certificate comes from Caddy's local CA, as on a test-domain install.
	await until('Caddy made its local CA and the TURN certificate', async () => {
		if (caddy.exited) throw new Error(caddy.tail());
		run('env', [...Object.entries(renderEnv).map(([k, v]) => `${k}=${v}`), 'bash', 'infra/prod/turn-cert.sh']);
		return true;
	});
	run('env', [...Object.entries(renderEnv).map(([k, v]) => `${k}=${v}`), 'bash', 'infra/prod/render.sh', 'livekit', join(dir, 'livekit.yaml')]);
	// A clean environment: livekit-server takes LIVEKIT_* variables as overrides of its config.
	const livekit = new Proc('livekit', srv, livekitBin, ['--config', join(dir, 'livekit.yaml')], { PATH: process.env.PATH, HOME: dir });
	procs.push(livekit);

	const testDb = new URL(process.env.DATABASE_URL!);
	const viaForwarder = (u: string) => {
		const url = new URL(u);
		url.hostname = HOST_LINK;
		url.port = '5432';
		url.pathname = testDb.pathname;
		return url.toString();
	};
	const appEnv = (port: string, origin: string): NodeJS.ProcessEnv => ({
		...process.env,
		NODE_ENV: 'test',
		PORT: port,
		HOST: '127.0.0.1',
		ORIGIN: origin,
		DATABASE_URL: viaForwarder(process.env.DATABASE_URL!),
		DATABASE_OPS_URL: viaForwarder(process.env.DATABASE_OPS_URL!),
		LIVEKIT_URL: prod.LIVEKIT_URL,
		LIVEKIT_API_URL: prod.LIVEKIT_API_URL,
		LIVEKIT_API_KEY: prod.LIVEKIT_API_KEY,
		LIVEKIT_API_SECRET: prod.LIVEKIT_API_SECRET,
		METRICS_TOKEN: prod.METRICS_TOKEN,
		COOKIE_SECURE: 'true',
		ADDRESS_HEADER: 'X-Forwarded-For',
		XFF_DEPTH: '1',
		SIGNIN_PER_MINUTE: '100000',
		// PostgreSQL's 100 connections are shared with every other test run on this machine.
		DB_POOL_MAX: '3'
	});
	procs.push(new Proc('kiosk', srv, process.execPath, [root + 'kiosk/server.js'], appEnv(prod.KIOSK_PORT!, prod.KIOSK_ORIGIN!)));
	procs.push(new Proc('console', srv, process.execPath, [root + 'console/server.js'], appEnv(prod.CONSOLE_PORT!, prod.CONSOLE_ORIGIN!)));

	const ca = `${caddyData}/caddy/pki/authorities/local/root.crt`;
	for (const host of [`kiosk.${DOMAIN}`, `console.${DOMAIN}`]) {
		await until(
			`https://${host}/readyz from the store, through Caddy`,
			async () => {
				for (const p of procs) if (p.exited) throw new Error(`${p.name} exited:\n${p.tail()}`);
				const out = await inNsAsync(store, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', '--cacert', ca, `https://${host}/readyz`]);
				return out === '200';
			},
			60_000,
			500
		);
	}
	const launch = (ns: string) =>
		chromium.launch({ executablePath: chromiumIn(ns, dir, ca), headless: true, args: [...CHROMIUM_FLAGS, '--disable-features=WebRtcHideLocalIpsWithMdns'] });
	const [kioskBrowser, conciergeBrowser] = await Promise.all([launch(store), launch(conc)]);
	return { net, dir, procs, forwarder, store, browsers: [kioskBrowser, conciergeBrowser], kioskBrowser, conciergeBrowser };
}

async function teardown(s: Setup | null): Promise<void> {
	if (!s) return;
	for (const b of s.browsers) await b.close().catch(() => {});
	await Promise.all(s.procs.map((p) => p.stop(3000)));
	s.forwarder.close();
	s.net.destroy();
	rmSync(s.dir, { recursive: true, force: true });
}

/** The selected ICE candidate pair of every live peer connection of the page: the local candidate's type and relay protocol. */
function selectedPairs(page: Page): Promise<{ candidateType: string; relayProtocol: string | null; protocol: string; address: string }[]> {
	return page.evaluate(async () => {
		const out: { candidateType: string; relayProtocol: string | null; protocol: string; address: string }[] = [];
		for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? []) {
			if (pc.connectionState !== 'connected') continue;
			const stats = await pc.getStats();
			const all = new Map<string, Record<string, string | undefined>>();
			stats.forEach((s: Record<string, string | undefined>) => all.set(s.id!, s));
			for (const s of all.values()) {
				if (s.type !== 'transport' || !s.selectedCandidatePairId) continue;
				const pair = all.get(s.selectedCandidatePairId);
				const local = pair?.localCandidateId ? all.get(pair.localCandidateId) : undefined;
				if (local)
					out.push({
						candidateType: local.candidateType ?? '',
						relayProtocol: local.relayProtocol ?? null,
						protocol: local.protocol ?? '',
						address: local.address ?? local.ip ?? ''
					});
			}
		}
		return out;
	});
}

/** Every peer connection's candidates and candidate pairs, as JSON lines (for a failure's logs). */
function allIceStats(page: Page): Promise<string> {
	return page.evaluate(async () => {
		const lines: string[] = [];
		for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? []) {
			lines.push(`pc ${pc.connectionState} ice=${pc.iceConnectionState} gathering=${pc.iceGatheringState} config=${JSON.stringify(pc.getConfiguration().iceServers)}`);
			(await pc.getStats()).forEach((s: Record<string, unknown>) => {
				if (['candidate-pair', 'local-candidate', 'remote-candidate', 'transport'].includes(s.type as string)) lines.push(JSON.stringify(s));
			});
		}
		return lines.join('\n');
	});
}

if (!available.ok) {
	console.log(`\n*** SKIPPED: firewall traversal needs network namespaces, and \`ip netns add\` failed here: ${available.why} ***\n`);
	test.skip('firewall traversal (ip netns is not possible on this machine)', () => {});
} else {
	test.before(async () => {
		try {
			setup = await build();
		} catch (e) {
			// uvu does not print a failing hook's error: print it here.
			console.error(`firewall test set-up failed: ${(e as Error).stack ?? String(e)}\n${building.map((p) => p.tail(12)).join('\n')}`);
			throw e;
		}
	});
	test.after(async () => {
		await teardown(setup);
		if (!setup) {
			await Promise.all(building.map((p) => p.stop(3000)));
			buildingNet?.destroy();
		}
	});

	test('a kiosk behind a firewall that passes only TCP 443 calls a concierge: relay over TLS, frames decoded both ways', async () => {
		const s = setup!;
		const tenant = await makeTenant({ name: 'Firewalled shop' });
		const kiosk = await makeAccount(tenant, { role: 'kiosk', displayName: 'Store kiosk' });
		const concierge = await makeAccount(tenant, { role: 'concierge', displayName: 'Mika' });
		const kctx = await s.kioskBrowser.newContext({ viewport: { width: 1200, height: 800 } });
		const cctx = await s.conciergeBrowser.newContext({ viewport: { width: 1200, height: 800 } });
		await kctx.addInitScript(RECORD_PEER_CONNECTIONS);
		await cctx.addInitScript(RECORD_PEER_CONNECTIONS);
		const k = await kctx.newPage();
		const c = await cctx.newPage();
		// Each browser's console, kept for the failure logs.
		const consoleLog: string[] = [];
		k.on('console', (m) => consoleLog.push(`${new Date().toISOString()} kiosk ${m.type()}: ${m.text()}`));
		c.on('console', (m) => consoleLog.push(`${new Date().toISOString()} console ${m.type()}: ${m.text()}`));
		try {
			await signInPage(k, `https://kiosk.${DOMAIN}`, kiosk.loginId, kiosk.password);
			await signInPage(c, `https://console.${DOMAIN}`, concierge.loginId, concierge.password);
			await c.click('button:has-text("Available")');
			await c.waitForSelector('section[data-status=available]');
			await k.waitForSelector('button.call:not([disabled])', { timeout: 20_000 });
			await k.click('button.call');
			await c.waitForSelector('li[data-call-id]', { timeout: 20_000 });
			await c.click('li[data-call-id] button:has-text("Accept")');
			await k.waitForSelector('main[data-phase=incall]', { timeout: 60_000 });
			const kioskMedia = await waitForMedia(k, 60_000);
			const conciergeMedia = await waitForMedia(c, 60_000);
			assert.ok(kioskMedia.framesDecoded > 0, 'the kiosk decodes the concierge');
			assert.ok(conciergeMedia.framesDecoded > 0, 'the concierge decodes the kiosk');
			const pairs = await until('the kiosk has selected candidate pairs', async () => {
				const p = await selectedPairs(k);
				return p.length ? p : null;
			});
			for (const p of pairs) {
				assert.is(p.candidateType, 'relay', `kiosk pair ${JSON.stringify(p)}`);
				assert.is(p.relayProtocol, 'tls', `kiosk pair ${JSON.stringify(p)}`);
			}
			const cPairs = await selectedPairs(c);
			assert.ok(cPairs.length > 0);
			assert.ok(
				cPairs.every((p) => p.candidateType !== 'relay'),
				`the concierge, without a firewall, needs no relay: ${JSON.stringify(cPairs)}`
			);
			await screenshot(k, 'firewall-kiosk-in-call');

			// Hang up, then the store's firewall closes 443 too (rejecting, as a firewall that
			// answers would; a silent drop is only noticed when the kiosk next sends).
			assert.is(await k.evaluate(async () => (await fetch('/api/me')).status), 200);
			await c.click('button:has-text("Away")').catch(() => {});
			await k.waitForSelector('main[data-phase=incall]');
			const id = (await ownerDb()<{ id: string }[]>`select id from calls where kiosk_account_id = ${kiosk.id} and state = 'accepted'`)[0]!.id;
			assert.is(
				await k.evaluate(
					async (callId) => (await fetch(`/api/calls/${callId}/hangup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
					id
				),
				200
			);
			await k.waitForSelector('main[data-phase=standby]', { timeout: 20_000 });
			await c.click('button:has-text("Available")');
			await k.waitForSelector('button.call:not([disabled])', { timeout: 20_000 });
			storeFirewall(s.store, false);
			await k.click('button.call').catch(() => {});
			const banner = await k.waitForSelector('[data-testid=connection-lost]', { timeout: 30_000 });
			assert.match((await banner.innerText()).trim(), 'Connection lost');
			assert.is(await k.getAttribute('main', 'data-phase'), 'standby', 'the kiosk does not ring into the void');
			assert.ok(await k.isDisabled('button.call'), 'the call button is off while the service cannot be reached');
			await screenshot(k, 'firewall-kiosk-443-blocked');
		} catch (e) {
			await screenshot(k, 'firewall-failure-kiosk').catch(() => {});
			await screenshot(c, 'firewall-failure-console').catch(() => {});
			// The whole logs of every process and both browsers, for CI, where the tails below may not say enough.
			mkdirSync(join(root, 'test-results'), { recursive: true });
			for (const p of s.procs) writeFileSync(join(root, 'test-results', `firewall-${p.name}.log`), p.log.join('\n'));
			const ice = await Promise.all([k, c].map((p) => allIceStats(p).catch((err: Error) => `getStats failed: ${err.message}`)));
			writeFileSync(join(root, 'test-results', 'firewall-browsers.log'), [...consoleLog, `kiosk ICE: ${ice[0]}`, `console ICE: ${ice[1]}`].join('\n'));
			throw new Error(`${(e as Error).message}\n${s.procs.map((p) => p.tail(15)).join('\n')}`);
		} finally {
			await kctx.close();
			await cctx.close();
		}
	});
}

test.run();
