/** SQL of the event streams. */
import type { Sql } from '../db.server.ts';

/** Which of these session ids still belong to a live, unexpired session of an enabled account (cross-tenant, ids only). */
export async function liveSessionIds(sql: Sql, ids: string[]): Promise<Set<string>> {
	if (ids.length === 0) return new Set();
	const rows = await sql<{ sessionId: string }[]>`select session_id as "sessionId" from auth_live_sessions(${ids}::text[])`;
	return new Set(rows.map((r) => r.sessionId));
}
