/**
 * postgres.js 3.4.9 gathers the queries made in one turn of the event loop into one socket
 * write (at `setImmediate`), except that a buffer past 1,024 bytes is written at once. A
 * transaction's statements with one large parameter, such as the ring's NOTIFY (a JSON payload
 * naming 100 concierges, about 4 KB), then leave in three writes: that statement at once, the
 * rest a syscall later, COMMIT at the next turn. On the 2-vCPU VM the benches run on each write
 * that wakes PostgreSQL's backend costs the writer 0.1-0.5 ms, and COMMIT left a millisecond
 * after the writes it closes (platform/db.server.ts, withTenantInTwoWrites; docs/benchmarks.md).
 *
 * This raises the bound to 64 KB: a turn's queries leave in one write up to that size, and
 * still at once past it (the buffer is concatenated per query, so the bound keeps that cost
 * linear in practice). Applied by infra/patches/postgres.mjs (idempotent; fails loudly when the
 * code it patches is not there, so an upgrade of postgres.js is looked at). Checked by
 * platform/db-driver.db.test.ts.
 */
const MARK = '/* concierge: one write per turn up to 64 KB */';

/** [file, what must be there, what it becomes] for each build of the driver (ESM, CommonJS, Cloudflare). */
const edits = (dir) => [[`${dir}/connection.js`, /if \(fn \|\| chunk\.length >= 1024\)/, `if (fn || chunk.length >= 65536) ${MARK}`]];

/** @type {import('./postgres.mjs').Patch} */
export default {
	mark: MARK,
	edits,
	missing: (version, rel, from) =>
		`postgres.js ${version}: ${rel} no longer has the code this patch changes (${from}). Check when the release writes its buffered queries, then update or remove infra/patches/postgres-write-batch.mjs.`,
	done: (version, n) => `postgres.js ${version}: a turn's queries leave in one write up to 64 KB (${n} edits)`
};
