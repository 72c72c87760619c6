import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redactDeep, redactText } from './redact.ts';

const test = suite('redact');

test('e-mail addresses', () => {
	assert.is(redactText('login failed for taro.yamada+shop@example.co.jp today'), 'login failed for [email] today');
});

test('Japanese phone numbers in their usual forms', () => {
	for (const n of ['03-1234-5678', '090-1234-5678', '0120-123-456', '09012345678', '0312345678', '(03) 1234-5678', '080 1234 5678']) {
		assert.is(redactText(`call ${n} now`), 'call [phone] now', n);
	}
});

test('international phone numbers', () => {
	for (const n of ['+81 90-1234-5678', '+81-3-1234-5678', '+14155552671', '+44 20 7946 0958', '+81 (0)3 1234 5678']) {
		assert.is(redactText(`tel ${n}.`), 'tel [phone].', n);
	}
});

test('15-digit device identifiers (IMEI), plain and grouped', () => {
	assert.is(redactText('imei=490154203237518'), 'imei=[device-id]');
	assert.is(redactText('IMEI 49-015420-323751-8 seen'), 'IMEI [device-id] seen');
});

test('ordinary diagnostic text is left alone', () => {
	const s = 'TypeError: x is undefined at Room.connect (https://kiosk.example/_app/immutable/chunks/room.js:12:3456) t=1719999999999 v=2.23.0 code 1006 bitrate 1500000';
	assert.is(redactText(s), s);
	assert.is(redactText('16-digit 1234567890123456 stays, so does 12345'), '16-digit 1234567890123456 stays, so does 12345');
});

test('redactDeep reaches every string in nested values, keys included', () => {
	const out = redactDeep({ a: ['mail me: a@b.io', 1, true, null], b: { 'a@b.io': { c: '090-1234-5678' } } });
	assert.equal(out, { a: ['mail me: [email]', 1, true, null], b: { '[email]': { c: '[phone]' } } });
});

test.run();
