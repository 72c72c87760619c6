/**
 * Issue 8, call side, from the attacker's side against the built apps and the real
 * LiveKit: a used join token replayed by a second client, a second "camera" track,
 * a replayed or stale signed webhook, a kiosk ringing in a loop, and the effective
 * token lifetime.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';
import { startApps } from '../../platform/testing/apps.ts';
import { launchBrowser } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { config } from '../../platform/config.server.ts';
import { api, openStream, signInCookie, tryJoin } from '../../kiosk/tests/call-helpers.ts';

const test = suite('call guard attacks');

async function answeredCall(apps: { kiosk: string; console: string }) {
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge' });
	const kioskCookie = await signInCookie(apps.kiosk, kiosk.loginId, kiosk.password);
	const conciergeCookie = await signInCookie(apps.console, concierge.loginId, concierge.password);
	await api(apps.console, conciergeCookie, '/api/presence', { status: 'available' });
	const created = await api(apps.kiosk, kioskCookie, '/api/calls', {});
	const id = String(created.body.id);
	const accepted = await api(apps.console, conciergeCookie, `/api/calls/${id}/accept`, {});
	const conn = accepted.body.connection as { url: string; token: string; identity: string };
	const [row] = await ownerDb()<{ room: string }[]>`select room_name as room from calls where id = ${id}`;
	return { tenant, kiosk, concierge, kioskCookie, conciergeCookie, id, conn, room: row!.room };
}

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number; nbf: number };

test('a used join token is single-use: a second client with it is removed by the guard', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const c = await answeredCall(apps);
	const kioskConn = (await api(apps.kiosk, c.kioskCookie, `/api/calls/${c.id}/token`, {})).body as { url: string; token: string };
	const ctxA = await browser.newContext();
	const ctxB = await browser.newContext();
	try {
		const a = await ctxA.newPage();
		const b = await ctxB.newPage();
		await a.goto(apps.kiosk + '/login', { waitUntil: 'networkidle' });
		await b.goto(apps.kiosk + '/login', { waitUntil: 'networkidle' });
		// The real kiosk joins and stays.
		const first = tryJoin(a, kioskConn.url, kioskConn.token, 25_000);
		for (let i = 0; i < 100; i++) {
			const [r] = await ownerDb()<
				{ sid: string | null }[]
			>`select participant_sid as sid from call_tokens where call_id = ${c.id} and account_id = ${c.kiosk.id} and participant_sid is not null`;
			if (r) break;
			await new Promise((res) => setTimeout(res, 100));
		}
		// The attacker replays the same token from another client.
		const second = await tryJoin(b, kioskConn.url, kioskConn.token, 10_000);
		assert.match(second, /^removed: PARTICIPANT_REMOVED|^refused/, `the replayed token is not let in: ${second}`);
		await first;
		const [audit] = await ownerDb()<
			{ n: number }[]
		>`select count(*)::int as n from audit_log where tenant_id = ${c.tenant.id} and action = 'call.intruder_removed' and detail->>'problem' = 'token_reused'`;
		assert.ok(audit!.n >= 1, 'audited as token_reused');
		// A fresh token from the platform (what a reconnecting kiosk fetches) still gets in.
		const fresh = (await api(apps.kiosk, c.kioskCookie, `/api/calls/${c.id}/token`, {})).body as { url: string; token: string };
		assert.is(await tryJoin(b, fresh.url, fresh.token, 3_000), 'stayed', 'a freshly issued token joins');
	} finally {
		await ctxA.close();
		await ctxB.close();
	}
});

test('a concierge publishing a second "camera" track (a canvas) is removed before the kiosk can keep watching it', async () => {
	const apps = await startApps();
	const browser = await launchBrowser();
	const c = await answeredCall(apps);
	const ctx = await browser.newContext();
	try {
		const page = await ctx.newPage();
		await page.goto(apps.console + '/login', { waitUntil: 'networkidle' });
		// Loads livekit-client's UMD build into the page (a junk token, refused at once).
		await tryJoin(page, c.conn.url, 'x', 100);
		const outcome = await page.evaluate(`(async () => {
			const LK = window.LivekitClient;
			const room = new LK.Room();
			let reason = null;
			room.on(LK.RoomEvent.Disconnected, (r) => { reason = LK.DisconnectReason[r]; });
			await room.connect(${JSON.stringify(c.conn.url)}, ${JSON.stringify(c.conn.token)});
			const canvas = (n) => { const cv = document.createElement('canvas'); cv.width = 160; cv.height = 120; const g = cv.getContext('2d'); setInterval(() => { g.fillStyle = n ? '#f00' : '#00f'; g.fillRect(0, 0, 160, 120); }, 50); return cv.captureStream(10).getVideoTracks()[0]; };
			await room.localParticipant.publishTrack(canvas(0), { source: LK.Track.Source.Camera, name: 'cam' });
			await room.localParticipant.publishTrack(canvas(1), { source: LK.Track.Source.Camera, name: 'second' }).catch(() => {});
			for (let i = 0; i < 100 && !reason; i++) await new Promise((r) => setTimeout(r, 100));
			return reason ?? 'stayed';
		})()`);
		assert.is(outcome, 'PARTICIPANT_REMOVED', 'two camera tracks: removed');
		const [audit] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from audit_log where tenant_id = ${c.tenant.id} and detail->>'problem' = 'extra_tracks'`;
		assert.is(audit!.n, 1);
	} finally {
		await ctx.close();
	}
});

async function signedWebhook(body: string): Promise<string> {
	const at = new AccessToken(config().livekit.apiKey, config().livekit.apiSecret);
	at.sha256 = createHash('sha256').update(body).digest('base64');
	return at.toJwt();
}

test('a signed webhook is acted on once; a replay, or one older than a minute, changes nothing', async () => {
	const apps = await startApps();
	const c = await answeredCall(apps);
	const post = async (body: string) => {
		const r = await fetch(apps.console + '/api/livekit/webhook', {
			method: 'POST',
			headers: { 'content-type': 'application/webhook+json', authorization: await signedWebhook(body) },
			body
		});
		return { status: r.status, body: (await r.json()) as Record<string, unknown> };
	};
	const left = (id: string, createdAt: number) =>
		JSON.stringify({ event: 'participant_left', id, createdAt: String(createdAt), room: { name: c.room }, participant: { identity: c.conn.identity, sid: 'PA_x' } });
	const leftAt = async () => (await ownerDb()<{ at: Date | null }[]>`select concierge_left_at as at from calls where id = ${c.id}`)[0]!.at;
	const body = left('EV_' + crypto.randomUUID(), Math.floor(Date.now() / 1000));
	assert.is((await post(body)).status, 200);
	assert.ok(await leftAt(), 'the first delivery is acted on');
	await ownerDb()`update calls set concierge_left_at = null where id = ${c.id}`;
	const replay = await post(body);
	assert.equal([replay.status, replay.body.ignored], [200, 'duplicate']);
	assert.is(await leftAt(), null, 'the replay changed nothing');
	const stale = await post(left('EV_' + crypto.randomUUID(), Math.floor(Date.now() / 1000) - 120));
	assert.equal([stale.status, stale.body.ignored], [200, 'stale']);
	assert.is(await leftAt(), null, 'a two-minute-old event changed nothing');
	await api(apps.console, c.conciergeCookie, `/api/calls/${c.id}/hangup`, {});
});

test('one kiosk cannot ring in a loop: after the per-minute limit it gets 429 with a plain sentence', async () => {
	const apps = await startApps();
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge' });
	const kioskCookie = await signInCookie(apps.kiosk, kiosk.loginId, kiosk.password);
	const conciergeCookie = await signInCookie(apps.console, concierge.loginId, concierge.password);
	await api(apps.console, conciergeCookie, '/api/presence', { status: 'available' });
	const statuses: number[] = [];
	let last: { code?: string; message?: string } = {};
	for (let i = 0; i < config().callRatePerMinute + 3; i++) {
		const r = await api(apps.kiosk, kioskCookie, '/api/calls', {});
		statuses.push(r.status);
		last = r.body;
		if (r.status === 201) await api(apps.kiosk, kioskCookie, `/api/calls/${String(r.body.id)}/cancel`, {});
	}
	assert.is(statuses.filter((s) => s === 201).length, config().callRatePerMinute, `created: ${statuses.join(',')}`);
	assert.ok(statuses.slice(config().callRatePerMinute).every((s) => s === 429));
	assert.is(last.code, 'call_rate_limited');
	assert.match(String(last.message), 'wait a moment');
	const [n] = await ownerDb()<{ n: number }[]>`select count(*)::int as n from calls where kiosk_account_id = ${kiosk.id}`;
	assert.is(n!.n, config().callRatePerMinute, 'nothing rang past the limit');
});

test('join tokens are minted so that LiveKit’s fixed one-minute leeway still ends them at the documented 120 s', async () => {
	const apps = await startApps();
	const c = await answeredCall(apps);
	const t = claims(c.conn.token);
	assert.is(t.exp - t.nbf, 60, 'minted for 60 s; LiveKit accepts it up to 60 s more');
	await api(apps.console, c.conciergeCookie, `/api/calls/${c.id}/hangup`, {});
});

test('an event stream ends with its session: after sign-out it hears no more rings and the concierge is no longer available', async () => {
	const apps = await startApps();
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge' });
	const kioskCookie = await signInCookie(apps.kiosk, kiosk.loginId, kiosk.password);
	const cookie = await signInCookie(apps.console, concierge.loginId, concierge.password);
	const other = await signInCookie(apps.console, concierge.loginId, concierge.password);
	assert.is((await api(apps.console, cookie, '/api/presence', { status: 'available' })).status, 200);
	const stream = await openStream(apps.console, cookie);
	const otherStream = await openStream(apps.console, other);
	const kioskStream = await openStream(apps.kiosk, kioskCookie);
	await stream.waitFor((e) => e.type === 'snapshot');
	const out = await fetch(apps.console + '/logout', {
		method: 'POST',
		redirect: 'manual',
		headers: { cookie, origin: apps.console, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: ''
	});
	assert.is(out.status, 303);
	const ended = await stream.waitFor((e) => e.type === 'session.ended', 5_000);
	assert.is(ended.data.reason, 'signed_out');
	// Signed out: offline, so the kiosk's button goes off, and a ring reaches nobody.
	const p = await kioskStream.waitFor((e) => e.type === 'presence' && e.data.available === 0, 5_000);
	assert.is(p.data.busy, 0);
	assert.is((await api(apps.kiosk, kioskCookie, '/api/calls', {})).status, 409, 'nobody to ring');
	assert.not.ok(stream.events.some((e) => e.type === 'call.ringing'));
	assert.not.ok(
		otherStream.events.some((e) => e.type === 'session.ended'),
		"the account's other session's stream is untouched"
	);
	// The old cookie opens no new stream.
	const again = await fetch(apps.console + '/api/events', { headers: { cookie } });
	assert.is(again.status, 401);
	stream.close();
	otherStream.close();
	kioskStream.close();
});

test.run();
