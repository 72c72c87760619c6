/**
 * Calls on the real PostgreSQL and the test LiveKit: ringing, first-accept-wins,
 * tokens, expiry, forced ends, screen-share consent, the webhook guard's verdicts,
 * and tenant isolation from the attacker's side.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenVerifier } from 'livekit-server-sdk';
import { db, withTenant } from '../db.server.ts';
import { config } from '../config.server.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';
import { ownerDb } from '../testing/db.ts';
import { subscribe } from '../events/hub.server.ts';
import { publish } from '../events/events.ts';
import { roomService } from '../livekit.server.ts';
import {
	acceptCall,
	answerScreenRequest,
	callSnapshot,
	cancelCall,
	createCall,
	endCallsOfAccount,
	handleLiveKitEvent,
	hangUpCall,
	identityOf,
	issueCallToken,
	listCalls,
	reportBlinder,
	reportShare,
	requestKioskScreen,
	setPrivacyPolicy,
	setAvailability,
	sweepCalls
} from './index.ts';

const test = suite('calls');

async function store() {
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const c1 = await makeAccount(tenant, { role: 'concierge' });
	const c2 = await makeAccount(tenant, { role: 'concierge' });
	const admin = await makeAccount(tenant, { role: 'admin' });
	await setAvailability(c1.actor, 'available');
	await setAvailability(c2.actor, 'available');
	return { tenant, kiosk, c1, c2, admin };
}

async function code(p: Promise<unknown>): Promise<string> {
	try {
		await p;
	} catch (e) {
		return (e as { code?: string }).code ?? String(e);
	}
	return 'no error';
}

const grants = async (token: string) => {
	const v = new TokenVerifier(config().livekit.apiKey, config().livekit.apiSecret);
	return v.verify(token);
};

const auditActions = async (tenantId: string) =>
	(await ownerDb()<{ action: string }[]>`select action from audit_log where tenant_id = ${tenantId} order by id`).map((r) => r.action);

test('no call without an available concierge, with a plain message', async () => {
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const c = await makeAccount(tenant, { role: 'concierge' });
	await setAvailability(c.actor, 'away');
	try {
		await createCall(kiosk.actor);
		assert.unreachable();
	} catch (e) {
		assert.is((e as { code: string }).code, 'no_concierge');
		assert.match((e as Error).message, 'No concierge is available right now');
	}
});

test('ring reaches the tenant concierges and only them; one live call per kiosk', async () => {
	const { tenant, kiosk, c1 } = await store();
	const other = await store();
	const got: string[] = [];
	const gotOther: string[] = [];
	const offA = await subscribe({ tenantId: tenant.id, accountId: c1.id, role: 'concierge' }, (d) => got.push(d.event.type));
	const offB = await subscribe({ tenantId: other.tenant.id, accountId: other.c1.id, role: 'concierge' }, (d) => gotOther.push(d.event.type));
	const call = await createCall(kiosk.actor);
	assert.is(call.state, 'ringing');
	for (let i = 0; i < 50 && !got.includes('call.ringing'); i++) await new Promise((r) => setTimeout(r, 20));
	assert.ok(got.includes('call.ringing'));
	assert.not.ok(gotOther.includes('call.ringing'), 'another tenant heard the ring');
	assert.is(await code(createCall(kiosk.actor)), 'call_in_progress');
	offA();
	offB();
	await cancelCall(kiosk.actor, call.id);
});

test('the first accept wins exactly once under concurrent accepts', async () => {
	const { tenant, kiosk, c1, c2 } = await store();
	const c3 = await makeAccount(tenant, { role: 'concierge' });
	await setAvailability(c3.actor, 'available');
	const call = await createCall(kiosk.actor);
	const results = await Promise.allSettled([acceptCall(c1.actor, call.id), acceptCall(c2.actor, call.id), acceptCall(c3.actor, call.id)]);
	const won = results.filter((r) => r.status === 'fulfilled');
	const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
	assert.is(won.length, 1);
	assert.is(lost.length, 2);
	for (const l of lost) {
		assert.is(l.reason.code, 'already_answered');
		assert.match(l.reason.message, 'already answered');
	}
	const [row] = await ownerDb()`select state, concierge_account_id, accepted_at from calls where id = ${call.id}`;
	assert.is(row!.state, 'accepted');
	assert.ok(row!.accepted_at);
	assert.is((await auditActions(tenant.id)).filter((a) => a === 'call.accepted').length, 1);
	await hangUpCall(kiosk.actor, call.id);
});

test('tokens: one room, the two parties, short TTL, identity from tenant and account, grants by role', async () => {
	const { tenant, kiosk, c1, c2 } = await store();
	await ownerDb()`update accounts set can_share_screen = false where id = ${c2.id}`;
	const call = await createCall(kiosk.actor);
	assert.is(await code(issueCallToken(kiosk.actor, call.id)), 'call_not_active', 'no token while ringing');
	const { connection } = await acceptCall(c1.actor, call.id);
	const [row] = await ownerDb()<{ room: string; tenant: string }[]>`select room_name as room, tenant_id as tenant from calls where id = ${call.id}`;
	assert.match(row!.room, /^call_[A-Za-z0-9_-]{32}$/);
	const cg = await grants(connection.token);
	assert.is(cg.video?.room, row!.room);
	assert.is(cg.video?.roomJoin, true);
	assert.not.ok(cg.video?.roomAdmin);
	assert.not.ok(cg.video?.roomCreate);
	assert.is(cg.sub, identityOf(tenant.id, c1.id));
	assert.ok(cg.exp! - cg.nbf! <= 300, 'short TTL');
	assert.equal(cg.video?.canPublishSources, ['camera', 'microphone', 'screen_share']);
	const k = await issueCallToken(kiosk.actor, call.id);
	const kg = await grants(k.token);
	assert.equal(kg.video?.canPublishSources, ['camera', 'microphone'], 'kiosk cannot share its screen before consent');
	assert.is(kg.sub, identityOf(tenant.id, kiosk.id));
	// Not a party: the other concierge, even of the same tenant.
	assert.is(await code(issueCallToken(c2.actor, call.id)), 'not_your_call');
	// The room exists in LiveKit with the tenant in its metadata and at most two participants.
	const [room] = await roomService().listRooms([row!.room]);
	assert.ok(room);
	assert.is(room!.maxParticipants, 2);
	assert.is(JSON.parse(room!.metadata).tenantId, tenant.id);
	await hangUpCall(c1.actor, call.id);
	assert.is(await code(issueCallToken(kiosk.actor, call.id)), 'call_not_active', 'no token after hang-up');
	assert.is((await roomService().listRooms([row!.room])).length, 0, 'room deleted at hang-up');
});

test("per-concierge share permission is enforced in the concierge's grant", async () => {
	const { kiosk, c1 } = await store();
	await ownerDb()`update accounts set can_share_screen = false, can_view_kiosk_screen = false where id = ${c1.id}`;
	const call = await createCall(kiosk.actor);
	const { connection } = await acceptCall(c1.actor, call.id);
	assert.equal((await grants(connection.token)).video?.canPublishSources, ['camera', 'microphone']);
	assert.is(await code(reportShare(c1.actor, call.id, 'live')), 'share_not_permitted');
	assert.is(await code(requestKioskScreen(c1.actor, call.id)), 'share_not_permitted');
	await hangUpCall(kiosk.actor, call.id);
});

test('kiosk screen share: only the kiosk answers; consent opens the grant; stop closes it; all audited', async () => {
	const { tenant, kiosk, c1 } = await store();
	const call = await createCall(kiosk.actor);
	await acceptCall(c1.actor, call.id);
	assert.is(await code(reportShare(kiosk.actor, call.id, 'live')), 'no_consent', 'no share before consent');
	await requestKioskScreen(c1.actor, call.id);
	assert.is(await code(answerScreenRequest(c1.actor, call.id, true)), 'wrong_role', 'the concierge cannot answer for the kiosk');
	assert.is(await code(answerScreenRequest(kiosk.actor, call.id, 'yes')), 'bad_consent');
	await answerScreenRequest(kiosk.actor, call.id, false);
	assert.equal((await grants((await issueCallToken(kiosk.actor, call.id)).token)).video?.canPublishSources, ['camera', 'microphone']);
	assert.is(await code(requestKioskScreen(c1.actor, call.id)), 'share_refused_recently', 'a refusal cannot be asked again at once');
	await ownerDb()`update calls set share_refused_at = now() - interval '61 seconds' where id = ${call.id}`;
	await requestKioskScreen(c1.actor, call.id);
	await answerScreenRequest(kiosk.actor, call.id, true);
	assert.equal((await grants((await issueCallToken(kiosk.actor, call.id)).token)).video?.canPublishSources, ['camera', 'microphone', 'screen_share']);
	assert.is(await code(reportShare(kiosk.actor, call.id, 'started')), 'bad_share_state', 'one vocabulary: live, paused, off');
	await reportShare(kiosk.actor, call.id, 'live');
	await reportShare(kiosk.actor, call.id, 'paused');
	await reportShare(kiosk.actor, call.id, 'live');
	await reportShare(kiosk.actor, call.id, 'off');
	assert.equal((await grants((await issueCallToken(kiosk.actor, call.id)).token)).video?.canPublishSources, ['camera', 'microphone'], 'stop withdraws consent');
	const actions = await auditActions(tenant.id);
	for (const a of [
		'call.share_requested',
		'call.share_refused',
		'call.share_request_blocked',
		'call.share_consented',
		'call.share_started',
		'call.share_paused',
		'call.share_stopped'
	])
		assert.ok(actions.includes(a), `audit has ${a}`);
	await hangUpCall(kiosk.actor, call.id);
});

test('consent limits: 60 s after a refusal; a third request needs the shopper to allow more; nobody else can allow it', async () => {
	const { tenant, kiosk, c1, c2 } = await store();
	const call = await createCall(kiosk.actor);
	await acceptCall(c1.actor, call.id);
	const [row] = await ownerDb()`select share_requests from calls where id = ${call.id}`;
	assert.is(row!.share_requests, 0);
	await requestKioskScreen(c1.actor, call.id);
	assert.is(await code(requestKioskScreen(c1.actor, call.id)), 'already_requested', 'no second dialog on top of an open one');
	await answerScreenRequest(kiosk.actor, call.id, false);
	const blocked = await requestKioskScreen(c1.actor, call.id).catch((e: { code: string; status: number; message: string }) => e);
	assert.is((blocked as { status: number }).status, 429);
	assert.match((blocked as { message: string }).message, /ask again in (59|60) s/);
	// 59 s later: still blocked; 61 s: allowed.
	await ownerDb()`update calls set share_refused_at = now() - interval '59 seconds' where id = ${call.id}`;
	assert.is(await code(requestKioskScreen(c1.actor, call.id)), 'share_refused_recently');
	await ownerDb()`update calls set share_refused_at = now() - interval '61 seconds' where id = ${call.id}`;
	await requestKioskScreen(c1.actor, call.id);
	assert.is(await code(answerScreenRequest(kiosk.actor, call.id, true, 'yes')), 'bad_consent', 'allowMore is a boolean');
	await answerScreenRequest(kiosk.actor, call.id, true);
	await reportShare(kiosk.actor, call.id, 'off');
	assert.is(await code(requestKioskScreen(c1.actor, call.id)), 'share_requests_exhausted', 'the third request needs leave from the shopper');
	assert.is(await code(requestKioskScreen(c1.actor, call.id)), 'share_requests_exhausted', 'and asking again changes nothing');
	// The concierge cannot give itself leave: the consent action is the kiosk's only.
	assert.is(await code(answerScreenRequest(c1.actor, call.id, true, true)), 'wrong_role');
	const [after] = await ownerDb()`select share_more_allowed, kiosk_share from calls where id = ${call.id}`;
	assert.is(after!.share_more_allowed, false);
	assert.is(after!.kiosk_share, 'off');
	await hangUpCall(kiosk.actor, call.id);

	// A second call: the shopper allows further requests when answering the second one.
	const call2 = await createCall(kiosk.actor);
	await acceptCall(c2.actor, call2.id);
	await requestKioskScreen(c2.actor, call2.id);
	await answerScreenRequest(kiosk.actor, call2.id, true);
	await reportShare(kiosk.actor, call2.id, 'off');
	await requestKioskScreen(c2.actor, call2.id);
	await answerScreenRequest(kiosk.actor, call2.id, true, true);
	await reportShare(kiosk.actor, call2.id, 'off');
	await requestKioskScreen(c2.actor, call2.id);
	const [r2] = await ownerDb()`select share_requests, kiosk_share from calls where id = ${call2.id}`;
	assert.is(r2!.share_requests, 3);
	assert.is(r2!.kiosk_share, 'requested', 'the third request reached the kiosk');
	await hangUpCall(kiosk.actor, call2.id);
	const actions = await auditActions(tenant.id);
	assert.is(actions.filter((a) => a === 'call.share_request_blocked').length, 4, 'each blocked request is audited');
	assert.is(actions.filter((a) => a === 'call.share_requested').length, 5);
});

test('blinder: the kiosk reports its regions (validated, audited, the concierge learns only the count); admin fixed regions ride in the kiosk token', async () => {
	const { tenant, kiosk, c1, admin } = await store();
	const call = await createCall(kiosk.actor);
	await acceptCall(c1.actor, call.id);
	assert.is(await code(setPrivacyPolicy(c1.actor, { blinderRegions: [] })), 'wrong_role');
	assert.is(await code(setPrivacyPolicy(admin.actor, { blinderRegions: [{ x: 0.5, y: 0, w: 0.6, h: 0.1 }] })), 'bad_regions', 'must lie within the screen');
	assert.is(await code(setPrivacyPolicy(admin.actor, { blinderRegions: 'all' })), 'bad_regions');
	assert.is(await code(setPrivacyPolicy(admin.actor, { e2ee: 'yes' })), 'bad_e2ee');
	const fixed = [{ x: 0, y: 0.9, w: 1, h: 0.1 }];
	await setPrivacyPolicy(admin.actor, { blinderRegions: fixed });
	assert.equal((await issueCallToken(kiosk.actor, call.id)).blinderRegions, fixed);
	assert.equal((await issueCallToken(c1.actor, call.id)).blinderRegions, [], 'the concierge is not told where the regions are');
	assert.is(await code(reportBlinder(c1.actor, call.id, [])), 'wrong_role');
	assert.is(await code(reportBlinder(kiosk.actor, call.id, [{ x: -1, y: 0, w: 1, h: 1 }])), 'bad_regions');
	assert.is(
		await code(
			reportBlinder(
				kiosk.actor,
				call.id,
				Array.from({ length: 21 }, () => ({ x: 0, y: 0, w: 0.1, h: 0.1 }))
			)
		),
		'bad_regions'
	);
	const got: unknown[] = [];
	const off = await subscribe({ tenantId: tenant.id, accountId: c1.id, role: 'concierge' }, (d) => got.push(d.event));
	await reportBlinder(kiosk.actor, call.id, [{ x: 0.1, y: 0.1, w: 0.2, h: 0.2 }]);
	await new Promise((r) => setTimeout(r, 300));
	off();
	assert.ok(
		got.some((e) => JSON.stringify(e).includes('"fixed":1') && JSON.stringify(e).includes('"shopper":1')),
		`the concierge hears a region is hidden: ${JSON.stringify(got)}`
	);
	const actions = await auditActions(tenant.id);
	assert.ok(actions.includes('call.blinder_changed'));
	assert.ok(actions.includes('tenant.blinder_changed'));
	await hangUpCall(kiosk.actor, call.id);
});

test('E2EE key: only for the two parties of an answered call, per call, only when the tenant policy is on', async () => {
	const { kiosk, c1, c2, admin } = await store();
	const call = await createCall(kiosk.actor);
	await acceptCall(c1.actor, call.id);
	assert.ok((await issueCallToken(kiosk.actor, call.id)).e2eeKey, 'a new tenant has E2EE on by default');
	await setPrivacyPolicy(admin.actor, { e2ee: false });
	assert.is((await issueCallToken(kiosk.actor, call.id)).e2eeKey, null, 'off: no key');
	await setPrivacyPolicy(admin.actor, { e2ee: true });
	const k = (await issueCallToken(kiosk.actor, call.id)).e2eeKey;
	assert.ok(k && k.length >= 43, 'a 256-bit key');
	assert.is((await issueCallToken(c1.actor, call.id)).e2eeKey, k, 'both parties hold the same key');
	assert.is(await code(issueCallToken(c2.actor, call.id)), 'not_your_call', 'another concierge gets neither token nor key');
	const [logged] = await ownerDb()`select count(*)::int as n from audit_log where detail::text like ${'%' + k + '%'}`;
	assert.is(logged!.n, 0, 'the key is in no audit row');
	await hangUpCall(kiosk.actor, call.id);
	const call2 = await createCall(kiosk.actor);
	await acceptCall(c2.actor, call2.id);
	assert.is.not((await issueCallToken(kiosk.actor, call2.id)).e2eeKey, k, 'a fresh key per call');
	await hangUpCall(kiosk.actor, call2.id);
});

test('attacks: another tenant cannot list, read, accept, hang up or get a token; a kiosk cannot accept', async () => {
	const a = await store();
	const b = await store();
	const call = await createCall(a.kiosk.actor);
	assert.is((await listCalls(b.c1.actor)).filter((c) => c.id === call.id).length, 0, 'B lists none of A');
	assert.is((await callSnapshot(b.c1.actor)).calls.filter((c) => c.id === call.id).length, 0);
	assert.is(await code(acceptCall(b.c1.actor, call.id)), 'call_not_found', 'B cannot accept (the row is invisible to it)');
	assert.is(await code(issueCallToken(b.c1.actor, call.id)), 'call_not_found');
	assert.is(await code(hangUpCall(b.kiosk.actor, call.id)), 'call_not_found');
	assert.is(await code(acceptCall(a.kiosk.actor, call.id)), 'wrong_role', 'a kiosk cannot accept');
	assert.is(await code(acceptCall(a.admin.actor, call.id)), 'wrong_role');
	assert.is(await code(acceptCall(a.c1.actor, 'not-a-uuid')), 'call_not_found');
	const [row] = await ownerDb()`select state from calls where id = ${call.id}`;
	assert.is(row!.state, 'ringing', 'nothing changed');
	assert.ok(
		(await listCalls(a.c1.actor)).some((c) => c.id === call.id),
		'A still sees it'
	);
	await cancelCall(a.kiosk.actor, call.id);
});

test('expiry: unanswered calls become missed, idempotently, from several runners at once', async () => {
	const { tenant, kiosk } = await store();
	const call = await createCall(kiosk.actor);
	const later = new Date(Date.now() + (config().callRingTimeoutSeconds + 1) * 1000);
	await sweepCalls(new Date());
	assert.is((await ownerDb()`select state from calls where id = ${call.id}`)[0]!.state, 'ringing', 'not yet');
	await Promise.all([sweepCalls(later), sweepCalls(later), sweepCalls(later)]);
	const [row] = await ownerDb()`select state, end_reason from calls where id = ${call.id}`;
	assert.is(row!.state, 'missed');
	assert.is(row!.end_reason, 'no_answer');
	assert.is((await auditActions(tenant.id)).filter((x) => x === 'call.missed').length, 1, 'missed exactly once');
	assert.is((await createCall(kiosk.actor)).state, 'ringing', 'the kiosk can call again');
});

test('endCallsOfAccount removes the account from its room and ends the call for the other side', async () => {
	const { tenant, kiosk, c1, admin } = await store();
	const call = await createCall(kiosk.actor);
	await acceptCall(c1.actor, call.id);
	const heard: { type: string; reason: unknown }[] = [];
	const off = await subscribe({ tenantId: tenant.id, accountId: kiosk.id, role: 'kiosk' }, (d) =>
		heard.push({ type: d.event.type, reason: 'reason' in d.event.data ? d.event.data.reason : undefined })
	);
	assert.is(await code(endCallsOfAccount(c1.actor, c1.id, 'account_disabled')), 'wrong_role');
	assert.equal(await endCallsOfAccount(admin.actor, c1.id, 'account_disabled'), { ended: 1, pendingRemovals: [] });
	for (let i = 0; i < 50 && !heard.length; i++) await new Promise((r) => setTimeout(r, 20));
	assert.equal(
		heard.find((h) => h.type === 'call.ended'),
		{ type: 'call.ended', reason: 'account_disabled' }
	);
	const [row] = await ownerDb()`select state, end_reason from calls where id = ${call.id}`;
	assert.is(row!.state, 'ended');
	assert.is(row!.end_reason, 'account_disabled');
	assert.equal(await endCallsOfAccount(admin.actor, c1.id, 'account_disabled'), { ended: 0, pendingRemovals: [] }, 'idempotent');
	off();
});

test('publish can address one account, a tenant audience, or a call', async () => {
	const t = await makeTenant();
	const k1 = await makeAccount(t, { role: 'kiosk' });
	const k2 = await makeAccount(t, { role: 'kiosk' });
	const c = await makeAccount(t, { role: 'concierge' });
	const seen: Record<string, string[]> = { k1: [], k2: [], c: [] };
	const offs = [
		await subscribe({ tenantId: t.id, accountId: k1.id, role: 'kiosk' }, (d) => seen.k1!.push(String((d.event.data as { n?: number }).n))),
		await subscribe({ tenantId: t.id, accountId: k2.id, role: 'kiosk' }, (d) => seen.k2!.push(String((d.event.data as { n?: number }).n))),
		await subscribe({ tenantId: t.id, accountId: c.id, role: 'concierge' }, (d) => seen.c!.push(String((d.event.data as { n?: number }).n)))
	];
	await publish(db(), { tenantId: t.id, account: k1.id }, { type: 'account.disabled', data: { n: 1 } } as never);
	await publish(db(), { tenantId: t.id, audience: 'kiosks' }, { type: 'presence', data: { n: 2 } } as never);
	await publish(db(), { tenantId: t.id, audience: 'concierges' }, { type: 'presence', data: { n: 3 } } as never);
	await publish(db(), { tenantId: t.id, call: 'x', accounts: [k2.id, c.id] }, { type: 'call.ended', data: { n: 4 } } as never);
	// An event inside a rolled-back transaction is never delivered.
	await withTenant(t.id, async (tx) => {
		await publish(tx, { tenantId: t.id, audience: 'kiosks' }, { type: 'presence', data: { n: 5 } } as never);
		throw new Error('rollback');
	}).catch(() => {});
	await publish(db(), { tenantId: t.id, audience: 'kiosks' }, { type: 'presence', data: { n: 6 } } as never);
	for (let i = 0; i < 100 && !(seen.k1!.includes('6') && seen.k2!.includes('6')); i++) await new Promise((r) => setTimeout(r, 20));
	assert.equal(seen.k1, ['1', '2', '6']);
	assert.equal(seen.k2, ['2', '4', '6']);
	assert.equal(seen.c, ['3', '4']);
	offs.forEach((f) => f());
});

test('webhook guard: strangers, foreign tenants and tokens the platform did not issue are removed', async () => {
	const { tenant, kiosk, c1, c2 } = await store();
	const call = await createCall(kiosk.actor);
	await acceptCall(c1.actor, call.id);
	const [row] = await ownerDb()<{ room: string }[]>`select room_name as room from calls where id = ${call.id}`;
	const room = { name: row!.room };
	const k = await issueCallToken(kiosk.actor, call.id);
	const tokenId = (await grants(k.token)).attributes!.tokenId!;
	assert.is(await handleLiveKitEvent({ event: 'participant_joined', room, participant: { identity: k.identity, attributes: { tokenId } } }), null, 'the real kiosk stays');
	const [joined] = await ownerDb()`select kiosk_joined_at from calls where id = ${call.id}`;
	assert.ok(joined!.kiosk_joined_at);
	// Right identity, but a token id the platform never issued (a token minted elsewhere with the key).
	const forged = await handleLiveKitEvent({ event: 'participant_joined', room, participant: { identity: k.identity, attributes: { tokenId: crypto.randomUUID() } } });
	assert.equal(forged, { removed: k.identity });
	// The kiosk's token id, but someone else's identity.
	assert.ok((await handleLiveKitEvent({ event: 'participant_joined', room, participant: { identity: identityOf(tenant.id, c2.id), attributes: { tokenId } } }))?.removed);
	const other = await makeTenant();
	assert.ok((await handleLiveKitEvent({ event: 'participant_joined', room, participant: { identity: identityOf(other.id, kiosk.id), attributes: { tokenId } } }))?.removed);
	assert.ok(
		(await handleLiveKitEvent({ event: 'participant_joined', room: { name: 'call_' + 'x'.repeat(32) }, participant: { identity: 'anyone' } }))?.removed,
		'a room that is no call'
	);
	assert.ok((await auditActions(tenant.id)).includes('call.intruder_removed'));
	// The room finishing ends the call; a replayed token after that is removed.
	assert.equal(await handleLiveKitEvent({ event: 'room_finished', room }), { ended: call.id });
	const [after] = await ownerDb()`select state, end_reason from calls where id = ${call.id}`;
	assert.is(after!.state, 'ended');
	assert.is(after!.end_reason, 'room_closed');
	assert.ok(
		(await handleLiveKitEvent({ event: 'participant_joined', room, participant: { identity: k.identity, attributes: { tokenId } } }))?.removed,
		'replay after the call ended'
	);
});

test.run();
