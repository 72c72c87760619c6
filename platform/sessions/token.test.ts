import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSessionToken, isWellFormedToken, sessionIdFromToken } from './token.ts';

test('tokens are 32 base32 characters, unique, and hash to 64 hex', () => {
	const a = generateSessionToken();
	const b = generateSessionToken();
	assert.ok(isWellFormedToken(a), a);
	assert.is.not(a, b);
	assert.match(sessionIdFromToken(a), /^[0-9a-f]{64}$/);
	assert.is(sessionIdFromToken(a), sessionIdFromToken(a));
});

test('malformed tokens are rejected before any lookup', () => {
	for (const t of ['', 'x', 'A'.repeat(32), 'a'.repeat(33), '0'.repeat(32), "'; drop table sessions;--", null, 42, {}]) assert.not.ok(isWellFormedToken(t), JSON.stringify(t));
});

test.run();
