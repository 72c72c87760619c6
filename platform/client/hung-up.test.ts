import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HungUpCalls } from './hung-up.ts';

const test = suite('client hung-up calls');

function memoryStorage() {
	const m = new Map<string, string>();
	return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

test('a call remembered is known again, also by a new instance (a reload); other keys do not see it', () => {
	const st = memoryStorage();
	new HungUpCalls('kiosk', () => st).remember('a');
	const again = new HungUpCalls('kiosk', () => st);
	assert.ok(again.has('a'));
	assert.is(again.has('b'), false);
	assert.is(new HungUpCalls('console', () => st).has('a'), false);
});

test('keeps the newest 20, without repeats; remembering one again makes it newest', () => {
	const st = memoryStorage();
	const h = new HungUpCalls('k', () => st);
	for (let i = 0; i < 25; i++) h.remember(`c${i}`);
	h.remember('c5');
	const kept = JSON.parse(st.m.get('k')!) as string[];
	assert.is(kept.length, 20);
	assert.is(kept.at(-1), 'c5');
	assert.is(new Set(kept).size, 20);
	assert.is(h.has('c4'), false, 'the oldest went');
	assert.ok(h.has('c24'));
});

test('storage that is broken, full or holds junk: nothing throws, nothing is known', () => {
	const junk = memoryStorage();
	junk.setItem('k', '{"not":"a list"');
	assert.is(new HungUpCalls('k', () => junk).has('a'), false);
	junk.setItem('k', JSON.stringify(['a', 7, null]));
	assert.ok(new HungUpCalls('k', () => junk).has('a'), 'strings in a list are read; the rest ignored');
	const full = {
		getItem: () => null,
		setItem: () => {
			throw new Error('QuotaExceededError');
		}
	};
	const h = new HungUpCalls('k', () => full);
	h.remember('a');
	assert.is(h.has('a'), false);
	const none = new HungUpCalls('k', () => {
		throw new Error('localStorage is not available');
	});
	none.remember('a');
	assert.is(none.has('a'), false);
});

test.run();
