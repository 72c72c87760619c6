/**
 * The call lifecycle on the real PostgreSQL and LiveKit (issue 7): the queue behind
 * busy concierges, nobody left to answer, two unanswered rings, a party gone past
 * the grace, the maximum duration, a console that vanished, sign-out mid-call,
 * idempotent hang-up, and streams bound to their session. Time is moved by
 * rewriting timestamps and passing `now` to the sweep, never by sleeping it out.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { config } from '../config.server.ts';
import { withTenant } from '../db.server.ts';
import { subscribe, type Delivery } from '../events/hub.server.ts';
import { closeEndedSessions, eventStream } from '../events/stream.ts';
import { publishSessionEnded } from '../events/events.ts';
import { createSession } from '../sessions/sessions.ts';
import { sessionIdFromToken } from '../sessions/token.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import {
	acceptCall,
	callSnapshot,
	consoleStreamClosed,
	consoleStreamOpened,
	createCall,
	handleLiveKitEvent,
	handleWebhook,
	hangUpCall,
	issueCallToken,
	leaveOnSignOut,
	setAvailability,
	sweepCalls
} from './index.ts';

const test = suite('call lifecycle');

async function code(p: Promise<unknown>): Promise<string> {
	try {
		await p;
	} catch (e) {
		return (e as { code?: string }).code ?? String(e);
	}
	return 'no error';
}

async function listen(tenantId: string, accountId: string, role: 'kiosk' | 'concierge') {
	const heard: Delivery['event'][] = [];
	const off = await subscribe({ tenantId, accountId, role }, (d) => heard.push(d.event));
	const waitFor = async (type: string, pred: (data: Record<string, unknown>) => boolean = () => true) => {
		for (let i = 0; i < 150; i++) {
			const e = heard.find((h) => h.type === type && pred(h.data as Record<string, unknown>));
			if (e) return e.data as Record<string, unknown>;
			await new Promise((r) => setTimeout(r, 20));
		}
		throw new Error(`never heard ${type}; heard ${heard.map((h) => h.type).join(', ')}`);
	};
	return { heard, off, waitFor };
}

const row = async (id: string) =>
	(await ownerDb()<{ state: string; end_reason: string | null; ring_expires_at: Date | null }[]>`select state, end_reason, ring_expires_at from calls where id = ${id}`)[0]!;

async function store(concierges = 1) {
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const kiosk2 = await makeAccount(tenant, { role: 'kiosk' });
	const cs = [];
	for (let i = 0; i < concierges; i++) {
		const c = await makeAccount(tenant, { role: 'concierge' });
		await setAvailability(c.actor, 'available');
		cs.push(c);
	}
	return { tenant, kiosk, kiosk2, cs };
}

/** Accept and let both parties "join" through the webhook guard, as LiveKit would report it. */
async function answered(s: Awaited<ReturnType<typeof store>>) {
	const call = await createCall(s.kiosk.actor);
	const { connection } = await acceptCall(s.cs[0]!.actor, call.id);
	const k = await issueCallToken(s.kiosk.actor, call.id);
	const [r] = await ownerDb()<{ room: string }[]>`select room_name as room from calls where id = ${call.id}`;
	const room = { name: r!.room };
	const tokenOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).attributes.tokenId as string;
	await handleLiveKitEvent({ event: 'participant_joined', room, participant: { identity: k.identity, attributes: { tokenId: tokenOf(k.token) } } });
	await handleLiveKitEvent({ event: 'participant_joined', room, participant: { identity: connection.identity, attributes: { tokenId: tokenOf(connection.token) } } });
	return { call, room, kioskIdentity: k.identity, conciergeIdentity: connection.identity };
}

