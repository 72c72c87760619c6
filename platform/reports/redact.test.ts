import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redactDeep, redactText } from './redact.ts';

const test = suite('redact');

/** Each form, alone and inside a sentence (Japanese and English), must become exactly the placeholder. */
function redactsTo(forms: string[], placeholder: string): void {
	for (const f of forms) {
		assert.is(redactText(f), placeholder, `alone: ${f}`);
		assert.is(redactText(`call ${f} now`), `call ${placeholder} now`, `in a sentence: ${f}`);
		assert.is(redactText(`お問い合わせは${f}まで。`), `お問い合わせは${placeholder}まで。`, `in Japanese: ${f}`);
		assert.is(redactText(`tel: ${f}.`), `tel: ${placeholder}.`, `before a full stop: ${f}`);
	}
}

test('e-mail addresses', () => {
	assert.is(redactText('login failed for taro.yamada+shop@example.co.jp today'), 'login failed for [email] today');
});

test('e-mail addresses in the forms the attack stored verbatim, and more', () => {
	redactsTo(
		[
			'taro@example.com',
			// percent-encoded, as in a URL or a logged query string
			'taro%40example.com',
			'taro%40example%2Ecom',
			'%74aro%40example.com',
			// full-width at sign, full-width everything, small at sign
			'taro＠example.com',
			'ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ',
			'taro﹫example.com',
			// non-ASCII local parts and domains
			'tarō@example.com',
			'taro@例え.jp',
			'山田太郎@例え.テスト',
			'josé.garcía@correo.es',
			// quoted local parts
			'"taro yamada"@example.com',
			'"taro@home"@example.com',
			// other shapes
			'TARO.YAMADA@EXAMPLE.COM',
			"o'brien+tag@mail.example.org",
			'taro@[192.168.0.1]',
			'taro%2540example.com'.replace('%2540', '%40')
		],
		'[email]'
	);
	assert.is(redactText('mailto:taro%40example.com?subject=x'), 'mailto:[email]?subject=x');
	assert.is(redactText('{"user":"taro@example.com"}'), '{"user":"[email]"}');
	assert.is(redactText('https://kiosk.example/?email=taro%40example.com&x=1'), 'https://kiosk.example/?email=[email]&x=1');
});

test('Japanese phone numbers in their usual forms', () => {
	redactsTo(['03-1234-5678', '090-1234-5678', '0120-123-456', '09012345678', '0312345678', '(03) 1234-5678', '080 1234 5678'], '[phone]');
});

test('Japanese phone numbers in the forms the attack stored verbatim, and more', () => {
	redactsTo(
		[
			// full-width digits and dashes
			'０９０－１２３４－５６７８',
			'０３（１２３４）５６７８',
			// brackets, dots, slashes
			'03(1234)5678',
			'(03)1234-5678',
			'090.1234.5678',
			'090/1234/5678',
			'(090)1234-5678',
			// Unicode dashes: hyphen U+2010, non-breaking hyphen, en and em dash, minus sign, katakana prolonged mark
			'090\u20101234\u20105678',
			'090\u20111234\u20115678',
			'090\u20131234\u20135678',
			'090\u20141234\u20145678',
			'090\u22121234\u22125678',
			'090ー1234ー5678',
			// spaced digits, ideographic and no-break spaces
			'0 9 0 1 2 3 4 5 6 7 8',
			'090\u30001234\u30005678',
			'090\u00a01234\u00a05678',
			'0 3 1 2 3 4 5 6 7 8',
			// percent-encoded spaces
			'090%201234%205678',
			// other groupings
			'0312-34-5678',
			'0120-12-3456',
			'050-1234-5678'
		],
		'[phone]'
	);
});

test('international phone numbers', () => {
	for (const n of ['+81 90-1234-5678', '+81-3-1234-5678', '+14155552671', '+44 20 7946 0958', '+81 (0)3 1234 5678']) {
		assert.is(redactText(`tel ${n}.`), 'tel [phone].', n);
	}
});

test('international phone numbers in the forms the attack stored verbatim, and more', () => {
	redactsTo(
		[
			'+81 (90) 1234-5678',
			'＋８１ ９０ １２３４ ５６７８',
			'＋８１－９０－１２３４－５６７８',
			'+81\u201090\u20101234\u20105678',
			'+81.90.1234.5678',
			'+1 (415) 555-2671',
			'+1-415-555-2671',
			'%2B81%2090%201234%205678',
			'+33 1 23 45 67 89',
			'0081-90-1234-5678',
			'010-81-90-1234-5678'
		],
		'[phone]'
	);
});

