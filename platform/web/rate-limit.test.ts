import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenBucket } from './rate-limit.ts';

test('bucket allows max, then refuses, then refills', () => {
	const b = new TokenBucket(3, 1);
	const t0 = 1_000_000;
	assert.ok(b.take('ip', 1, t0));
	assert.ok(b.take('ip', 1, t0));
	assert.ok(b.take('ip', 1, t0));
	assert.not.ok(b.take('ip', 1, t0));
	assert.ok(b.take('other', 1, t0), 'keys are independent');
	assert.ok(b.take('ip', 1, t0 + 1000), 'one token back after a second');
	assert.not.ok(b.take('ip', 1, t0 + 1000));
});

test.run();
