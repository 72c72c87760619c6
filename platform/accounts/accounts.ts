import { withTenant } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, Unauthorized } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { revokeAccountSessions } from '../sessions/sessions.ts';
import { ROLES, type Actor, type Role } from '../types.ts';
import { getAccount, getPolicy, insertAccount, listAccountRows, setPasswordHash, type AccountRow } from './accounts.repo.ts';
import { hashPassword, passwordProblems, verifyPassword } from './password.ts';
import { parseLoginId } from './sign-in.ts';

export interface AccountSummary {
	id: string;
	loginId: string;
	displayName: string;
	role: Role;
	disabled: boolean;
	lockedUntil: Date | null;
	createdAt: Date;
	/** Share permissions, for concierges only (other roles have none). */
	permissions?: { canShareScreen: boolean; canViewKioskScreen: boolean };
}

const summary = (a: AccountRow): AccountSummary => ({
	id: a.id,
	loginId: a.loginId,
	displayName: a.displayName,
	role: a.role,
	disabled: a.disabledAt !== null,
	lockedUntil: a.lockedUntil && a.lockedUntil.getTime() > Date.now() ? a.lockedUntil : null,
	createdAt: a.createdAt,
	...(a.role === 'concierge' ? { permissions: { canShareScreen: a.canShareScreen, canViewKioskScreen: a.canViewKioskScreen } } : {})
});

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin' && actor.role !== 'operator') throw new Forbidden('admin_only', 'Only administrators can do this.');
}

/** Accounts of the actor's tenant (admins only). */
export async function listAccounts(actor: Actor): Promise<AccountSummary[]> {
	requireAdmin(actor);
	return withTenant(actor.tenantId, async (tx) => (await listAccountRows(tx)).map(summary));
}

export interface NewAccount {
	loginId: unknown;
	displayName: unknown;
	role: unknown;
	password: unknown;
}

/** Create an account in the actor's tenant. Admins create kiosks, concierges and admins; never operators. */
export async function createAccount(actor: Actor, input: NewAccount): Promise<AccountSummary> {
	requireAdmin(actor);
	const loginId = parseLoginId(input.loginId);
	if (!loginId) throw new Invalid('bad_login_id', 'Login IDs are 3 to 64 characters: letters, digits, and . _ @ -');
	if (typeof input.displayName !== 'string' || !input.displayName.trim() || input.displayName.length > 200)
		throw new Invalid('bad_display_name', 'Enter a display name of at most 200 characters.');
	if (typeof input.role !== 'string' || !(ROLES as readonly string[]).includes(input.role) || input.role === 'operator')
		throw new Invalid('bad_role', 'Choose kiosk, concierge or admin.');
	if (typeof input.password !== 'string') throw new Invalid('password_required', 'Enter a password.');
	const password = input.password;
	const displayName = input.displayName.trim();
	const role = input.role as Role;
	return withTenant(actor.tenantId, async (tx) => {
		const policy = await getPolicy(tx, actor.tenantId);
		const problems = passwordProblems({ minLength: policy.passwordMinLength, minClasses: policy.passwordMinClasses, maxAgeDays: policy.passwordMaxAgeDays }, password, loginId);
		if (problems.length) throw new Invalid('weak_password', problems.join(' '));
		let row: AccountRow;
		try {
			row = await insertAccount(tx, { tenantId: actor.tenantId, loginId, displayName, role, passwordHash: await hashPassword(password) });
		} catch (e) {
			if ((e as { code?: string }).code === '23505') throw new Conflict('login_id_taken', 'That login ID is already in use. Choose another.');
			throw e;
		}
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'account.created', targetType: 'account', targetId: row.id, ip: actor.ip ?? null, detail: { loginId, role } });
		return summary(row);
	});
}

/**
 * Change one's own password. Checks the current one, applies the tenant policy,
 * and ends every other session of the account.
 */
export async function changePassword(actor: Actor, input: { current: unknown; next: unknown }): Promise<void> {
	if (typeof input.current !== 'string' || typeof input.next !== 'string' || !input.current || !input.next)
		throw new Invalid('password_required', 'Enter your current and your new password.');
	const { current, next } = input;
	await withTenant(actor.tenantId, async (tx) => {
		const account = await getAccount(tx, actor.accountId);
		if (!account) throw new Unauthorized('no_account', 'Please sign in again.');
		if (!(await verifyPassword(account.passwordHash, current))) throw new Invalid('wrong_password', 'Your current password is not correct.');
		if (current === next) throw new Invalid('same_password', 'Choose a password different from the current one.');
		const policy = await getPolicy(tx, actor.tenantId);
		const problems = passwordProblems({ minLength: policy.passwordMinLength, minClasses: policy.passwordMinClasses, maxAgeDays: policy.passwordMaxAgeDays }, next, account.loginId);
		if (problems.length) throw new Invalid('weak_password', problems.join(' '));
		await setPasswordHash(tx, account.id, await hashPassword(next));
		await revokeAccountSessions(tx, account.id);
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'account.password_changed', targetType: 'account', targetId: account.id, ip: actor.ip ?? null });
	});
}
