// npm run migrate: apply pending migrations as the owner role (DATABASE_OWNER_URL).
import { migrate } from '../migrate.server.ts';

const url = process.env.DATABASE_OWNER_URL;
if (!url) {
	console.error('DATABASE_OWNER_URL is not set (source infra/env.sh for the development defaults).');
	process.exit(2);
}
const applied = await migrate(url, (l) => console.log(l));
console.log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
