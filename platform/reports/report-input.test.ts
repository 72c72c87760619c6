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

test('NUL characters and lone surrogates become U+FFFD; a "__proto__" key stays a plain key', () => {
	const r = parseReport(JSON.parse(JSON.stringify({ ...base(), message: 'a\u0000b\ud800c', device: { ['__proto__']: 'x' } }).replace('"device":{}', '"device":{"__proto__":"x"}')));
	assert.is(r.message, 'a\uFFFDb\uFFFDc');
	assert.ok(Object.hasOwn(r.device, '__proto__'));
	assert.is(Object.getPrototypeOf(r.device), Object.prototype);
});

test.run();
