import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hashPassword, passwordProblems, verifyPassword } from './password.ts';

const policy = { minLength: 10, minClasses: 3, maxAgeDays: 0 };

test('argon2id hash verifies the right password only', async () => {
	const h = await hashPassword('Correct-horse-1');
	assert.ok(h.startsWith('$argon2id$'), h);
	assert.ok(await verifyPassword(h, 'Correct-horse-1'));
	assert.not.ok(await verifyPassword(h, 'correct-horse-1'));
	assert.not.ok(await verifyPassword('not a hash', 'x'));
});

test('policy: length, classes, login ID', () => {
	assert.equal(passwordProblems(policy, 'Abcdefgh1!'), []);
	assert.match(passwordProblems(policy, 'Ab1!').join(' '), /at least 10 characters/);
	assert.match(passwordProblems(policy, 'abcdefghijkl').join(' '), /Mix at least 3/);
	assert.match(passwordProblems(policy, 'Xx1-store-admin', 'store-admin').join(' '), /login ID/);
	assert.match(passwordProblems(policy, 'Aa1!'.repeat(70)).join(' '), /at most 256/);
});

test.run();