test('all concierges busy: the call waits in the queue and rings the first concierge who is free', async () => {
	const s = await store(1);
	const first = await answered(s);
	const kiosk2 = await listen(s.tenant.id, s.kiosk2.id, 'kiosk');
	const c = await listen(s.tenant.id, s.cs[0]!.id, 'concierge');
	const queued = await createCall(s.kiosk2.actor);
	assert.is(queued.ringExpiresAt, null, 'queued: no ring timer while nobody is free');
	const p = await kiosk2.waitFor('presence', (d) => (d.waiting as string[]).includes(queued.id));
	assert.is(p.busy, 1);
	assert.is(p.available, 0);
	assert.is((p.waiting as string[]).indexOf(queued.id) + 1, 1, 'position 1 in the queue');
	assert.is(await code(acceptCall(s.cs[0]!.actor, queued.id)), 'not_available', 'a busy concierge cannot take a second call');
	assert.not.ok(
		c.heard.some((e) => e.type === 'call.ringing'),
		'a busy concierge is not rung'
	);
	// The queue never times out the ring while it waits.
	await sweepCalls(new Date(Date.now() + (config().callRingTimeoutSeconds + 5) * 1000));
	assert.is((await row(queued.id)).state, 'ringing');
	// The first call ends; after the wrap-up the concierge is available and the queued call rings it.
	await hangUpCall(s.kiosk.actor, first.call.id);
	assert.is((await callSnapshot(s.cs[0]!.actor)).me!.state, 'busy', 'wrapping up');
	await ownerDb()`update calls set ended_at = now() - interval '1 hour' where id = ${first.call.id}`;
	await sweepCalls();
	const ring = await c.waitFor('call.ringing', (d) => d.callId === queued.id);
	assert.ok(ring.ringExpiresAt, 'now it rings, with a ring timer');
	assert.ok((await row(queued.id)).ring_expires_at);
	assert.is((await acceptCall(s.cs[0]!.actor, queued.id)).call.state, 'accepted');
	kiosk2.off();
	c.off();
});

test('one concierge accepting two calls at once gets exactly one', async () => {
	const s = await store(1);
	const a = await createCall(s.kiosk.actor);
	const b = await createCall(s.kiosk2.actor);
	const results = await Promise.allSettled([acceptCall(s.cs[0]!.actor, a.id), acceptCall(s.cs[0]!.actor, b.id)]);
	assert.is(results.filter((r) => r.status === 'fulfilled').length, 1);
	const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
	assert.is(lost.reason.code, 'not_available');
	assert.match(lost.reason.message, 'Finish your current call');
});

test('nobody available or busy: the kiosk cannot call; a ringing kiosk is told at once when the last concierge goes away', async () => {
	const s = await store(1);
	const k = await listen(s.tenant.id, s.kiosk.id, 'kiosk');
	const call = await createCall(s.kiosk.actor);
	assert.ok(call.ringExpiresAt);
	await setAvailability(s.cs[0]!.actor, 'away');
	const missed = await k.waitFor('call.missed', (d) => d.callId === call.id);
	assert.is(missed.reason, 'no_concierge');
	assert.equal([(await row(call.id)).state, (await row(call.id)).end_reason], ['missed', 'no_concierge']);
	assert.is(await code(createCall(s.kiosk.actor)), 'no_concierge');
	k.off();
});

test('a concierge who lets two rings in a row go unanswered is set away and told why', async () => {
	const s = await store(2);
	const [c1, c2] = s.cs as [Awaited<ReturnType<typeof makeAccount>>, Awaited<ReturnType<typeof makeAccount>>];
	const l1 = await listen(s.tenant.id, c1.id, 'concierge');
	const late = () => new Date(Date.now() + (config().callRingTimeoutSeconds + 2) * 1000);
	const a = await createCall(s.kiosk.actor);
	await sweepCalls(late());
	assert.is((await row(a.id)).end_reason, 'no_answer');
	assert.is((await callSnapshot(c1.actor)).me!.state, 'available', 'one miss is forgiven');
	const b = await createCall(s.kiosk.actor);
	await sweepCalls(late());
	const told = await l1.waitFor('presence.self');
	assert.equal(told, { state: 'away', reason: 'missed_rings' }, 'told why');
	assert.is((await row(b.id)).state, 'missed');
	assert.is((await callSnapshot(c1.actor)).me!.state, 'away');
	assert.is((await callSnapshot(c2.actor)).me!.state, 'away');
	l1.off();
});

test('party gone: the other side hears it at once; back within the grace the call goes on; past it the call ends', async () => {
	const s = await store(1);
	const a = await answered(s);
	const k = await listen(s.tenant.id, s.kiosk.id, 'kiosk');
	await handleLiveKitEvent({ event: 'participant_left', room: a.room, participant: { identity: a.conciergeIdentity } });
	const gone = await k.waitFor('call.party', (d) => d.present === false);
	assert.equal([gone.party, gone.graceSeconds], ['concierge', config().callGraceSeconds]);
	await sweepCalls();
	assert.is((await row(a.call.id)).state, 'accepted', 'within the grace nothing ends');
	await ownerDb()`update calls set concierge_left_at = now() - make_interval(secs => ${config().callGraceSeconds + 1}) where id = ${a.call.id}`;
	await sweepCalls();
	const ended = await k.waitFor('call.ended', (d) => d.callId === a.call.id);
	assert.is(ended.reason, 'concierge_left');
	assert.is((await row(a.call.id)).state, 'ended');
	k.off();

	// A party that comes back within the grace keeps the call.
	const s2 = await store(1);
	const b = await answered(s2);
	const k2 = await listen(s2.tenant.id, s2.kiosk.id, 'kiosk');
	await handleLiveKitEvent({ event: 'participant_left', room: b.room, participant: { identity: b.conciergeIdentity } });
	const again = await issueCallToken(s2.cs[0]!.actor, b.call.id);
	const tokenId = JSON.parse(Buffer.from(again.token.split('.')[1]!, 'base64url').toString()).attributes.tokenId;
	await handleLiveKitEvent({ event: 'participant_joined', room: b.room, participant: { identity: again.identity, attributes: { tokenId } } });
	const back = await k2.waitFor('call.party', (d) => d.present === true);
	assert.is(back.party, 'concierge');
	await sweepCalls(new Date(Date.now() + (config().callGraceSeconds + 1) * 1000));
	assert.is((await row(b.call.id)).state, 'accepted', 'came back: the call goes on');
	await hangUpCall(s2.kiosk.actor, b.call.id);
	k2.off();
});

