import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseReport } from './report-input.ts';
import { DomainError } from '../errors.ts';

const test = suite('report input');
const base = () => ({ id: '9f1c2d3e-1111-4222-8333-123456789abc', kind: 'error', message: 'm', appVersion: '1', userAgent: 'ua', occurredAt: new Date().toISOString() });

function refusal(body: unknown): DomainError {
	try {
		parseReport(body);
	} catch (e) {
		if (e instanceof DomainError) return e;
		throw e;
	}
	throw new Error('expected a refusal');
}

test('a minimal report is accepted with defaults', () => {
	const r = parseReport(base());
	assert.equal(r.logs, []);
	assert.equal(r.device, {});
	assert.is(r.stack, null);
});

test('unknown fields, wrong types and oversize fields are refused with the field named', () => {
	assert.is(refusal({ ...base(), tenantId: 'x' }).detail.field, 'tenantId');
	assert.is(refusal({ ...base(), message: 5 }).detail.field, 'message');
	assert.is(refusal({ ...base(), logs: ['a', 1] }).detail.field, 'logs');
	assert.is(refusal({ ...base(), stats: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } }).detail.field, 'stats');
	assert.is(refusal({ ...base(), device: { a: { nested: true } } }).status, 400);
	assert.is(refusal(null).status, 400);
});

test('NUL characters and lone surrogates become U+FFFD', () => {
	const r = parseReport({ ...base(), message: 'a\u0000b\ud800c', device: { 'k\u0000': 'x' } });
	assert.is(r.message, 'a\uFFFDb\uFFFDc');
	assert.ok(Object.hasOwn(r.device, 'k\uFFFD'));
});

test('"__proto__", "constructor" and "prototype" keys are refused at any depth, naming the field path', () => {
	const cases: [string, string][] = [
		['{"device":{"__proto__":"x"}}', 'device.__proto__'],
		['{"device":{"constructor":1}}', 'device.constructor'],
		['{"stats":{"__proto__":{"polluted":true}}}', 'stats.__proto__'],
		['{"stats":{"a":{"b":[{"prototype":1}]}}}', 'stats.a.b.[0].prototype'],
		['{"stats":{"a":{"constructor":{"prototype":{}}}}}', 'stats.a.constructor'],
		// Full-width look-alikes become "__proto__" under NFKC, which redaction applies.
		['{"stats":{"\uff3f\uff3fproto\uff3f\uff3f":1}}', 'stats.\uff3f\uff3fproto\uff3f\uff3f'],
		['{"__proto__":{}}', '__proto__']
	];
	for (const [extra, path] of cases) {
		const body = JSON.parse(JSON.stringify(base()).slice(0, -1) + ',' + extra.slice(1));
		const e = refusal(body);
		assert.is(e.status, 400, extra);
		assert.is(e.detail.field, path, extra);
		assert.match(e.message, path);
	}
	// Ordinary keys that merely contain the words are fine.
	const r = parseReport({ ...base(), stats: { protocol: 'udp', constructorName: 'RTCPeerConnection', __proto: 1 } });
	assert.ok(r.stats);
});

test('a body nested 10,000 or 1,000,000 deep is a 400, not a RangeError', () => {
	for (const n of [10_000, 1_000_000]) {
		for (const field of ['stats', 'device', 'logs']) {
			const text = `{"id":"9f1c2d3e-1111-4222-8333-123456789abc","kind":"error","message":"m","appVersion":"1","userAgent":"ua","occurredAt":"${new Date().toISOString()}","${field}":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
			const e = refusal(JSON.parse(text));
			assert.is(e.status, 400, `${field} ${n}`);
			assert.is(e.detail.field, field);
		}
		const arrays = JSON.parse(`{"stats":${'['.repeat(n)}${']'.repeat(n)}}`);
		assert.is(refusal({ ...base(), ...arrays }).detail.field, 'stats');
	}
});

test.run();
