/**
 * The IP allow-list through the built console (issue 11, items 4 and 8). One console
 * runs behind a small local proxy that appends the client's socket address to
 * X-Forwarded-For (ADDRESS_HEADER=x-forwarded-for, XFF_DEPTH=1, as docs/operations.md
 * describes); clients take different loopback addresses (127.0.0.1 and 127.0.0.5)
 * so the console sees two networks. A forged X-Forwarded-For is tried through the
 * proxy and against the usual test console, which has no proxy and reads the socket.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';

const test = suite('IP allow-list behind a proxy (built console)');
const root = fileURLToPath(new URL('../../', import.meta.url));
const APP_PORT = Number(process.env.TEST_CONSOLE_PORT ?? 5184) + 3;
const PROXY_PORT = APP_PORT + 1;
const PROXY = `http://127.0.0.1:${PROXY_PORT}`;

let app: ChildProcess | null = null;
let proxy: http.Server | null = null;

/** A reverse proxy that appends the socket address to X-Forwarded-For, as Caddy and nginx do. */
function startProxy(): Promise<void> {
	proxy = http.createServer((req, res) => {
		const prior = req.headers['x-forwarded-for'];
		const xff = (prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ` : '') + req.socket.remoteAddress!.replace(/^::ffff:/, '');
		const up = http.request({ host: '127.0.0.1', port: APP_PORT, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': xff } }, (r) => {
			res.writeHead(r.statusCode!, r.headers);
			r.pipe(res);
		});
		up.on('error', () => res.writeHead(502).end());
		req.pipe(up);
	});
	return new Promise((resolve) => proxy!.listen(PROXY_PORT, '127.0.0.1', () => resolve()));
}

async function startProxiedConsole(): Promise<void> {
	app = spawn(process.execPath, [root + 'console/server.js'], {
		env: { ...process.env, PORT: String(APP_PORT), HOST: '127.0.0.1', ORIGIN: PROXY, ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1', SIGNIN_PER_MINUTE: '100000' },
		stdio: 'ignore'
	});
	await startProxy();
	for (let i = 0; i < 100; i++) {
		try {
			if ((await fetch(PROXY + '/login')).ok) return;
		} catch {}
		await new Promise((r) => setTimeout(r, 150));
	}
	throw new Error('the proxied console did not start');
}

interface Answer {
	status: number;
	text: string;
	cookie: string | null;
}
/** One request from a chosen local address (127.0.0.x), with optional extra headers. */
function request(url: string, o: { from: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: o.method ?? 'GET', localAddress: o.from, headers: o.headers ?? {} }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (d: string) => (text += d));
			res.on('end', () => {
				const set = (res.headers['set-cookie'] ?? []).find((c) => /^console_session=[a-z2-7]{32};/.test(c));
				resolve({ status: res.statusCode!, text, cookie: set ? set.split(';')[0]! : null });
			});
		});
		req.on('error', reject);
		req.end(o.body);
	});
}
const signInFrom = (origin: string, from: string, loginId: string, password: string, extra: Record<string, string> = {}) =>
	request(origin + '/login', {
		from,
		method: 'POST',
		body: new URLSearchParams({ loginId, password }).toString(),
		headers: { origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', ...extra }
	});

test.before(async () => {
	await startApps();
	await startProxiedConsole();
});
test.after(async () => {
	app?.kill('SIGTERM');
	await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
});

test('an admin sets an allow-list in the browser; a concierge from another address is refused, live sessions too; forged headers do not help', async () => {
	const { console: direct } = await startApps();
	const t = await makeTenant({ name: 'Allow-list Store' });
	const admin = await makeAccount(t, { role: 'admin' });
	const c = await makeAccount(t, { role: 'concierge' });
	const live = await signInFrom(PROXY, '127.0.0.5', c.loginId, c.password);
	assert.is(live.status, 303, 'before the list, 127.0.0.5 may sign in');

	const browser = await launchBrowser();
	for (const [w, h] of [
		[1366, 768],
		[1920, 1080]
	] as const) {
		const ctx = await browser.newContext({ viewport: { width: w, height: h } });
		const page = await ctx.newPage();
		await page.goto(PROXY + '/login', { waitUntil: 'networkidle' });
		await page.fill('input[name=loginId]', admin.loginId);
		await page.fill('input[name=password]', admin.password);
		await page.click('button[type=submit]');
		await page.waitForURL(PROXY + '/admin');
		await page.goto(PROXY + '/admin/settings', { waitUntil: 'networkidle' });
		assert.is(await page.locator('[data-testid=my-ip]').innerText(), '127.0.0.1', 'the address the proxy reported');
		// A list without the admin's own address is refused, with the reason.
		await page.fill('textarea[name=ipAllowList]', '198.18.0.0/15');
		await page.click('button:has-text("Save settings")');
		await page.locator('[data-testid=settings-error]').waitFor();
		assert.match(await page.locator('[data-testid=settings-error]').innerText(), /does not include the address you are using now \(127\.0\.0\.1\)/);
		await screenshot(page, `console-settings-allow-list-refused-${w}x${h}`);
		await page.fill('textarea[name=ipAllowList]', '127.0.0.1/32\n2001:db8::/48');
		await page.click('button:has-text("Save settings")');
		await page.locator('p.ok').waitFor();
		await screenshot(page, `console-settings-saved-${w}x${h}`);
		await ctx.close();
	}

	// The live session of 127.0.0.5 was ended by the save, and any request from there is refused.
	assert.is((await request(PROXY + '/api/me', { from: '127.0.0.5', headers: { cookie: live.cookie! } })).status, 401);
	const refused = await signInFrom(PROXY, '127.0.0.5', c.loginId, c.password);
	assert.is(refused.status, 403);
	assert.match(refused.text, /not allowed for your organisation/);
	const forgedThroughProxy = await signInFrom(PROXY, '127.0.0.5', c.loginId, c.password, { 'x-forwarded-for': '127.0.0.1' });
	assert.is(forgedThroughProxy.status, 403, 'the proxy appends the real address; the client-written entry is ignored');
	const forgedDirect = await signInFrom(direct, '127.0.0.5', c.loginId, c.password, { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' });
	assert.is(forgedDirect.status, 403, 'without a proxy the socket address counts, never a header');
	const ok = await signInFrom(PROXY, '127.0.0.1', c.loginId, c.password);
	assert.is(ok.status, 303, 'from an allowed address sign-in works');
	assert.is((await request(PROXY + '/api/me', { from: '127.0.0.1', headers: { cookie: ok.cookie! } })).status, 200);
	assert.is((await request(PROXY + '/api/me', { from: '127.0.0.5', headers: { cookie: ok.cookie! } })).status, 401, 'the same cookie from outside the list is refused');
});

test.run();