test('a party that never joins the room, and a call past its maximum duration (with a warning first), are ended', async () => {
	const s = await store(1);
	const call = await createCall(s.kiosk.actor);
	await acceptCall(s.cs[0]!.actor, call.id);
	await sweepCalls(new Date(Date.now() + (config().callGraceSeconds + 20) * 1000));
	assert.equal([(await row(call.id)).state, (await row(call.id)).end_reason], ['ended', 'kiosk_left'], 'nobody joined: no call stays accepted with nobody in it');

	const s2 = await store(1);
	const a = await answered(s2);
	const k = await listen(s2.tenant.id, s2.kiosk.id, 'kiosk');
	await ownerDb()`update calls set accepted_at = now() - make_interval(mins => ${config().callMaxMinutes - 4}) where id = ${a.call.id}`;
	await sweepCalls();
	const warn = await k.waitFor('call.warning');
	assert.ok(Date.parse(String(warn.endsAt)) > Date.now(), 'the warning says when');
	assert.is((await row(a.call.id)).state, 'accepted');
	await sweepCalls();
	assert.is(k.heard.filter((e) => e.type === 'call.warning').length, 1, 'warned once');
	await ownerDb()`update calls set accepted_at = now() - make_interval(mins => ${config().callMaxMinutes + 1}) where id = ${a.call.id}`;
	await sweepCalls();
	assert.is((await k.waitFor('call.ended')).reason, 'max_duration');
	k.off();
});

test('a concierge whose console is gone past the grace is offline: rings stop and its call ends for the kiosk', async () => {
	const s = await store(1);
	const c = s.cs[0]!;
	await consoleStreamOpened(c.actor);
	const a = await answered(s);
	const k = await listen(s.tenant.id, s.kiosk.id, 'kiosk');
	await consoleStreamClosed(c.actor);
	await sweepCalls();
	assert.is((await row(a.call.id)).state, 'accepted', 'a brief loss is within the grace');
	await ownerDb()`update concierge_presence set disconnected_at = now() - make_interval(secs => ${config().presenceOfflineGraceSeconds + 1}) where account_id = ${c.id}`;
	await sweepCalls();
	assert.is((await k.waitFor('call.ended')).reason, 'concierge_left');
	assert.is((await callSnapshot(c.actor)).me!.state, 'offline');
	const p = await k.waitFor('presence', (d) => d.available === 0 && d.busy === 0);
	assert.ok(p);
	assert.is(await code(createCall(s.kiosk.actor)), 'no_concierge', 'the button is off: nobody can answer');
	k.off();
});

test('signing out mid-call ends the call for the kiosk and makes the concierge offline', async () => {
	const s = await store(1);
	await answered(s);
	const k = await listen(s.tenant.id, s.kiosk.id, 'kiosk');
	await leaveOnSignOut(s.cs[0]!.actor);
	assert.is((await k.waitFor('call.ended')).reason, 'concierge_signed_out');
	assert.is((await callSnapshot(s.cs[0]!.actor)).me!.state, 'offline');
	k.off();
});

test('hang-up is idempotent: a repeated (retried) hang-up answers with the ended call, never an error', async () => {
	const s = await store(1);
	const a = await answered(s);
	const first = await hangUpCall(s.kiosk.actor, a.call.id);
	const again = await hangUpCall(s.kiosk.actor, a.call.id);
	assert.equal([first.state, again.state, again.endReason], ['ended', 'ended', 'hung_up_by_kiosk']);
	assert.equal((await callSnapshot(s.kiosk.actor)).calls, [], 'the snapshot shows no live call to rejoin');
});

