/** SQL of real-time events: one NOTIFY (inside a transaction it is delivered only on commit). */
import type { Sql } from '../db.server.ts';

export async function notify(sql: Sql, channel: string, payload: string): Promise<void> {
	await sql`select pg_notify(${channel}, ${payload})`;
}