test('15-digit device identifiers (IMEI), plain and grouped', () => {
	assert.is(redactText('imei=490154203237518'), 'imei=[device-id]');
	assert.is(redactText('IMEI 49-015420-323751-8 seen'), 'IMEI [device-id] seen');
});

test('device identifiers: full-width, dotted, spaced', () => {
	redactsTo(
		[
			'４９０１５４２０３２３７５１８',
			'４９－０１５４２０－３２３７５１－８',
			'49.015420.323751.8',
			'490.154.203.237.518',
			'49 015420 323751 8',
			'49015420 323751 8',
			'49015420-323751-8',
			'4 9 0 1 5 4 2 0 3 2 3 7 5 1 8',
			'49\u2010015420\u2010323751\u20108'
		],
		'[device-id]'
	);
	assert.is(redactText('{"imei":"490154203237518"}'), '{"imei":"[device-id]"}');
});

test('ordinary diagnostic text is left alone', () => {
	const s = 'TypeError: x is undefined at Room.connect (https://kiosk.example/_app/immutable/chunks/room.js:12:3456) t=1719999999999 v=2.23.0 code 1006 bitrate 1500000';
	assert.is(redactText(s), s);
	assert.is(redactText('16-digit 1234567890123456 stays, so does 12345'), '16-digit 1234567890123456 stays, so does 12345');
});

test('negative cases: timestamps, versions, short numbers, line:col, decimals, addresses, package names survive', () => {
	const keep = [
		'2026-11-22T07:06:42.123Z',
		'2026-11-22 07:06:42',
		'2026/11/22 07:06:42.123',
		'20261122070642',
		'at 1719999999999 ms',
		'Date.now()=1763795202123',
		'livekit-client 2.23.0',
		'livekit-client@2.23.0',
		'@sveltejs/kit@2.70.4',
		'react-dom@19.0.0-rc.1',
		'node v20.19.5 and chromium 156.0.7390.54',
		'code 1006 reason 4001 retry 3 of 10',
		'at Room.connect (https://kiosk.example/_app/immutable/chunks/room.js:12:3456)',
		'    at f (http://127.0.0.1:5183/_app/immutable/chunks/Ba1b2c3D.js:1:28019)',
		'connect@https://kiosk.example/_app/chunk.js:120:45',
		'jitter 0.0123456789 s, loss 0.031234567',
		'bytesReceived 12345678901 packetsLost 0',
		'192.168.100.200:7881',
		'[0, 1500, 3000, 4500, 6000]',
		'width 1280 height 720 fps 30 bitrate 1500000',
		'uuid 9f1c2d3e-1111-4222-8333-123456789abc',
		'room call-12345678-0123-4567-8901-234567890123',
		'ＴｙｐｅＥｒｒｏｒ： ｘ',
		'100%',
		'50% of 2000 frames',
		'%E4%BE%8B',
		'user is not signed in @ step 3'
	];
	for (const s of keep) assert.is(redactText(s), s, s);
});

test('redaction keeps the rest of the text exactly as sent (no normalisation leaks into storage)', () => {
	assert.is(redactText('ｴﾗｰ：０９０－１２３４－５６７８ に電話'), 'ｴﾗｰ：[phone] に電話');
	assert.is(redactText('URL /a%20b?mail=taro%40example.com'), 'URL /a%20b?mail=[email]');
	assert.is(redactText('ｘ＝１２３'), 'ｘ＝１２３');
});

test('several items in one string', () => {
	assert.is(redactText('a@b.io, 090-1234-5678; +81 3 1234 5678 / imei 490154203237518'), '[email], [phone]; [phone] / imei [device-id]');
});

test('long hostile strings are handled quickly', () => {
	const started = Date.now();
	for (const s of ['a'.repeat(16_000) + '@', '1 '.repeat(8_000), '0-'.repeat(8_000), '%41'.repeat(5_000), 'a.'.repeat(8_000) + '@x', '@a.'.repeat(5_000)]) redactText(s);
	assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
});

test('redactDeep reaches every string in nested values, keys included', () => {
	const out = redactDeep({ a: ['mail me: a@b.io', 1, true, null], b: { 'a@b.io': { c: '090-1234-5678' } } });
	assert.equal(out, { a: ['mail me: [email]', 1, true, null], b: { '[email]': { c: '[phone]' } } });
});

test.run();
