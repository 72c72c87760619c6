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
	if (!isUuid(tenantId)) throw new TypeError(`withTenant: not a tenant id: ${String(tenantId)}`);
	return (await db().begin(async (tx) => {
		// Not awaited on its own: the setting goes out in the same write as fn's first
		// query. A transaction's queries run in order on its one connection, so the
		// scope is in place before any of them; if it fails, they fail with it.
		// postgres.js queries are lazy, so execute() queues it now, ahead of fn's queries.
		const scope = tx`select set_config('app.tenant_id', ${tenantId}, true)`.execute();
		const [, result] = await Promise.all([scope, fn(tx as unknown as Sql)]);
		return result;
	})) as T;
}

export async function closeDb(): Promise<void> {
	const pools = [appSql, opsSql];
	appSql = opsSql = null;
	await Promise.all(pools.filter((p) => p !== null).map((p) => p.end({ timeout: 2 })));
}
