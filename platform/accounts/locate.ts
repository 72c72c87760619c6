import { db } from '../db.server.ts';
import { Forbidden, NotFound } from '../errors.ts';
import type { Actor } from '../types.ts';
import { findLogin } from './accounts.repo.ts';

/**
 * The tenant an admin or operator acts in for a login ID: an admin's own tenant
 * (where RLS then hides other tenants' accounts, so they read as "not found"),
 * or for an operator, the tenant that holds the login ID. Anyone else: 403.
 */
export async function locateAccountTenant(actor: Actor, loginId: string, forbidden: string): Promise<{ tenantId: string }> {
	if (actor.role === 'operator') {
		const found = await findLogin(db(), loginId);
		if (!found) throw new NotFound('account_not_found', `No account has the login ID "${loginId}".`);
		return { tenantId: found.tenantId };
	}
	if (actor.role === 'admin') return { tenantId: actor.tenantId };
	throw new Forbidden('admin_only', forbidden);
}
