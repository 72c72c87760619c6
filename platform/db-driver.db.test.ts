/**
 * The database driver's transactions stay on their own connection. postgres.js 3.4.9
 * could send a transaction's BEGIN without reserving the connection
 * (porsager/postgres#1189): the transaction stayed open on the server and the
 * connection went back to the pool, so other requests' queries ran inside it, under
 * another tenant's `app.tenant_id`. infra/patches/postgres-begin.mjs fixes it at
 * install; this checks the installed driver in the bug's deterministic form
 * (`max_pipeline: 0`, where every BEGIN hit it) and under a burst of transactions.
 * And the pool's choice among idle connections (infra/patches/postgres-pool-lifo.mjs):
 * the one released last, not the one idle longest; and the queries of one turn of the event
 * loop leaving in one socket write even with a large parameter (postgres-write-batch.mjs).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import postgres from 'postgres';
import net from 'node:net';

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

test('the pool reuses the connection released last: one request after another meets one warm backend (infra/patches/postgres-pool-lifo.mjs)', async () => {
	const sql = pool(4, 100);
	const pid = async (q: postgres.Sql | postgres.ReservedSql = sql) => (await q<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
	try {
		// A burst opens all four connections.
		const burst = new Set(await Promise.all(Array.from({ length: 4 }, () => sql.begin((tx) => pid(tx as unknown as postgres.Sql)))));
		assert.is(burst.size, 4, 'the burst used four connections');
		// Then one at a time (queries, transactions and reserved connections alike): always the same
		// backend, where a first-in-first-out pool goes round all four.
		const one: number[] = [];
		for (let i = 0; i < 8; i++) {
			one.push(await pid());
			one.push(await sql.begin((tx) => pid(tx as unknown as postgres.Sql)));
			const r = await sql.reserve();
			try {
				one.push(await pid(r));
			} finally {
				r.release();
			}
		}
		assert.is(new Set(one).size, 1, `one backend for sequential work, saw ${new Set(one).size}`);
		// Concurrency still spreads over the pool.
		const again = new Set(await Promise.all(Array.from({ length: 4 }, () => sql.begin((tx) => pid(tx as unknown as postgres.Sql)))));
		assert.ok(again.size > 1, 'concurrent transactions use more than one connection');
	} finally {
		await sql.end({ timeout: 2 });
	}
});

test('the queries of one turn leave in one socket write, one with a 4 KB parameter too (infra/patches/postgres-write-batch.mjs)', async () => {
	// The call's writes and COMMIT (withTenantInTwoWrites) carry the ring's NOTIFY, about 4 KB for
	// 100 concierges; the unpatched driver wrote a buffer past 1 KB at once and the rest later.
	const sql = pool(1, 100);
	const write = net.Socket.prototype.write;
	const sizes: number[] = [];
	try {
		const big = 'x'.repeat(4000);
		const trio = () => Promise.all([sql<{ t: string }[]>`select ${big}::text as t`, sql<{ n: number }[]>`select 2 as n`, sql<{ n: number }[]>`select 3 as n`]);
		// Once to prepare the statements (a statement's first run asks PostgreSQL for its parameter types first).
		await trio();
		net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
			sizes.push((chunk as { length: number }).length);
			return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
		} as typeof write;
		const [[a], [b], [c]] = await trio();
		assert.is(a!.t.length, 4000);
		assert.is(b!.n + c!.n, 5);
	} finally {
		net.Socket.prototype.write = write;
		await sql.end({ timeout: 2 });
	}
	assert.is(sizes.length, 1, `the three queries left in ${sizes.length} writes (${sizes.join(', ')} bytes)`);
	assert.ok(sizes[0]! > 4000);
});

test.run();
