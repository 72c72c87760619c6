import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GUARD_KEY, ReloadPolicy, type ReloadPolicyOptions, type ReloadState, type StorageLike } from './reload-policy.ts';

const test = suite('release reload policy');

/** A fake clock with timers that run only when the test advances time. */
function harness(over: Partial<ReloadPolicyOptions> = {}, served = true) {
	let now = 1_000_000;
	let seq = 0;
	const timers = new Map<number, { at: number; fn: () => void }>();
	const h = {
		reloads: 0,
		checks: 0,
		served,
		states: [] as ReloadState[],
		store: new Map<string, string>(),
		get now() {
			return now;
		},
		/** Advance the clock, running due timers in order, and let their promises settle. */
		async advance(ms: number) {
			const end = now + ms;
			for (;;) {
				const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
				if (!due) break;
				timers.delete(due[0]);
				now = due[1].at;
				due[1].fn();
				for (let i = 0; i < 5; i++) await Promise.resolve();
			}
			now = end;
		},
		pending: () => timers.size
	};
	const storage: StorageLike = { getItem: (k) => h.store.get(k) ?? null, setItem: (k, v) => void h.store.set(k, v), removeItem: (k) => void h.store.delete(k) };
	const make = (o: Partial<ReloadPolicyOptions> = {}) =>
		new ReloadPolicy({
			current: 'v1',
			reload: () => h.reloads++,
			check: async () => {
				h.checks++;
				return h.served;
			},
			delayMs: () => 10_000,
			storage,
			now: () => now,
			setTimer: (fn, ms) => {
				timers.set(++seq, { at: now + ms, fn });
				return seq;
			},
			clearTimer: (t) => void timers.delete(t as number),
			onState: (s) => h.states.push(s),
			...over,
			...o
		});
	return { h, make };
}

test('idle standby: reloads within the delay of learning, after asking the server', async () => {
	const { h, make } = harness();
	const p = make();
	p.setIdle(true);
	p.learn('v2');
	assert.is(p.state, 'scheduled');
	assert.is(p.target, 'v2');
	await h.advance(9_999);
	assert.is(h.reloads, 0, 'not before the delay');
	await h.advance(1);
	assert.is(h.checks, 1, 'asked whether the new build is served');
	assert.is(h.reloads, 1);
	assert.is(p.state, 'reloading');
	assert.is(JSON.parse(h.store.get(GUARD_KEY)!).from, 'v1', 'loop guard written before the reload');
});

test('the default delay spreads a fleet over 2..20 s: always under a minute', () => {
	const { make } = harness();
	const delays: number[] = [];
	const p = make({
		delayMs: undefined,
		setTimer: (_fn, ms) => {
			delays.push(ms);
			return 1;
		}
	});
	for (let i = 0; i < 50; i++) {
		p.setIdle(true);
		p.learn('v2');
		p.setIdle(false);
	}
	assert.ok(delays.length === 50 && delays.every((d) => d >= 2_000 && d <= 20_000), `delays ${Math.min(...delays)}..${Math.max(...delays)}`);
});

test('in a call: waits however long, and reloads only after returning to standby', async () => {
	const { h, make } = harness();
	const p = make();
	p.setIdle(false);
	p.learn('v2');
	assert.is(p.state, 'waiting');
	await h.advance(30 * 60_000);
	assert.is(h.reloads, 0, 'never mid-call');
	assert.is(h.checks, 0);
	assert.is(h.pending(), 0, 'no timer while busy');
	p.setIdle(true);
	assert.is(p.state, 'scheduled');
	await h.advance(10_000);
	assert.is(h.reloads, 1, 'reloaded once back on standby');
});

test('a call that starts during the delay cancels the reload; it comes back after the call', async () => {
	const { h, make } = harness();
	const p = make();
	p.setIdle(true);
	p.learn('v2');
	await h.advance(5_000);
	p.setIdle(false);
	assert.is(p.state, 'waiting');
	await h.advance(60_000);
	assert.is(h.reloads, 0);
	p.setIdle(true);
	await h.advance(10_000);
	assert.is(h.reloads, 1);
});

