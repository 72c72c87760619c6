/**
 * Attacks that must fail, from the attacker's side, against the built apps and the
 * real LiveKit: another tenant's concierge, a kiosk trying to answer, streams
 * carrying only their own tenant, forged, foreign, expired and replayed tokens.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { mintJoinToken } from '../../platform/livekit.server.ts';
import { identityOf } from '../../platform/calls/index.ts';
import { createHmac } from 'node:crypto';
import { config } from '../../platform/config.server.ts';
import { api, openStream, signInCookie, tryJoin } from '../../kiosk/tests/call-helpers.ts';

const test = suite('call attacks');

function signHs256(claims: Record<string, unknown>): string {
	const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
	const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
	return `${body}.${createHmac('sha256', config().livekit.apiSecret).update(body).digest('base64url')}`;
}

async function tenantWithCookies(apps: { kiosk: string; console: string }) {
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge' });
	const admin = await makeAccount(tenant, { role: 'admin' });
	return {
		tenant,
		kiosk,
		concierge,
		admin,
		kioskCookie: await signInCookie(apps.kiosk, kiosk.loginId, kiosk.password),
		conciergeCookie: await signInCookie(apps.console, concierge.loginId, concierge.password),
		adminCookie: await signInCookie(apps.console, admin.loginId, admin.password)
	};
}

test("tenant B cannot list, accept, hang up or get a token for tenant A's call; kiosks and admins cannot accept", async () => {
	const apps = await startApps();
	const a = await tenantWithCookies(apps);
	const b = await tenantWithCookies(apps);
	assert.is((await api(apps.console, a.conciergeCookie, '/api/presence', { status: 'available' })).status, 200);
	const created = await api(apps.kiosk, a.kioskCookie, '/api/calls', {});
	assert.is(created.status, 201);
	const id = String(created.body.id);

	const listB = await api(apps.console, b.conciergeCookie, '/api/calls');
	assert.is(listB.status, 200);
	assert.not.ok(
		(listB.body as unknown as { id: string }[]).some((c) => c.id === id),
		'B lists none of A'
	);
	for (const action of ['accept', 'token', 'hangup', 'request-screen']) {
		const r = await api(apps.console, b.conciergeCookie, `/api/calls/${id}/${action}`, {});
		assert.is(r.status, 404, `B ${action}`);
	}
	// A kiosk's cookie means nothing to the console, and the kiosk app has no accept.
	assert.is((await api(apps.console, a.kioskCookie, `/api/calls/${id}/accept`, {})).status, 401);
	assert.is((await api(apps.kiosk, a.kioskCookie, `/api/calls/${id}/accept`, {})).status, 404);
	assert.is((await api(apps.console, a.adminCookie, `/api/calls/${id}/accept`, {})).status, 403);
	// The kiosk of tenant B cannot cancel A's call either.
	assert.is((await api(apps.kiosk, b.kioskCookie, `/api/calls/${id}/cancel`, {})).status, 404);
	const [row] = await ownerDb()`select state from calls where id = ${id}`;
	assert.is(row!.state, 'ringing', 'nothing changed');

	// Bad input gets a clear 4xx.
	assert.is((await api(apps.console, a.conciergeCookie, '/api/calls/not-a-uuid/accept', {})).status, 404);
	assert.is((await api(apps.console, a.conciergeCookie, '/api/presence', { status: 'asleep' })).status, 400);
	const plain = await fetch(apps.kiosk + '/api/calls', { method: 'POST', headers: { cookie: a.kioskCookie, 'content-type': 'text/plain' }, body: '{}' });
	assert.ok(plain.status === 415 || plain.status === 403, `text/plain POST refused (${plain.status})`);
	assert.is((await api(apps.kiosk, a.kioskCookie, '/api/calls', {})).body.code, 'call_in_progress');
	assert.is((await fetch(apps.console + '/api/events')).status, 401, 'no stream without a session');
	const hook = await fetch(apps.console + '/api/livekit/webhook', { method: 'POST', headers: { 'content-type': 'application/webhook+json' }, body: '{"event":"room_finished"}' });
	assert.is(hook.status, 401, 'unsigned webhook refused');

	// Accepted by A's concierge; the loser of a later accept gets "already answered".
	const won = await api(apps.console, a.conciergeCookie, `/api/calls/${id}/accept`, {});
	assert.is(won.status, 200);
	const other = await makeAccount(a.tenant, { role: 'concierge' });
	const otherCookie = await signInCookie(apps.console, other.loginId, other.password);
	// Only an available concierge may answer at all; an available one who is too late is told so.
	assert.is((await api(apps.console, otherCookie, `/api/calls/${id}/accept`, {})).body.code, 'not_available');
	await api(apps.console, otherCookie, '/api/presence', { status: 'available' });
	const late = await api(apps.console, otherCookie, `/api/calls/${id}/accept`, {});
	assert.is(late.status, 409);
	assert.is(late.body.code, 'already_answered');
	assert.match(String(late.body.message), 'already answered');
	await api(apps.console, a.conciergeCookie, `/api/calls/${id}/hangup`, {});
});

test("a stream carries only its own tenant's events", async () => {
	const apps = await startApps();
	const a = await tenantWithCookies(apps);
	const b = await tenantWithCookies(apps);
	await api(apps.console, a.conciergeCookie, '/api/presence', { status: 'available' });
	await api(apps.console, b.conciergeCookie, '/api/presence', { status: 'available' });
	const sa = await openStream(apps.console, a.conciergeCookie);
	const sb = await openStream(apps.console, b.conciergeCookie);
	const sbk = await openStream(apps.kiosk, b.kioskCookie);
	try {
		await sa.waitFor((e) => e.type === 'snapshot');
		await sb.waitFor((e) => e.type === 'snapshot');
		const created = await api(apps.kiosk, a.kioskCookie, '/api/calls', {});
		const ring = await sa.waitFor((e) => e.type === 'call.ringing');
		assert.is(ring.data.callId, created.body.id);
		assert.is(ring.data.kioskName, a.kiosk.displayName);
		await api(apps.console, a.conciergeCookie, `/api/presence`, { status: 'away' });
		await sa.waitFor((e) => e.type === 'presence');
		// B's streams were open all along and must have seen none of it.
		await new Promise((r) => setTimeout(r, 500));
		const leaked = [...sb.events, ...sbk.events].filter((e) => JSON.stringify(e.data).includes(String(created.body.id)) || e.type === 'call.ringing');
		assert.equal(leaked, []);
		await api(apps.kiosk, a.kioskCookie, `/api/calls/${created.body.id}/cancel`, {});
	} finally {
		sa.close();
		sb.close();
		sbk.close();
	}
});

test('LiveKit refuses forged, expired and replayed tokens; the guard removes a participant the platform did not issue a token to', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const a = await tenantWithCookies(apps);
	const b = await tenantWithCookies(apps);
	await api(apps.console, a.conciergeCookie, '/api/presence', { status: 'available' });
	const created = await api(apps.kiosk, a.kioskCookie, '/api/calls', {});
	const id = String(created.body.id);
	const accepted = await api(apps.console, a.conciergeCookie, `/api/calls/${id}/accept`, {});
	const conn = accepted.body.connection as { url: string; token: string };
	const [row] = await ownerDb()<{ room: string }[]>`select room_name as room from calls where id = ${id}`;
	const ctx = await browser.newContext();
	try {
		const page = await ctx.newPage();
		await page.goto(apps.kiosk + '/login', { waitUntil: 'networkidle' });

		// A token for one room, edited to name another room: the signature no longer matches.
		const [h, p, s] = conn.token.split('.');
		const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
		claims.video.room = 'call_' + 'A'.repeat(32);
		const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
		assert.match(await tryJoin(page, conn.url, forged), /^refused/, 'edited token refused');

		// Tenant B's concierge with a token minted by someone holding the key, not by the platform: removed.
		const stranger = await mintJoinToken({ room: row!.room, identity: identityOf(b.tenant.id, b.concierge.id), name: 'stranger', ttlSeconds: 60, sources: [], attributes: {} });
		const s1 = await tryJoin(page, conn.url, stranger);
		assert.ok(/^removed: PARTICIPANT_REMOVED/.test(s1), `stranger removed by the guard: ${s1}`);
		// Even the right identity is removed without a token id the platform issued for this call.
		const forgedKiosk = await mintJoinToken({
			room: row!.room,
			identity: identityOf(a.tenant.id, a.kiosk.id),
			name: 'k',
			ttlSeconds: 60,
			sources: [],
			attributes: { tokenId: crypto.randomUUID() }
		});
		const s2 = await tryJoin(page, conn.url, forgedKiosk);
		assert.ok(/^removed: PARTICIPANT_REMOVED/.test(s2), `unissued token removed by the guard: ${s2}`);
		const [audit] = await ownerDb()`select count(*)::int as n from audit_log where tenant_id = ${a.tenant.id} and action = 'call.intruder_removed'`;
		assert.ok(audit!.n >= 2, 'removals audited');

		// Expired: a real token of this call whose expiry passed two minutes ago (LiveKit allows
		// a minute of clock skew), re-signed with the key as it would have been then.
		const kioskConn = (await api(apps.kiosk, a.kioskCookie, `/api/calls/${id}/token`, {})).body as { token: string };
		const kc = JSON.parse(Buffer.from(kioskConn.token.split('.')[1]!, 'base64url').toString());
		const now = Math.floor(Date.now() / 1000);
		const expired = signHs256({ ...kc, nbf: now - 240, exp: now - 120 });
		const e1 = await tryJoin(page, conn.url, expired);
		assert.ok(/^refused/.test(e1), `expired token refused: ${e1}`);

		// Replayed after the call ended: refused or removed at once, never in.
		await api(apps.console, a.conciergeCookie, `/api/calls/${id}/hangup`, {});
		const replay = await tryJoin(page, conn.url, conn.token, 10_000);
		assert.ok(/^refused|^removed/.test(replay), `replayed token: ${replay}`);
	} finally {
		await ctx.close();
	}
});

test.run();
