/**
 * Fan-out across app instances through PostgreSQL LISTEN/NOTIFY: a second console
 * process (same build, same env, another port) holds the concierge's stream; the
 * kiosk rings through the kiosk app and the concierge, on the other instance,
 * hears it, answers there, and the kiosk hears that back.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startApps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { api, openStream, signInCookie } from '../../kiosk/tests/call-helpers.ts';
import type { Snapshot } from '../../platform/calls/contract.ts';

const test = suite('call fan-out');
const root = fileURLToPath(new URL('../../', import.meta.url));

function stopChild(child: ChildProcess): Promise<void> {
	return new Promise((resolve) => {
		if (child.exitCode !== null) return resolve();
		child.once('exit', () => resolve());
		child.kill('SIGTERM');
		setTimeout(() => child.kill('SIGKILL'), 3000).unref();
	});
}

async function secondConsole(port: number) {
	const origin = `http://127.0.0.1:${port}`;
	const logs: string[] = [];
	const child = spawn(process.execPath, [root + 'console/server.js'], {
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: origin },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout!.on('data', (d) => logs.push(String(d)));
	child.stderr!.on('data', (d) => logs.push(String(d)));
	for (let i = 0; i < 100; i++) {
		if (child.exitCode !== null) throw new Error(`second console exited: ${logs.join('')}`);
		try {
			if ((await fetch(origin + '/login')).ok) return { origin, stop: () => stopChild(child) };
		} catch {}
		await new Promise((r) => setTimeout(r, 150));
	}
	child.kill('SIGKILL');
	throw new Error(`second console did not start: ${logs.join('')}`);
}

test('a kiosk served by one instance rings a concierge connected to another, and hears the answer', async () => {
	const apps = await startApps();
	const second = await secondConsole(Number(process.env.TEST_CONSOLE_PORT ?? 5184) + 5);
	const tenant = await makeTenant();
	const kiosk = await makeAccount(tenant, { role: 'kiosk' });
	const concierge = await makeAccount(tenant, { role: 'concierge' });
	try {
		assert.is.not(second.origin, apps.console);
		const cCookie = await signInCookie(second.origin, concierge.loginId, concierge.password);
		const kCookie = await signInCookie(apps.kiosk, kiosk.loginId, kiosk.password);
		assert.is((await api(second.origin, cCookie, '/api/presence', { status: 'available' })).status, 200);
		const cs = await openStream(second.origin, cCookie);
		const ks = await openStream(apps.kiosk, kCookie);
		try {
			await cs.waitFor((e) => e.type === 'snapshot');
			const ksnap = await ks.waitFor((e) => e.type === 'snapshot');
			assert.is((ksnap.data as unknown as Snapshot).presence.available, 1);
			const created = await api(apps.kiosk, kCookie, '/api/calls', {});
			assert.is(created.status, 201);
			const ring = await cs.waitFor((e) => e.type === 'call.ringing');
			assert.is(ring.data.callId, created.body.id);
			const acc = await api(second.origin, cCookie, `/api/calls/${created.body.id}/accept`, {});
			assert.is(acc.status, 200);
			const heard = await ks.waitFor((e) => e.type === 'call.accepted');
			assert.is(heard.data.callId, created.body.id);
			await api(apps.kiosk, kCookie, `/api/calls/${created.body.id}/hangup`, {});
			await cs.waitFor((e) => e.type === 'call.ended');
			// Reconnecting resynchronises: a fresh stream's snapshot shows no live call.
			const again = await openStream(second.origin, cCookie);
			const snap = await again.waitFor((e) => e.type === 'snapshot');
			assert.equal(
				(snap.data.calls as { id: string }[]).filter((c) => c.id === created.body.id),
				[]
			);
			again.close();
		} finally {
			cs.close();
			ks.close();
		}
	} finally {
		await second.stop();
	}
});

test.run();
