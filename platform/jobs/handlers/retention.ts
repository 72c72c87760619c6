/**
 * Retention purges, run daily by the worker. Each purger deletes one kind of
 * record past its period through a SECURITY DEFINER function that enforces its
 * own minimum age, so the app role holds no DELETE on the tables themselves.
 * To purge another kind of record, add a purger.
 */
import { config } from '../../config.server.ts';
import { db } from '../../db.server.ts';
import { purgeBatch, type PurgeFunction } from './retention.repo.ts';

export interface Purger {
	name: string;
	/** Delete up to `limit` records older than the cutoff; return how many went. */
	purgeBatch(cutoff: Date, limit: number): Promise<number>;
	retentionDays(): number;
}

const DAY = 24 * 3600 * 1000;

const callPurge = (fn: PurgeFunction, cutoff: Date, limit: number) => purgeBatch(db(), fn, cutoff, limit);

export const purgers: Purger[] = [
	{ name: 'audit_log', retentionDays: () => config().auditRetentionDays, purgeBatch: (c, l) => callPurge('retention_purge_audit_log', c, l) },
	{ name: 'calls', retentionDays: () => config().callRetentionDays, purgeBatch: (c, l) => callPurge('retention_purge_calls', c, l) },
	{ name: 'crash_reports', retentionDays: () => config().reports.retentionDays, purgeBatch: (c, l) => callPurge('retention_purge_crash_reports', c, l) }
];

/** Run every purger in batches (short transactions) until nothing old is left. */
export async function purgeExpired(now = new Date(), list: Purger[] = purgers, batch = 5_000): Promise<Record<string, number>> {
	const result: Record<string, number> = {};
	for (const p of list) {
		const cutoff = new Date(now.getTime() - p.retentionDays() * DAY);
		let total = 0;
		for (;;) {
			const n = await p.purgeBatch(cutoff, batch);
			total += n;
			if (n < batch) break;
		}
		result[p.name] = total;
	}
	return result;
}
