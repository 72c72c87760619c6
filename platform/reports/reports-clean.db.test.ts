/**
 * Migration 006 cleans stored report bodies of reserved keys with
 * jsonb_without_reserved_keys(); its own behaviour, on values a kiosk could have
 * stored before uploads refused such keys.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ownerDb } from '../testing/db.ts';

const test = suite('reserved keys cleaning (migration 006)');

const clean = async (json: string): Promise<unknown> => {
	const [r] = await ownerDb()<{ v: unknown }[]>`select jsonb_without_reserved_keys(${json}::text::jsonb) as v`;
	return r!.v;
};

test('reserved keys go at any depth; everything else stays, arrays keep their order', async () => {
	assert.equal(
		await clean('{"device":{"__proto__":{"x":1},"platform":"Linux","constructor":"c"},"stats":{"a":[{"prototype":1,"b":2},3,[{"__proto__":0}]]},"message":"m"}'),
		{ device: { platform: 'Linux' }, stats: { a: [{ b: 2 }, 3, [{}]] }, message: 'm' }
	);
	// Full-width look-alikes that normalise (NFKC) to a reserved key go too.
	assert.equal(await clean('{"\uff3f\uff3fproto\uff3f\uff3f":1,"k":"\uff3f\uff3fproto\uff3f\uff3f"}'), { k: '\uff3f\uff3fproto\uff3f\uff3f' });
	assert.equal(await clean('[]'), []);
	assert.equal(await clean('"text"'), 'text');
	assert.equal(await clean('{"__proto__":1}'), {});
});

test('the app role cannot call it (only the migration, as the owner)', async () => {
	const [r] = await ownerDb()<{ ok: boolean }[]>`select has_function_privilege('concierge_app', 'jsonb_without_reserved_keys(jsonb)', 'execute') as ok`;
	assert.is(r!.ok, false);
});

test.run();
