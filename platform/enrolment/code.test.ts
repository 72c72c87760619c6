import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeHash, generateCode, parseCode, sameHash } from './code.ts';

test('codes are six digits, spread over the whole range', () => {
	const seen = new Set<string>();
	for (let i = 0; i < 2000; i++) {
		const c = generateCode();
		assert.match(c, /^\d{6}$/);
		seen.add(c[0]!);
	}
	assert.is(seen.size, 10, 'leading digits 0-9 all occur (zero padding kept)');
});

test('parseCode accepts six digits with spaces or dashes, nothing else', () => {
	assert.is(parseCode('123456'), '123456');
	assert.is(parseCode(' 123 456 '), '123456');
	assert.is(parseCode('123-456'), '123456');
	for (const bad of ['12345', '1234567', 'abcdef', '１２３４５６', '', null, 123456, '1'.repeat(30)]) assert.is(parseCode(bad), null, String(bad));
});

test('the hash binds the code to its account and key; comparison needs a stored hash', () => {
	const h = codeHash('k', 'acc-1', '123456');
	assert.match(h, /^[0-9a-f]{64}$/);
	assert.ok(sameHash(h, codeHash('k', 'acc-1', '123456')));
	assert.not.ok(sameHash(h, codeHash('k', 'acc-2', '123456')), 'another account');
	assert.not.ok(sameHash(h, codeHash('k2', 'acc-1', '123456')), 'another key');
	assert.not.ok(sameHash(h, codeHash('k', 'acc-1', '123457')));
	assert.not.ok(sameHash(null, '0'.repeat(64)), 'no stored hash never matches, even the dummy');
});

test.run();
