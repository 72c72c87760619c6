/**
 * Database connections. The apps and the worker connect as `concierge_app`, a role
 * that owns no table and cannot bypass row-level security: every tenant-owned row
 * is visible only inside withTenant(), which sets `app.tenant_id` for one
 * transaction. A query that forgets to scope sees nothing.
 *
 * The operator's cross-tenant read path uses a second role, `concierge_ops`, whose
 * policies allow SELECT across tenants; it is reached only through
 * platform/operator (which audits every use), never from tenant code.
 */
import postgres from 'postgres';
import { config } from './config.server.ts';

export type Sql = postgres.Sql;

import { isUuid } from './ids.ts';
export { isUuid };

let appSql: Sql | null = null;
let opsSql: Sql | null = null;

function connect(url: string, max: number): Sql {
	const socketDir = config().databaseSocketDir;
	return postgres(url, {
		...(socketDir ? { host: socketDir } : {}),
		max,
		idle_timeout: 30,
		connect_timeout: 10,
		onnotice: () => {},
		// Timestamps come back as Date; bigint counts as number (our counts stay small).
		types: { bigint: postgres.BigInt }
	});
}

/** The app-role pool. Use withTenant() for anything that touches tenant rows. */
export function db(): Sql {
	appSql ??= connect(config().databaseUrl, Number(process.env.DB_POOL_MAX ?? 10));
	return appSql;
}

/** The operator read-only pool (see platform/operator). */
export function opsDb(): Sql {
	opsSql ??= connect(config().databaseOpsUrl, 3);
	return opsSql;
}

/**
 * Run fn in one transaction with row-level security scoped to tenantId.
 * The setting is transaction-local (set_config(..., true)), so a pooled
 * connection never carries one tenant's scope into another request.
 */
export async function withTenant<T>(tenantId: string, fn: (tx: Sql) => Promise<T>): Promise<T> {
	requireTenantId(tenantId, 'withTenant');
	return (await db().begin(async (tx) => {
		// Not awaited on its own: the setting goes out in the same write as fn's first
		// query. A transaction's queries run in order on its one connection, so the
		// scope is in place before any of them; if it fails, they fail with it.
		const [, result] = await Promise.all([scope(tx as unknown as Sql, tenantId), fn(tx as unknown as Sql)]);
		return result;
	})) as T;
}

function requireTenantId(tenantId: string, where: string): void {
	if (!isUuid(tenantId)) throw new TypeError(`${where}: not a tenant id: ${String(tenantId)}`);
}

/**
 * The tenant scope of the current transaction (transaction-local). postgres.js queries
 * are lazy; execute() sends this one now, ahead of any query the caller makes next.
 */
function scope(tx: Sql, tenantId: string) {
	return tx`select set_config('app.tenant_id', ${tenantId}, true)`.execute();
}

/**
 * withTenant for a hot path, in two round trips to PostgreSQL instead of one per step
 * (placing a call: platform/calls/lifecycle.ts). BEGIN and the scope go out in one write
 * with `read`'s queries; then `write`'s queries go out with COMMIT right behind them,
 * without waiting for their answers.
 *
 * `write` must make every query before it first waits for PostgreSQL: call the repo
 * functions and await them together. COMMIT goes out once the microtasks their calls
 * started have run. A query made only after an answer came back would run after COMMIT,
 * outside the transaction, where no tenant is in scope and row-level security shows it
 * nothing. If any statement fails, PostgreSQL answers COMMIT with ROLLBACK: nothing is
 * kept, and this rejects with the first error.
 */
export async function withTenantInTwoWrites<R, T>(tenantId: string, read: (tx: Sql) => Promise<R>, write: (tx: Sql, r: R) => Promise<T>): Promise<T> {
	requireTenantId(tenantId, 'withTenantInTwoWrites');
	const tx = (await db().reserve()) as unknown as Sql & { release: () => void };
	try {
		let r: R;
		try {
			// BEGIN and the scope are sent now, in this order, ahead of read's queries on the reserved connection.
			const begin = tx`begin`.execute();
			[, , r] = await Promise.all([begin, scope(tx, tenantId), read(tx)]);
		} catch (e) {
			await tx`rollback`.catch(() => {});
			throw e;
		}
		const written = write(tx, r);
		// Marked handled at once: it may fail while COMMIT waits for the next turn of the event loop.
		written.catch(() => {});
		// A repo function's query goes out a few microtasks after the call (awaiting a postgres.js query,
		// a thenable, schedules its send), so COMMIT follows once the microtasks have run: behind them all.
		await new Promise((resolve) => setImmediate(resolve));
		const commit = tx`commit`.execute();
		const [result, done] = await Promise.allSettled([written, commit]);
		if (result.status === 'rejected') throw result.reason;
		if (done.status === 'rejected') throw done.reason;
		// A statement that failed without `write` seeing it: PostgreSQL answered COMMIT with ROLLBACK.
		const { command } = done.value as unknown as { command?: string };
		if (command !== 'COMMIT') throw new Error(`withTenantInTwoWrites: the transaction was rolled back (${String(command)})`);
		return result.value;
	} finally {
		tx.release();
	}
}

export async function closeDb(): Promise<void> {
	const pools = [appSql, opsSql];
	appSql = opsSql = null;
	await Promise.all(pools.filter((p) => p !== null).map((p) => p.end({ timeout: 2 })));
}
