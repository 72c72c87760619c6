import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenBucket, ipKey } from './rate-limit.ts';

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

test('IPv4 addresses are keyed as they are, also when IPv4-mapped', () => {
	assert.is(ipKey('192.0.2.7'), '192.0.2.7');
	assert.is(ipKey('::ffff:192.0.2.7'), '192.0.2.7');
	assert.is(ipKey('::FFFF:192.0.2.7'), '192.0.2.7');
	assert.is(ipKey('0:0:0:0:0:ffff:192.0.2.7'), '192.0.2.7');
	assert.is(ipKey('127.0.0.1'), '127.0.0.1');
	assert.is.not(ipKey('192.0.2.7'), ipKey('192.0.2.8'), 'each IPv4 address is its own key');
});

test('IPv6 addresses are keyed by their /64, whatever way they are written', () => {
	const k = ipKey('2001:db8:1:2::1');
	assert.is(k, '2001:db8:1:2::/64');
	for (const same of [
		'2001:db8:1:2:ffff:ffff:ffff:ffff',
		'2001:0DB8:0001:0002:0:0:0:9',
		'2001:db8:1:2:a:b:c:d',
		'2001:db8:1:2::',
		'2001:db8:1:2::192.0.2.1',
		'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::1')
	])
		assert.is(ipKey(same), k, same);
	assert.is.not(ipKey('2001:db8:1:3::1'), k, 'the next /64 is another key');
	assert.is(ipKey('::1'), '0:0:0:0::/64');
	assert.is(ipKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
});

test('anything that is not an address is one "unknown" key, never an error', () => {
	for (const bad of [null, undefined, '', 'abc', '1.2.3', '256.1.1.1', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', 'g::1', '::ffff:999.1.1.1', 'x'.repeat(500)])
		assert.is(ipKey(bad), 'unknown', String(bad));
});

test.run();
