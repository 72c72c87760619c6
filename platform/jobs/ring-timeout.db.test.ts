/**
 * Ring timeouts run in the worker (`calls.expire-ringing`, every second): a real
 * worker process turns a call that rang past its time into a missed call, and the
 * kiosk hears it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acceptCall, createCall, setAvailability } from '../calls/calls.ts';
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
	await setAvailability(c.actor, 'available');
	const heard: string[] = [];
	const off = await subscribe({ tenantId: t.id, accountId: kiosk.id, role: 'kiosk' }, (d) => heard.push(d.event.type));
	const unanswered = await createCall(kiosk.actor);
	const answered = await createCall(other.actor);
	await acceptCall(c.actor, answered.id);
	// Both calls' ring time is over; only the unanswered one is still ringing.
	await ownerDb()`update calls set ring_expires_at = now() - interval '1 second' where id in (${unanswered.id}, ${answered.id})`;
	let state = 'ringing';
	for (let i = 0; i < 150 && state === 'ringing'; i++) {
		await new Promise((r) => setTimeout(r, 100));
		state = (await ownerDb()<{ state: string }[]>`select state from calls where id = ${unanswered.id}`)[0]!.state;
	}
	off();
	assert.is(state, 'missed');
	assert.ok(heard.includes('call.missed'), 'the kiosk is told');
	const [a] = await ownerDb()<{ state: string }[]>`select state from calls where id = ${answered.id}`;
	assert.is(a!.state, 'accepted');
});

test.run();
