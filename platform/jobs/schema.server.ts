/**
 * The BullMQ PostgreSQL schema (`bullmq`), created and upgraded by the owner role
 * as part of `npm run migrate`. The app role (apps and worker) then gets exactly
 * what BullMQ's queries need: use of the schema, row access to its tables,
 * its sequences and functions. It cannot create, alter or drop anything there.
 */
import pg from 'pg';
import { runMigrations } from 'bullmq';

export const JOBS_SCHEMA = 'bullmq';

export async function migrateJobSchema(ownerUrl: string, log: (line: string) => void = () => {}): Promise<number> {
	const client = new pg.Client({ connectionString: ownerUrl });
	await client.connect();
	try {
		const version = await runMigrations(client, JOBS_SCHEMA);
		await client.query(`
			revoke create on schema ${JOBS_SCHEMA} from public;
			grant usage on schema ${JOBS_SCHEMA} to concierge_app;
			grant select, insert, update, delete on all tables in schema ${JOBS_SCHEMA} to concierge_app;
			grant usage, select, update on all sequences in schema ${JOBS_SCHEMA} to concierge_app;
			grant execute on all functions in schema ${JOBS_SCHEMA} to concierge_app;
		`);
		log(`job schema ${JOBS_SCHEMA} at version ${version}`);
		return version;
	} finally {
		await client.end();
	}
}
