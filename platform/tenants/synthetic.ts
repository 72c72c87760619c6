/**
 * Which tenants are synthetic (the call probe's), so that their calls stay out of
 * the KPIs: the call metrics label them tenant="synthetic". The set is read from
 * PostgreSQL at most every REFRESH_MS and kept in memory; a recording call never waits.
 */
import { db } from '../db.server.ts';
import { logError } from '../log.ts';
import { syntheticTenantIds } from './synthetic.repo.ts';

const REFRESH_MS = 10_000;
let ids = new Set<string>();
let loadedAt = 0;
let loading: Promise<void> | null = null;

/**
 * Refresh the set, at most every REFRESH_MS. (A placed call updates its own tenant's entry
 * at once, from its transaction: noteTenantKind below.)
 */
export function refreshSyntheticTenants(): Promise<void> {
	if (Date.now() - loadedAt < REFRESH_MS) return Promise.resolve();
	loading ??= syntheticTenantIds(db())
		.then((list) => {
			ids = new Set(list);
			loadedAt = Date.now();
		})
		.catch((e) => logError('tenants', 'reading synthetic tenants failed', e))
		.finally(() => {
			loading = null;
		});
	return loading;
}

/**
 * What a transaction just read of one tenant (isSynthetic in synthetic.repo.ts): the set
 * follows it at once, as a forced refresh would, without a query of its own.
 */
export function noteTenantKind(tenantId: string, synthetic: boolean): void {
	if (synthetic) ids.add(tenantId);
	else ids.delete(tenantId);
}

/** The metrics label of a tenant: synthetic or customer (from the last refresh). */
export function tenantKind(tenantId: string): 'synthetic' | 'customer' {
	return ids.has(tenantId) ? 'synthetic' : 'customer';
}
