/**
 * eslint.config.js and its custom rule, run as `npm run lint` runs them (typed, the
 * real tsconfig files): each rule fires where it should and stays quiet where the
 * config allows it. Each snippet is linted as the content of an existing file (the
 * project service only knows files on disk); nothing is written.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function rulesAt(path: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, { filePath: root + path });
	const fatal = result!.messages.find((m) => m.fatal);
	if (fatal) throw new Error(`${path}: ${fatal.message}`);
	return result!.messages.map((m) => `${m.line}:${m.ruleId}`);
}

const queries = `import { db, opsDb, withTenant, type Sql } from '../db.server.ts';
export async function a(id: string) { return db()\`select 1 where id = \${id}\`; }
export async function b(sql: Sql) { return sql\`select 1\`; }
export async function c() { return withTenant(crypto.randomUUID(), (tx) => tx\`select 1\`); }
export async function d() { const ops = opsDb(); return ops\`select 1\`; }
export async function e() { return opsDb().unsafe('select 1'); }
export const f = (x: string) => String.raw\`not sql \${x}\`;
`;

test('SQL outside *.repo.ts is reported, whatever the connection is called', async () => {
	assert.equal(await rulesAt('platform/tenants/tenants.ts', queries), [
		'2:concierge/no-sql-outside-repo',
		'3:concierge/no-sql-outside-repo',
		'4:concierge/no-sql-outside-repo',
		'5:concierge/no-sql-outside-repo',
		'6:concierge/no-sql-outside-repo'
	]);
});

test('SQL is allowed in *.repo.ts, the pools, migrations, the test harness and tests', async () => {
	for (const path of ['platform/tenants/tenants.repo.ts', 'platform/testing/db.ts', 'platform/rls.db.test.ts', 'platform/migrate.server.ts', 'console/tests/disable.test.ts']) {
		assert.equal(await rulesAt(path, queries), [], path);
	}
});

test('platform/ may not import $app, $env or $lib; the apps may', async () => {
	const code = `import { page } from '$app/state';\nimport { env } from '$env/dynamic/private';\nimport x from '$lib/x';\nexport { page, env, x };\n`;
	assert.equal(await rulesAt('platform/tenants/tenants.ts', code), ['1:no-restricted-imports', '2:no-restricted-imports', '3:no-restricted-imports']);
	assert.not.ok((await rulesAt('kiosk/src/lib/reports/capture.ts', code)).some((r) => r.endsWith('no-restricted-imports')));
});

test('floating promises and non-exhaustive switches are reported, in platform/ and in the apps', async () => {
	const code = `type State = 'ringing' | 'accepted' | 'ended';
async function go(): Promise<void> {}
export function f(s: State): number {
	go();
	void go();
	switch (s) {
		case 'ringing': return 1;
		case 'accepted': return 2;
	}
	return 0;
}
`;
	const expected = ['4:@typescript-eslint/no-floating-promises', '6:@typescript-eslint/switch-exhaustiveness-check'];
	assert.equal(await rulesAt('platform/tenants/tenants.ts', code), expected);
	assert.equal(await rulesAt('console/src/lib/landing.ts', code), expected);
});

test.run();
