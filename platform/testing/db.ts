/**
 * Test database access. Tests run against a real PostgreSQL database (by default
 * `concierge_test`), whose schema run.ts drops and migrates afresh once per run.
 * `ownerDb()` is the owner role, for factories and for arranging states (an
 * expired session, a lock in the past) that no app code path may produce.
 */
import postgres from 'postgres';
import type { Sql } from '../db.server.ts';

let owner: Sql | null = null;

export function ownerUrl(): string {
	const url = process.env.DATABASE_OWNER_URL;
	if (!url) throw new Error('DATABASE_OWNER_URL is not set: run tests through `npm test` (infra/test.sh)');
	return url;
}

export function ownerDb(): Sql {
	owner ??= postgres(ownerUrl(), { max: 3, onnotice: () => {}, idle_timeout: 10 });
	return owner;
}

/** A connection as the app role with nothing set: what a forgetful query would see. */
export function rawAppDb(): Sql {
	return postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
}

export async function resetSchema(url = ownerUrl()): Promise<void> {
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	try {
		await sql
			.unsafe(
				`
			drop schema if exists public cascade;
			drop schema if exists bullmq cascade;
			create schema public;
			grant usage on schema public to concierge_app, concierge_ops;
		`
			)
			.simple();
	} finally {
		await sql.end({ timeout: 2 });
	}
}

export async function closeOwnerDb(): Promise<void> {
	const o = owner;
	owner = null;
	await o?.end({ timeout: 2 });
}