test('an event stream ends when its session ends (a session.ended event for its own session only)', async () => {
	const s = await store(1);
	const c = s.cs[0]!;
	const { token } = await withTenant(s.tenant.id, (tx) => createSession(tx, { id: c.id, tenantId: s.tenant.id }, 'console', {}));
	const sessionId = sessionIdFromToken(token);
	const res = eventStream(c.actor, { id: sessionId }, { snapshot: async () => ({ ok: true }) });
	const reader = res.body!.getReader();
	// The release frame comes first, then the snapshot, in as many chunks as the stream writes.
	let opening = '';
	while (!opening.includes('snapshot')) {
		const r = await reader.read();
		assert.not.ok(r.done, `the stream ended before its snapshot: ${opening}`);
		opening += new TextDecoder().decode(r.value);
	}
	// Another session of the same account ending does not touch this stream.
	await publishSessionEnded(ownerDb() as never, c.actor, 'f'.repeat(64), 'signed_out');
	await publishSessionEnded(ownerDb() as never, c.actor, sessionId, 'signed_out');
	let text = '';
	for (;;) {
		const r = await Promise.race([reader.read(), new Promise<{ done: true; value?: undefined }>((res) => setTimeout(() => res({ done: true }), 5000))]);
		if (r.value) text += new TextDecoder().decode(r.value);
		if (r.done) break;
	}
	assert.match(text, 'event: session.ended');
	assert.is((text.match(/session\.ended/g) ?? []).length, 1, 'only its own session');
});

test('the heartbeat check closes a stream whose session was deleted (revoked, password changed) without any event', async () => {
	const s = await store(1);
	const c = s.cs[0]!;
	const { token } = await withTenant(s.tenant.id, (tx) => createSession(tx, { id: c.id, tenantId: s.tenant.id }, 'console', {}));
	const { token: keep } = await withTenant(s.tenant.id, (tx) => createSession(tx, { id: c.id, tenantId: s.tenant.id }, 'console', {}));
	const gone = eventStream(c.actor, { id: sessionIdFromToken(token) }, { snapshot: async () => ({}) }).body!.getReader();
	const kept = eventStream(c.actor, { id: sessionIdFromToken(keep) }, { snapshot: async () => ({}) }).body!.getReader();
	await gone.read();
	await kept.read();
	await ownerDb()`delete from sessions where id = ${sessionIdFromToken(token)}`;
	await closeEndedSessions();
	const readAll = async (r: ReadableStreamDefaultReader<Uint8Array>) => {
		for (;;) {
			const x = await Promise.race([r.read(), new Promise<{ done: 'timeout' }>((res) => setTimeout(() => res({ done: 'timeout' }), 2000))]);
			if (x.done) return x.done;
		}
	};
	assert.is(await readAll(gone), true, 'the revoked session’s stream ended');
	assert.is(await readAll(kept), 'timeout', 'the live session’s stream stays open');
	await kept.cancel();
});

test('the webhook guard: a token joins once (bound to its participant), a webhook is acted on once and never when stale', async () => {
	const s = await store(1);
	const call = await createCall(s.kiosk.actor);
	await acceptCall(s.cs[0]!.actor, call.id);
	const k = await issueCallToken(s.kiosk.actor, call.id);
	const tokenId = JSON.parse(Buffer.from(k.token.split('.')[1]!, 'base64url').toString()).attributes.tokenId as string;
	const [r] = await ownerDb()<{ room: string }[]>`select room_name as room from calls where id = ${call.id}`;
	const room = { name: r!.room };
	const now = () => BigInt(Math.floor(Date.now() / 1000));
	const joined = (sid: string, id = 'EV_' + crypto.randomUUID()) => ({
		event: 'participant_joined',
		id,
		createdAt: now(),
		room,
		participant: { identity: k.identity, sid, attributes: { tokenId } }
	});
	assert.is(await handleWebhook(joined('PA_first')), null, 'first join with the token');
	assert.is(await handleWebhook(joined('PA_first')), null, 'the same participant again (a resumed connection)');
	assert.equal(await handleWebhook(joined('PA_second')), { removed: k.identity }, 'another participant with the used token');
	const ev = joined('PA_first');
	await handleWebhook(ev);
	assert.equal(await handleWebhook(ev), { ignored: 'duplicate' });
	assert.equal(await handleWebhook({ ...joined('PA_third'), createdAt: now() - 120n }), { ignored: 'stale' }, 'older than a minute: not acted on');
	assert.equal(await handleWebhook({ ...joined('PA_third'), id: undefined } as never), { ignored: 'no_id' });
	await hangUpCall(s.kiosk.actor, call.id);
});

test.run();
