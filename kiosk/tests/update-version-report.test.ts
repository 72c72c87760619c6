/**
 * Issue 11, item 1 (the fleet view's app version) and issue 10, item 7 (the server's
 * version on the stream), over HTTP against the built apps:
 * - every connect of a kiosk's or a concierge's stream starts with a `release` frame
 *   naming the build the server runs, before the snapshot;
 * - a kiosk's `?v=` on its stream is recorded for the fleet view, and shown there;
 * - anything but a version id (too long, other characters, several values) is ignored:
 *   the stream still opens, nothing of it is stored or shown, an earlier good value stays.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startApps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { get, signInHttp, type SignedIn } from '../../platform/testing/http.ts';
import { firstBuild } from './update-builds.ts';

const test = suite('app version on the event stream');

/** Open the stream with this query, read the frames up to the snapshot, close it. */
async function frames(s: SignedIn, query: string): Promise<{ status: number; frames: { type: string; data: unknown }[] }> {
	const ctrl = new AbortController();
	const r = await get(s, '/api/events' + query, { headers: { accept: 'text/event-stream' }, signal: ctrl.signal });
	const out: { type: string; data: unknown }[] = [];
	if (r.status !== 200 || !r.body) return { status: r.status, frames: out };
	const decoder = new TextDecoder();
	let buf = '';
	const timer = setTimeout(() => ctrl.abort(), 10_000);
	try {
		for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
			buf += decoder.decode(chunk, { stream: true });
			let i: number;
			while ((i = buf.indexOf('\n\n')) >= 0) {
				const block = buf.slice(0, i);
				buf = buf.slice(i + 2);
				const type = /^event: (.*)$/m.exec(block)?.[1];
				const data = /^data: (.*)$/m.exec(block)?.[1];
				if (type && data) out.push({ type, data: JSON.parse(data) });
				if (type === 'snapshot') throw new Error('done');
			}
		}
	} catch {
		// Read up to the snapshot (or timed out).
	} finally {
		clearTimeout(timer);
		ctrl.abort();
	}
	return { status: r.status, frames: out };
}

async function stored(accountId: string): Promise<string | null | undefined> {
	const [row] = await ownerDb()<{ app_version: string | null }[]>`select app_version from kiosk_presence where account_id = ${accountId}`;
	return row?.app_version;
}

test('each stream connect starts with the server build, before the snapshot (kiosk and console)', async () => {
	const apps = await startApps();
	const { version } = firstBuild();
	const built = { [apps.kiosk]: version.kiosk, [apps.console]: version.console };
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const c = await makeAccount(t, { role: 'concierge' });
	for (const s of [await signInHttp(apps.kiosk, k.loginId, k.password), await signInHttp(apps.console, c.loginId, c.password)]) {
		for (let i = 0; i < 2; i++) {
			const { status, frames: f } = await frames(s, '');
			assert.is(status, 200);
			assert.equal(
				f.map((x) => x.type),
				['release', 'snapshot'],
				`${s.origin}: release then snapshot`
			);
			assert.equal(f[0]!.data, { version: built[s.origin] }, `${s.origin} announces its own build`);
		}
	}
});

test("a kiosk's ?v= is recorded and shown in the fleet view; bad values are ignored, never stored", async () => {
	const apps = await startApps();
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk', displayName: 'Versioned kiosk' });
	const fresh = await makeAccount(t, { role: 'kiosk' });
	const admin = await makeAccount(t, { role: 'admin' });
	const ks = await signInHttp(apps.kiosk, k.loginId, k.password);
	const fs = await signInHttp(apps.kiosk, fresh.loginId, fresh.password);
	const as = await signInHttp(apps.console, admin.loginId, admin.password);

	assert.is((await frames(ks, '?v=3.14.1%2Bbuild_7-rc')).status, 200);
	assert.is(await stored(k.id), '3.14.1+build_7-rc');

	const bad = ['<script>alert(1)</script>', 'x'.repeat(65), '1.0 beta', '1.0%0d%0aSet-Cookie:a=b', '%00', '', '..%2F..%2Fetc', '%E2%80%AE1.0', 'v1;drop'];
	for (const v of bad) {
		const r = await frames(ks, '?v=' + encodeURIComponent(v).replace(/%25/g, '%'));
		assert.is(r.status, 200, `stream opens with v=${v}`);
		assert.equal(
			r.frames.map((x) => x.type),
			['release', 'snapshot']
		);
		assert.is(await stored(k.id), '3.14.1+build_7-rc', `v=${v} ignored, the good value stays`);
	}
	// Several values: the first counts, and it is validated like any other.
	await frames(ks, '?v=%3Cb%3E&v=9.9.9');
	assert.is(await stored(k.id), '3.14.1+build_7-rc');

	await frames(fs, '?v=' + encodeURIComponent('<img src=x onerror=alert(1)>'));
	assert.is(await stored(fresh.id), null, 'a kiosk that only sent garbage has no version');

	const html = await (await get(as, '/admin/fleet')).text();
	assert.match(html, '3.14.1+build_7-rc');
	assert.not.match(html, 'onerror=alert');
	assert.not.match(html, '<script>alert(1)');
});

test.run();