test('busy again while the server is asked: no reload', async () => {
	const { h, make } = harness();
	let release!: (v: boolean) => void;
	const p = make({ check: () => new Promise<boolean>((r) => (release = r)) });
	p.setIdle(true);
	p.learn('v2');
	await h.advance(10_000);
	p.setIdle(false);
	release(true);
	await h.advance(0);
	assert.is(h.reloads, 0);
	assert.is(p.state, 'waiting');
});

test('the server does not serve the new build yet (or cannot be reached): tries again later, no reload into an error page', async () => {
	const { h, make } = harness({}, false);
	const p = make();
	p.setIdle(true);
	p.learn('v2');
	await h.advance(10_000);
	assert.is(h.checks, 1);
	assert.is(h.reloads, 0);
	assert.is(p.state, 'scheduled');
	const failing = make({ check: () => Promise.reject(new Error('offline')) });
	failing.setIdle(true);
	failing.learn('v3');
	await h.advance(15_000);
	assert.is(h.reloads, 0, 'an unreachable server is not a reason to reload');
	h.served = true;
	await h.advance(15_000);
	assert.is(h.reloads, 1, 'the first policy reloads once the build is served');
	failing.dispose();
});

test("the page's own version, an invalid id, or a rollback change nothing", async () => {
	const { h, make } = harness();
	const p = make();
	p.setIdle(true);
	p.learn('v1');
	p.learn('bad version!');
	p.learn('x'.repeat(65));
	assert.is(p.state, 'current');
	p.learn('v2');
	assert.is(p.state, 'scheduled');
	p.learn('v1');
	assert.is(p.state, 'current', 'the server went back to this build');
	await h.advance(60_000);
	assert.is(h.reloads, 0);
});

test("SvelteKit's `updated` (version unknown) also schedules", async () => {
	const { h, make } = harness();
	const p = make();
	p.setIdle(true);
	p.learn(null);
	await h.advance(10_000);
	assert.is(h.reloads, 1);
});

test('a touch on the standby screen puts the reload back until it has been quiet', async () => {
	const { h, make } = harness();
	const p = make({ quietMs: 15_000 });
	p.setIdle(true);
	p.learn('v2');
	await h.advance(9_000);
	p.touched();
	await h.advance(1_000);
	assert.is(h.reloads, 0, 'someone is using the screen');
	await h.advance(13_999);
	assert.is(h.reloads, 0);
	await h.advance(1);
	assert.is(h.reloads, 1, 'reloaded 15 s after the last touch');
});

test('loop guard: a reload that came back with the same build waits HOLD_MS before trying again', async () => {
	const { h, make } = harness();
	h.store.set(GUARD_KEY, JSON.stringify({ from: 'v1', at: h.now - 60_000 }));
	const p = make({ holdMs: 5 * 60_000 });
	p.setIdle(true);
	p.learn('v2');
	await h.advance(3 * 60_000);
	assert.is(h.reloads, 0, 'held back');
	await h.advance(60_000 + 1);
	assert.is(h.reloads, 1, 'tries again after the hold');
});

test('loop guard: a reload that brought the new build clears the guard', () => {
	const { h, make } = harness();
	h.store.set(GUARD_KEY, JSON.stringify({ from: 'v0', at: h.now - 10_000 }));
	make();
	assert.is(h.store.get(GUARD_KEY), undefined);
	h.store.set(GUARD_KEY, '{not json');
	make();
	assert.ok(true, 'an unreadable guard is no guard');
});

test('dispose stops everything', async () => {
	const { h, make } = harness();
	const p = make();
	p.setIdle(true);
	p.learn('v2');
	p.dispose();
	await h.advance(60_000);
	assert.is(h.reloads, 0);
	assert.is(h.pending(), 0);
});

test.run();
