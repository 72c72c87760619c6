import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ipAllowed, parseCidr, parseIp } from './cidr.ts';

test('parseCidr normalises IPv4 and IPv6 ranges and bare addresses', () => {
	assert.is(parseCidr('192.0.2.0/24')?.text, '192.0.2.0/24');
	assert.is(parseCidr(' 198.51.100.7 ')?.text, '198.51.100.7/32');
	assert.is(parseCidr('2001:DB8::/32')?.text, '2001:db8::/32');
	assert.is(parseCidr('2001:0db8:0000:0000:0000:0000:0000:0001')?.text, '2001:db8::1/128');
	assert.is(parseCidr('::/0')?.text, '::/0');
	assert.is(parseCidr('0.0.0.0/0')?.text, '0.0.0.0/0');
	assert.is(parseCidr('fe80:0:0:1::/64')?.text, 'fe80:0:0:1::/64');
});

test('parseCidr refuses malformed ranges and set host bits', () => {
	for (const bad of [
		'',
		'192.0.2.1/24',
		'192.0.2.0/33',
		'256.0.0.0/8',
		'1.2.3/24',
		'01.2.3.4',
		'2001:db8::/129',
		'2001:db8::1/64',
		'1::2::3',
		'a.b.c.d',
		'192.0.2.0/',
		'192.0.2.0/024',
		'example.com',
		'1.2.3.4/8 5',
		':::/0'
	])
		assert.is(parseCidr(bad), null, bad);
});

test('parseIp reads IPv4-mapped IPv6 as IPv4, and zone ids away', () => {
	assert.equal(parseIp('::ffff:192.0.2.1'), parseIp('192.0.2.1'));
	assert.is(parseIp('fe80::1%eth0')?.v, 6);
	assert.is(parseIp('not-an-ip'), null);
	assert.is(parseIp(null), null);
});

test('ipAllowed: empty list allows all; otherwise only addresses in a listed range; unknown never', () => {
	assert.ok(ipAllowed([], null));
	const list = ['192.0.2.0/24', '2001:db8:1::/48', '127.0.0.1/32'];
	assert.ok(ipAllowed(list, '192.0.2.200'));
	assert.ok(ipAllowed(list, '::ffff:192.0.2.9'));
	assert.ok(ipAllowed(list, '2001:db8:1:ffff::5'));
	assert.ok(ipAllowed(list, '127.0.0.1'));
	assert.not.ok(ipAllowed(list, '127.0.0.5'));
	assert.not.ok(ipAllowed(list, '192.0.3.1'));
	assert.not.ok(ipAllowed(list, '2001:db8:2::1'));
	assert.not.ok(ipAllowed(list, null));
	assert.not.ok(ipAllowed(list, 'unknown'));
	assert.not.ok(ipAllowed(['::/0'], '192.0.2.1'), 'an IPv6 range does not match IPv4 clients');
});

test.run();
