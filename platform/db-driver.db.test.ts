/**
 * The database driver's transactions stay on their own connection. postgres.js 3.4.9
 * could send a transaction's BEGIN without reserving the connection
 * (porsager/postgres#1189): the transaction stayed open on the server and the
 * connection went back to the pool, so other requests' queries ran inside it, under
 * another tenant's `app.tenant_id`. infra/patches/postgres-begin.mjs fixes it at
 * install; this checks the installed driver in the bug's deterministic form
 * (`max_pipeline: 0`, where every BEGIN hit it) and under a burst of transactions.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import postgres from 'postgres';

/** A pool with the driver's `max_pipeline` option (real, but missing from its types). */
const pool = (max: number, maxPipeline: number) => {
	const options = { max, max_pipeline: maxPipeline };
	return postgres(process.env.DATABASE_URL!, options);
};

const test = suite('database driver: transactions reserve their connection');

async function stateOf(pid: number): Promise<string> {
	const probe = postgres(process.env.DATABASE_URL!, { max: 1 });
	try {
		const [row] = await probe<{ state: string }[]>`select state from pg_stat_activity where pid = ${pid}`;
		return row?.state ?? 'gone';
	} finally {
		await probe.end({ timeout: 2 });
	}
}

test('a transaction whose BEGIN fills the pipeline (max_pipeline 0) runs and leaves its connection idle', async () => {
	const sql = pool(1, 0);
	try {
		const pid = await sql.begin(async (tx) => (await tx<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid);
		const [after] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
		assert.is(after!.pid, pid, 'one connection in this pool');
		assert.is(await stateOf(pid), 'idle', 'no transaction left open on the server');
	} finally {
		await sql.end({ timeout: 2 });
	}
});

test('a burst of tenant-scoped transactions on a small pool: each sees only its own setting, none is left open', async () => {
	const sql = pool(2, 1);
	try {
		const seen = await Promise.all(
			Array.from({ length: 40 }, (_, i) =>
				sql.begin(async (tx) => {
					await tx`select set_config('app.tenant_id', ${`tenant-${i}`}, true)`;
					const [r] = await tx<{ v: string }[]>`select current_setting('app.tenant_id', true) as v`;
					return r!.v;
				})
			)
		);
		assert.equal(
			seen,
			Array.from({ length: 40 }, (_, i) => `tenant-${i}`)
		);
		const rows = await sql<{ v: string | null }[]>`select nullif(current_setting('app.tenant_id', true), '') as v`;
		assert.is(rows[0]!.v, null, 'outside a transaction nothing is set');
	} finally {
		await sql.end({ timeout: 2 });
	}
});

test.run();
