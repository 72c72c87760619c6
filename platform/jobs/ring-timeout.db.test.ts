/**
 * Ring timeouts run in the worker (`calls.sweep`, every second): a real worker
 * process turns a call that rang past its time into a missed call, and the kiosk
 * hears it. The test waits for the event itself (not just the row), so it holds
 * under load.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acceptCall, createCall, setAvailability } from '../calls/index.ts';
import { subscribe } from '../events/hub.server.ts';
import { startWorkerProcess } from '../testing/apps.ts';
import { ownerDb } from '../testing/db.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';

const test = suite('ring timeout job');

test('the worker marks an unanswered call missed once its ring time is over; an answered one is left alone', async () => {
	await startWorkerProcess();
	const t = await makeTenant();
	const kiosk = await makeAccount(t, { role: 'kiosk' });
	const other = await makeAccount(t, { role: 'kiosk' });
	const c = await makeAccount(t, { role: 'concierge' });
	const c2 = await makeAccount(t, { role: 'concierge' });
	await setAvailability(c.actor, 'available');
	await setAvailability(c2.actor, 'available');
	const heard: { type: string; reason?: string }[] = [];
	const off = await subscribe({ tenantId: t.id, accountId: kiosk.id, role: 'kiosk' }, (d) =>
		heard.push({ type: d.event.type, ...('reason' in d.event.data ? { reason: String(d.event.data.reason) } : {}) })
	);
	const unanswered = await createCall(kiosk.actor);
	const answered = await createCall(other.actor);
	await acceptCall(c.actor, answered.id);
	// Both calls' ring time is over; only the unanswered one is still ringing.
	await ownerDb()`update calls set ring_expires_at = now() - interval '1 second' where id in (${unanswered.id}, ${answered.id})`;
	// Wait for what the kiosk hears, not for the row: the event is the user-visible outcome.
	for (let i = 0; i < 300 && !heard.some((h) => h.type === 'call.missed'); i++) await new Promise((r) => setTimeout(r, 100));
	off();
	assert.equal(
		heard.find((h) => h.type === 'call.missed'),
		{ type: 'call.missed', reason: 'no_answer' },
		'the kiosk is told'
	);
	const [u] = await ownerDb()<{ state: string }[]>`select state from calls where id = ${unanswered.id}`;
	assert.is(u!.state, 'missed');
	const [a] = await ownerDb()<{ state: string }[]>`select state from calls where id = ${answered.id}`;
	assert.is(a!.state, 'accepted');
});

test.run();
