/**
 * Security headers and the Content-Security-Policy (issue 8, item 8), against the
 * built apps: every page and API response of both apps carries the headers;
 * a same-site page cannot frame a signed-in page (Chromium refuses it); and the
 * kiosk standby, a whole call and the console pages work under the policy with
 * no violation reported.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApps, type Apps } from '../../platform/testing/apps.ts';
import { launchBrowser } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signIn } from '../../platform/accounts/sign-in.ts';
import { parseReport } from '../../platform/reports/report-input.ts';
import { processReport, submitReport } from '../../platform/reports/reports.ts';
import { newContext, signInPage, waitForMedia, waitForVideo } from '../../kiosk/tests/call-helpers.ts';

const test = suite('security headers');
let apps: Apps;

test.before(async () => {
	apps = await startApps();
});

const livekitWs = () => new URL(process.env.LIVEKIT_URL!).origin.replace(/^http/, 'ws');

async function session(app: 'kiosk' | 'console', role: 'kiosk' | 'admin' | 'concierge' | 'operator', tenant: { id: string }) {
	const a = await makeAccount(tenant, { role });
	const s = await signIn(app, { loginId: a.loginId, password: a.password });
	return { account: a, cookie: `${app}_session=${s.token}`, token: s.token };
}

function checkHeaders(label: string, res: Response, expect: { noStore: boolean; page: boolean }): void {
	const h = res.headers;
	assert.is(h.get('x-frame-options'), 'DENY', `${label}: X-Frame-Options`);
	assert.is(h.get('x-content-type-options'), 'nosniff', `${label}: X-Content-Type-Options`);
	assert.is(h.get('referrer-policy'), 'same-origin', `${label}: Referrer-Policy`);
	const pp = h.get('permissions-policy') ?? '';
	for (const f of ['camera=(self)', 'microphone=(self)', 'display-capture=(self)', 'geolocation=()']) assert.ok(pp.includes(f), `${label}: Permissions-Policy has ${f}: ${pp}`);
	const csp = h.get('content-security-policy') ?? '';
	assert.match(csp, "frame-ancestors 'none'", `${label}: CSP frame-ancestors: ${csp}`);
	if (expect.page) {
		assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+'/, `${label}: inline scripts only by nonce: ${csp}`);
		assert.not.match(csp, /script-src[^;]*unsafe-inline/, `${label}: no unsafe-inline scripts`);
		const connect = /connect-src ([^;]*)/.exec(csp)?.[1] ?? '';
		assert.ok(connect.split(' ').includes(livekitWs()), `${label}: connect-src has LiveKit ${livekitWs()}: ${connect}`);
		assert.match(csp, "object-src 'none'");
		assert.match(csp, /img-src 'self' data: blob:/);
		assert.match(csp, /media-src 'self' blob:/);
	}
	if (expect.noStore) assert.is(h.get('cache-control'), 'no-store', `${label}: Cache-Control`);
}

test('every page and API response of both apps has the security headers; signed-in pages and /api are not cached', async () => {
	const t = await makeTenant();
	const platform = await makeTenant({ isPlatform: true });
	const kiosk = await session('kiosk', 'kiosk', t);
	const admin = await session('console', 'admin', t);
	const concierge = await session('console', 'concierge', t);
	const operator = await session('console', 'operator', platform);
	const r = parseReport({ id: randomUUID(), kind: 'error', message: 'Header check', appVersion: '1', userAgent: 'ua', occurredAt: new Date().toISOString() });
	await submitReport(kiosk.account.actor, r);
	await processReport(t.id, r.id);
	const [g] = await ownerDb()<{ id: string }[]>`select id from report_groups where tenant_id = ${t.id}`;

	type Case = [label: string, origin: string, path: string, init: RequestInit, expect: { noStore: boolean; page: boolean; status?: number }];
	const json = (cookie: string, body: string, type = 'application/json'): RequestInit => ({ method: 'POST', headers: { cookie, 'content-type': type, origin: '' }, body });
	const cases: Case[] = [
		['kiosk sign-in page', apps.kiosk, '/login', {}, { noStore: false, page: true, status: 200 }],
		['kiosk standby', apps.kiosk, '/', { headers: { cookie: kiosk.cookie } }, { noStore: true, page: true, status: 200 }],
		['kiosk standby, signed out', apps.kiosk, '/', {}, { noStore: false, page: false }],
		['kiosk missing page', apps.kiosk, '/no/such/page', { headers: { cookie: kiosk.cookie } }, { noStore: true, page: true, status: 404 }],
		['kiosk /api/me', apps.kiosk, '/api/me', { headers: { cookie: kiosk.cookie } }, { noStore: true, page: false, status: 200 }],
		['kiosk /api/me signed out', apps.kiosk, '/api/me', {}, { noStore: true, page: false, status: 401 }],
		['kiosk /api/reports bad JSON', apps.kiosk, '/api/reports', json(kiosk.cookie, '{'), { noStore: true, page: false, status: 400 }],
		['kiosk /api/calls wrong type', apps.kiosk, '/api/calls', json(kiosk.cookie, '{}', 'application/json-seq'), { noStore: true, page: false, status: 415 }],
		['console sign-in page', apps.console, '/login', {}, { noStore: false, page: true, status: 200 }],
		['console home (concierge)', apps.console, '/', { headers: { cookie: concierge.cookie } }, { noStore: true, page: true, status: 200 }],
		['console accounts (admin)', apps.console, '/admin', { headers: { cookie: admin.cookie } }, { noStore: true, page: true, status: 200 }],
		['console reports (admin)', apps.console, '/reports', { headers: { cookie: admin.cookie } }, { noStore: true, page: true, status: 200 }],
		['console report group (admin)', apps.console, `/reports/${g!.id}`, { headers: { cookie: admin.cookie } }, { noStore: true, page: true, status: 200 }],
		['console report group data', apps.console, `/reports/${g!.id}/__data.json`, { headers: { cookie: admin.cookie } }, { noStore: true, page: false, status: 200 }],
		['console password page', apps.console, '/account/password', { headers: { cookie: admin.cookie } }, { noStore: true, page: true, status: 200 }],
		['console operator', apps.console, '/operator', { headers: { cookie: operator.cookie } }, { noStore: true, page: true, status: 200 }],
		['console operator reports', apps.console, '/operator/reports', { headers: { cookie: operator.cookie } }, { noStore: true, page: true, status: 200 }],
		['console forbidden page', apps.console, '/admin', { headers: { cookie: concierge.cookie } }, { noStore: true, page: true, status: 403 }],
		['console /api/me', apps.console, '/api/me', { headers: { cookie: admin.cookie } }, { noStore: true, page: false, status: 200 }],
		['console /api/calls signed out', apps.console, '/api/calls', {}, { noStore: true, page: false, status: 401 }],
		['console /api/accounts/disable bad body', apps.console, '/api/accounts/disable', json(admin.cookie, '[]'), { noStore: true, page: false, status: 400 }],
		['console /api/presence text/plain', apps.console, '/api/presence', json(concierge.cookie, '{}', 'text/plain'), { noStore: true, page: false }]
	];
	for (const [label, origin, path, init, expect] of cases) {
		if (init.headers && (init.headers as Record<string, string>).origin === '') (init.headers as Record<string, string>).origin = origin;
		const res = await fetch(origin + path, { redirect: 'manual', ...init, signal: AbortSignal.timeout(10_000) });
		await res.arrayBuffer();
		if (expect.status !== undefined) assert.is(res.status, expect.status, `${label}: status`);
		checkHeaders(label, res, expect);
	}
	// The event stream too (read its headers, then hang up).
	const ctrl = new AbortController();
	const stream = await fetch(apps.console + '/api/events', { headers: { cookie: concierge.cookie, accept: 'text/event-stream' }, signal: ctrl.signal });
	checkHeaders('console /api/events', stream, { noStore: true, page: false });
	ctrl.abort();
	// A successful sign-in answer sets a cookie: not cacheable either.
	const account = await makeAccount(t, { role: 'concierge' });
	const signin = await fetch(apps.console + '/login', {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: apps.console },
		body: new URLSearchParams({ loginId: account.loginId, password: account.password })
	});
	assert.is(signin.status, 303);
	checkHeaders('console sign-in answer', signin, { noStore: true, page: false });
});

const CSP_RECORDER = `
	window.__csp = [];
	document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
`;

async function watch(ctx: BrowserContext): Promise<string[]> {
	const seen: string[] = [];
	await ctx.addInitScript(CSP_RECORDER);
	ctx.on('console', (m) => {
		if (/Content[- ]Security[- ]Policy|Refused to (load|execute|connect|apply|frame|display)|Permissions-Policy/i.test(m.text())) seen.push(`${m.type()}: ${m.text()}`);
	});
	return seen;
}

async function violations(page: Page): Promise<string[]> {
	return (await page.evaluate('window.__csp ?? []')) as string[];
}

/** The attacker's page: another server on the same site (127.0.0.1, its own port) that frames the given URLs. */
async function attackerSite(): Promise<{ origin: string; server: Server }> {
	const server = createServer((req, res) => {
		const urls = new URL(req.url ?? '/', 'http://x').searchParams.getAll('frame');
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(`<!doctype html><title>Win a prize</title>${urls.map((u) => `<iframe src="${u.replace(/"/g, '&quot;')}" width="800" height="600"></iframe>`).join('')}`);
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('a same-site page cannot frame a signed-in page of either app (Chromium refuses the frame)', async () => {
	const t = await makeTenant();
	const admin = await makeAccount(t, { role: 'admin' });
	const kiosk = await makeAccount(t, { role: 'kiosk' });
	const target = await makeAccount(t, { role: 'concierge', displayName: `Target ${randomUUID().slice(0, 6)}` });
	const browser = await launchBrowser();
	const ctx = await browser.newContext();
	const seen = await watch(ctx);
	const attacker = await attackerSite();
	try {
		// Both apps signed in, in one browser, as the attacked person would be.
		const a = await ctx.newPage();
		await signInPage(a, apps.console, admin.loginId, admin.password);
		const k = await ctx.newPage();
		await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
		for (const [victim, mark] of [
			[apps.console + '/admin', `text=${target.displayName}`],
			[apps.console + '/', 'nav'],
			[apps.kiosk + '/', 'main[data-phase]']
		] as const) {
			seen.length = 0;
			// The control, a static file of the same app, does load in a frame: the check can see a loaded frame.
			const control = new URL('/_app/version.json', victim).href;
			const page = await ctx.newPage();
			await page.goto(`${attacker.origin}/?frame=${encodeURIComponent(victim)}&frame=${encodeURIComponent(control)}`);
			await page.waitForTimeout(2_000);
			const frames = page.frames().filter((f) => f !== page.mainFrame());
			assert.is(frames.length, 2);
			assert.ok(
				frames.some((f) => f.url() === control),
				`control frame loaded: ${frames.map((f) => f.url()).join(', ')}`
			);
			const framed = frames.find((f) => f.url() !== control)!;
			const rendered = await framed
				.locator(mark)
				.count()
				.catch(() => 0);
			assert.is(rendered, 0, `${victim} rendered in a frame (${framed.url()})`);
			assert.not.ok(framed.url().startsWith(victim), `${victim} loaded in a frame: ${framed.url()}`);
			assert.ok(
				seen.some((s) => /frame-ancestors|X-Frame-Options|Refused to (frame|display)/i.test(s)),
				`Chromium reports the refusal: ${seen.join(' | ')}`
			);
			await page.close();
		}
	} finally {
		await ctx.close();
		attacker.server.close();
	}
});

test('the kiosk standby, a whole call and the console pages work under the policy, with no violation reported', async () => {
	const t = await makeTenant({ name: 'CSP Store' });
	const platform = await makeTenant({ isPlatform: true });
	const kiosk = await makeAccount(t, { role: 'kiosk', displayName: 'CSP kiosk' });
	const concierge = await makeAccount(t, { role: 'concierge', displayName: 'CSP concierge' });
	const admin = await makeAccount(t, { role: 'admin' });
	const operator = await makeAccount(platform, { role: 'operator' });
	const r = parseReport({ id: randomUUID(), kind: 'error', message: 'CSP page check', appVersion: '1', userAgent: 'ua', occurredAt: new Date().toISOString(), stats: { a: 1 } });
	await submitReport(kiosk.actor, r);
	await processReport(t.id, r.id);
	const browser = await launchBrowser();
	const kctx = await newContext(browser);
	const cctx = await newContext(browser);
	const actx = await browser.newContext();
	const seen = [...[await watch(kctx), await watch(cctx), await watch(actx)]];
	const all = () => seen.flat();
	try {
		// Admin and operator pages, navigated by clicking (client-side rendering under the policy).
		const a = await actx.newPage();
		await signInPage(a, apps.console, admin.loginId, admin.password);
		for (const path of ['/', '/admin', '/account/password']) await a.goto(apps.console + path, { waitUntil: 'networkidle' });
		// The report list holds its live event stream open, so the network never goes idle there.
		await a.goto(apps.console + '/reports', { waitUntil: 'load' });
		await a.waitForSelector('[data-testid=reports-live][data-live=true]');
		await a.getByRole('link', { name: 'CSP page check' }).click();
		await a.getByText('Connection statistics').waitFor();
		const aViolations = await violations(a);
		const octx = await browser.newContext();
		seen.push(await watch(octx));
		const o = await octx.newPage();
		await signInPage(o, apps.console, operator.loginId, operator.password);
		for (const path of ['/operator', '/operator/reports']) await o.goto(apps.console + path, { waitUntil: 'networkidle' });
		const oViolations = await violations(o);
		await octx.close();

		// The call: standby, ringing, accepted, media both ways, screen sharing, hang-up.
		const k = await kctx.newPage();
		const c = await cctx.newPage();
		await signInPage(k, apps.kiosk, kiosk.loginId, kiosk.password);
		await signInPage(c, apps.console, concierge.loginId, concierge.password);
		await k.waitForSelector('main[data-phase=standby]');
		await c.click('button:has-text("Available")');
		await k.waitForSelector('button.call:not([disabled])');
		await k.click('button.call');
		await c.waitForSelector('li[data-call-id]');
		await c.click('li[data-call-id] button:has-text("Accept")');
		await k.waitForSelector('main[data-phase=incall]', { timeout: 20_000 });
		const kp = await waitForMedia(k);
		const cp = await waitForMedia(c);
		assert.ok(kp.framesDecoded > 0 && cp.framesDecoded > 0, 'video decoded both ways under the policy');
		await waitForVideo(k, 'video.remote');
		await c.click('button:has-text("Share my screen")');
		await waitForVideo(k, 'video.remote-screen');
		// The kiosk's screen, after consent on the kiosk (getDisplayMedia under the Permissions-Policy).
		await c.click('button:has-text("Ask to see the kiosk")');
		await k.waitForSelector('main[data-share=requested] [role=alertdialog]');
		await k.click('button:has-text("共有する / Share")');
		await k.waitForSelector('main[data-share=live]', { timeout: 20_000 });
		await waitForVideo(c, 'video.remote-screen');
		await k.click('button:has-text("Hang up")');
		await k.waitForSelector('main[data-phase=standby]');
		await c.waitForSelector('section[data-phase=idle]', { timeout: 10_000 });
		assert.equal([...aViolations, ...oViolations, ...(await violations(k)), ...(await violations(c))], [], 'securitypolicyviolation events');
		assert.equal(all(), [], 'console messages about the policy');
	} finally {
		await kctx.close();
		await cctx.close();
		await actx.close();
	}
});

test.run();
