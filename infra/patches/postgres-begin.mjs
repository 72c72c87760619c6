/**
 * postgres.js 3.4.9: `sql.begin()` can send BEGIN without reserving its connection
 * (porsager/postgres#1189, #823; fix proposed in PR #1218, not released). In
 * connection.js execute() the reservation hook is the last term of an `&&` chain, after
 * `sent.length < max_pipeline`: when BEGIN is the query that fills a connection's
 * pipeline the hook is skipped, the transaction stays open on the server and the
 * connection goes back to the pool, so unrelated queries run inside it — under
 * another request's `app.tenant_id`. Seen here as UNSAFE_TRANSACTION when thousands of
 * kiosk streams open at once (bench/ring.ts).
 *
 * This runs the hook whenever the query was written (whatever the pipeline or the
 * socket's back-pressure say), as the upstream fix does. Applied by
 * infra/patches/postgres.mjs (idempotent; fails loudly when the code it patches is not
 * there, so an upgrade of postgres.js is looked at).
 */
const MARK = '/* concierge: reserve on write (postgres#1189) */';

/** @type {import('./postgres.mjs').Patch} */
export default {
	mark: MARK,
	edits: (dir) => [
		[
			`${dir}/connection.js`,
			/( *)return write\(toBuffer\(q\)\)\n\s*&& !q\.describeFirst\n\s*&& !q\.cursorFn\n\s*&& sent\.length < max_pipeline\n\s*&& \(!q\.options\.onexecute \|\| q\.options\.onexecute\(connection\)\)/,
			(_, indent) =>
				[
					`${indent}${MARK}`,
					`${indent}const written = write(toBuffer(q))`,
					`${indent}if (q.options.onexecute) {`,
					`${indent}  q.options.onexecute(connection)`,
					`${indent}  return false`,
					`${indent}}`,
					`${indent}return written`,
					`${indent}  && !q.describeFirst`,
					`${indent}  && !q.cursorFn`,
					`${indent}  && sent.length < max_pipeline`
				].join('\n')
		]
	],
	missing: (version, rel) =>
		`postgres.js ${version}: ${rel} no longer has the execute() chain this patch fixes (porsager/postgres#1189). Check whether the release fixes it, then update or remove infra/patches/postgres-begin.mjs.`,
	done: (version, n) => `postgres.js ${version}: sql.begin() reserves its connection on write (${n} files patched; porsager/postgres#1189)`
};
