/** SQL of the health checks. */
import type { Sql } from './db.server.ts';

/** One round trip to PostgreSQL. */
export async function ping(sql: Sql): Promise<void> {
	await sql`select 1`;
}
