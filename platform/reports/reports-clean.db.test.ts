/**
 * Migration 006 cleans stored report bodies of reserved keys with
 * jsonb_without_reserved_keys(); its own behaviour, on values a kiosk could have
 * stored before uploads refused such keys.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ownerDb } from '../testing/db.ts';
import { makeAccount, makeTenant } from '../testing/factories.ts';

const test = suite('reserved keys cleaning (migration 006)');

const clean = async (json: string): Promise<unknown> => {
	const [r] = await ownerDb()<{ v: unknown }[]>`select jsonb_without_reserved_keys(${json}::text::jsonb) as v`;
	return r!.v;
};

test('reserved keys go at any depth; everything else stays, arrays keep their order', async () => {
	assert.equal(await clean('{"device":{"__proto__":{"x":1},"platform":"Linux","constructor":"c"},"stats":{"a":[{"prototype":1,"b":2},3,[{"__proto__":0}]]},"message":"m"}'), {
		device: { platform: 'Linux' },
		stats: { a: [{ b: 2 }, 3, [{}]] },
		message: 'm'
	});
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

test("the migration's cleaning statement rewrites dirty rows and leaves clean ones alone", async () => {
	const migration = readFileSync(new URL('../migrations/006_report_input_hardening.sql', import.meta.url), 'utf8');
	const update = /update crash_reports set body = jsonb_without_reserved_keys\(body\)[\s\S]*?;/.exec(migration)?.[0];
	assert.ok(update, 'the migration has the cleaning statement');
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const rows: [string, string, unknown][] = [
		[randomUUID(), '{"message":"m","device":{"__proto__":{"x":1},"os":"Linux"},"stats":{"a":[{"constructor":1}]}}', { message: 'm', device: { os: 'Linux' }, stats: { a: [{}] } }],
		[randomUUID(), '{"message":"clean","device":{"os":"Linux"},"stats":{"protocol":"udp"}}', { message: 'clean', device: { os: 'Linux' }, stats: { protocol: 'udp' } }],
		[randomUUID(), '{"message":"\uff3f","device":{"\uff3f\uff3fproto\uff3f\uff3f":1}}', { message: '\uff3f', device: {} }]
	];
	for (const [id, body] of rows)
		await ownerDb()`insert into crash_reports (id, tenant_id, kiosk_account_id, kind, message, app_version, occurred_at, body) values (${id}, ${t.id}, ${k.id}, 'error', 'm', '1', now(), ${body}::text::jsonb)`;
	await ownerDb().unsafe(update!);
	for (const [id, , expected] of rows) {
		const [r] = await ownerDb()<{ body: unknown }[]>`select body from crash_reports where tenant_id = ${t.id} and id = ${id}`;
		assert.equal(r!.body, expected, id);
	}
});

test.run();
