/**
 * Versioned SQL migrations: platform/migrations/NNN_name.sql, applied in order,
 * each in its own transaction, as the owner role, under an advisory lock so two
 * starting processes never race. Applied versions are recorded in schema_migrations.
 * Then the BullMQ job schema (platform/jobs/schema.server.ts), also as the owner.
 */
import postgres from 'postgres';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { migrateJobSchema } from './jobs/schema.server.ts';

const dir = fileURLToPath(new URL('./migrations/', import.meta.url));

export async function migrate(ownerUrl: string, log: (line: string) => void = () => {}): Promise<string[]> {
	const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
	const applied: string[] = [];
	try {
		await sql`select pg_advisory_lock(727001)`;
		await sql`create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())`;
		const done = new Set((await sql<{ version: string }[]>`select version from schema_migrations`).map((r) => r.version));
		const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
		for (const file of files) {
			const version = file.slice(0, -4);
			if (done.has(version)) continue;
			const text = await readFile(dir + file, 'utf8');
			await sql.begin(async (tx) => {
				await tx.unsafe(text).simple();
				await tx`insert into schema_migrations (version) values (${version})`;
			});
			applied.push(version);
			log(`migrated ${version}`);
		}
		// BullMQ's own schema, versioned by BullMQ (its runMigrations is idempotent and locked).
		await migrateJobSchema(ownerUrl, log);
		await sql`select pg_advisory_unlock(727001)`;
	} finally {
		await sql.end({ timeout: 2 });
	}
	return applied;
}
