/**
 * Per-concierge share permissions (seed 002): a tenant admin (own tenant) or a
 * platform operator (any tenant) decides whether a concierge may share its own
 * screen and may ask to see the kiosk's screen. The flags are enforced where the
 * media is granted (calls.ts: token sources, requestKioskScreen, reportShare), so
 * this only stores them, audits the change and, after the commit, narrows the
 * grant of a live call at once.
 */
import { withTenant, type Sql } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Actor } from '../types.ts';
import { getAccountByLogin, setSharePermissionFlags } from './accounts.repo.ts';
import { parseLoginId } from './sign-in.ts';
import { locateAccountTenant } from './locate.ts';
import { applyConciergeShareGrant } from '../calls/index.ts';
import { logError } from '../log.ts';

export interface SharePermissions {
	canShareScreen: boolean;
	canViewKioskScreen: boolean;
}

export interface SharePermissionsResult extends SharePermissions {
	accountId: string;
	tenantId: string;
	loginId: string;
	/** False when the account already had these permissions (nothing written, nothing audited). */
	changed: boolean;
}

/** A flag is either left out (unchanged) or a real boolean; "false", 0 or null are refused, not coerced. */
function parseFlag(v: unknown, name: string): boolean | undefined {
	if (v === undefined) return undefined;
	if (typeof v !== 'boolean') throw new Invalid('bad_permission', `${name} must be true or false.`);
	return v;
}

/**
 * Set a concierge's share permissions by login ID. Each flag may be left out to keep
 * its current value (so two checkboxes changed at once by two admins do not undo each
 * other); at least one must be given.
 */
export async function setSharePermissions(actor: Actor, rawLoginId: unknown, input: { canShareScreen?: unknown; canViewKioskScreen?: unknown }): Promise<SharePermissionsResult> {
	if (actor.role !== 'admin' && actor.role !== 'operator') throw new Forbidden('admin_only', 'Only administrators can change share permissions.');
	const loginId = parseLoginId(rawLoginId);
	if (!loginId) throw new Invalid('bad_login_id', 'Enter the login ID of the account.');
	if (typeof input !== 'object' || input === null) throw new Invalid('bad_permission', 'Say which permissions to set.');
	const share = parseFlag(input.canShareScreen, 'canShareScreen');
	const view = parseFlag(input.canViewKioskScreen, 'canViewKioskScreen');
	if (share === undefined && view === undefined) throw new Invalid('bad_permission', 'Give canShareScreen and/or canViewKioskScreen as true or false.');
	const { tenantId } = await locateAccountTenant(actor, loginId, 'Only administrators can change share permissions.');
	let shareChanged = false;
	const result = await withTenant(tenantId, async (tx: Sql) => {
		const account = await getAccountByLogin(tx, loginId);
		if (!account) throw new NotFound('account_not_found', `No account in your organisation has the login ID "${loginId}".`);
		if (account.role !== 'concierge') throw new Conflict('not_a_concierge', `Share permissions apply to concierge accounts only; "${loginId}" is a ${account.role} account.`);
		const old: SharePermissions = { canShareScreen: account.canShareScreen, canViewKioskScreen: account.canViewKioskScreen };
		const next: SharePermissions = { canShareScreen: share ?? old.canShareScreen, canViewKioskScreen: view ?? old.canViewKioskScreen };
		const changed = next.canShareScreen !== old.canShareScreen || next.canViewKioskScreen !== old.canViewKioskScreen;
		shareChanged = next.canShareScreen !== old.canShareScreen;
		if (changed) {
			await setSharePermissionFlags(tx, account.id, next);
			await writeAudit(tx, actor, {
				tenantId,
				action: 'account.permissions_changed',
				targetType: 'account',
				targetId: account.id,
				ip: actor.ip ?? null,
				detail: { loginId, byRole: actor.role, actorTenantId: actor.tenantId, old, new: next }
			});
		}
		return { accountId: account.id, tenantId, loginId, ...next, changed };
	});
	// The screen-share flag is also in the grant of a live call: apply it there now
	// rather than at the next token. Failing here must not turn a committed change into a 500.
	if (shareChanged) {
		try {
			await applyConciergeShareGrant(tenantId, result.accountId);
		} catch (e) {
			logError('permissions', 'updating the live call grant failed', e, { accountId: result.accountId, tenantId });
		}
	}
	return result;
}
