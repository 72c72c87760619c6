/** SQL of the retention purge: each table is purged by a SECURITY DEFINER function that refuses recent cutoffs. */
import type { Sql } from '../../db.server.ts';

export type PurgeFunction = 'retention_purge_audit_log' | 'retention_purge_crash_reports' | 'retention_purge_calls';

export async function purgeBatch(sql: Sql, fn: PurgeFunction, cutoff: Date, limit: number): Promise<number> {
	const [row] = await sql<{ n: number }[]>`select ${sql(fn)}(${cutoff}, ${limit}) as n`;
	return Number(row!.n);
}
