import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { safeNext } from './hooks.ts';

const origin = 'http://127.0.0.1:5184';
const FALLBACK = '/home';
const next = (v: string | null) => safeNext(v, FALLBACK, origin);

/** Where a browser would go for a Location header value. */
const lands = (location: string) => new URL(location, origin);

test('same-app paths pass through, parsed and percent-encoded', () => {
	assert.is(next('/calls'), '/calls');
	assert.is(next('/reports/abc?x=1&y=2'), '/reports/abc?x=1&y=2');
	assert.is(next('/a/../admin'), '/admin');
	assert.is(next('/店舗'), '/%E5%BA%97%E8%88%97', 'non-Latin-1 is percent-encoded, never a raw header byte');
	assert.is(next('/x#frag'), '/x', 'the fragment is dropped');
	assert.is(next('/%2F%2Fevil.example'), '/%2F%2Fevil.example', 'an encoded slash stays a path segment');
});

test('anything leaving the origin, or unparseable, gives the fallback', () => {
	const attacks = [
		'//evil.example',
		'/\\evil.example',
		'\\\\evil.example',
		'/\t/evil.example',
		'/\n/evil.example',
		'/\r\n/evil.example',
		'/ /evil.example',
		'/\u0000/evil.example',
		'/\u000b/evil.example',
		'/\u00a0/evil.example',
		'/\u2028/evil.example',
		'/\u3000/evil.example',
		'/\ufeff/evil.example',
		'/\u0085/evil.example',
		'/.//evil.example',
		'/./\\evil.example',
		'/a/..//evil.example',
		'/%2e//evil.example',
		'/%2e%2e//evil.example',
		'https://evil.example/',
		'http://127.0.0.1:5184.evil.example/',
		'javascript:alert(1)',
		'evil.example',
		'',
		'/x'.repeat(2000),
		'/\r\nSet-Cookie: a=b',
		'/\\/evil.example',
		'///evil.example',
		'/\u3000\u3000/evil'
	];
	for (const a of attacks) {
		const r = next(a);
		assert.ok(r === FALLBACK || lands(r).origin === origin, JSON.stringify(a) + ' -> ' + r);
		assert.ok(!r.startsWith('//') && /^[\x21-\x7e]+$/.test(r), JSON.stringify(a) + ' -> ' + r);
	}
	assert.is(next(null), FALLBACK);
	assert.is(next('//evil.example'), FALLBACK);
	assert.is(next('/\t/evil.example'), FALLBACK);
	assert.is(next('/.//evil.example'), FALLBACK);
	assert.is(next('https://evil.example/'), FALLBACK);
});

test('a thousand random strings never leave the origin nor produce an invalid header', () => {
	const pieces = ['/', '//', '\\', '.', '..', '%', '%2f', '%5c', '%09', '\t', '\n', '\r', ' ', '\u0000', '\u00a0', 'é', '店', '?', '#', '@', ':', 'evil.example', 'a', '\ud800'];
	for (let i = 0; i < 1000; i++) {
		let s = Math.random() < 0.8 ? '/' : '';
		for (let j = 0, n = 1 + Math.floor(Math.random() * 6); j < n; j++) s += pieces[Math.floor(Math.random() * pieces.length)];
		const r = next(s);
		assert.ok(lands(r).origin === origin && !r.startsWith('//') && /^[\x21-\x7e]+$/.test(r), JSON.stringify(s) + ' -> ' + r);
		new Headers({ location: r });
	}
});

test.run();
