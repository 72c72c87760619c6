import { withTenant } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, RateLimited, Unauthorized } from '../errors.ts';
import { cleanIp, writeAudit } from '../audit/audit.ts';
import { ipKey } from '../web/rate-limit.ts';
import { revokeAccountSessions } from '../sessions/sessions.ts';
import { ROLES, type Actor, type Role } from '../types.ts';
import { getAccount, getPolicy, insertAccount, listAccountRows, setPasswordHash, type AccountRow } from './accounts.repo.ts';
import { MAX_PASSWORD_LENGTH, hashPassword, passwordProblems } from './password.ts';
import { checkPassword, parseLoginId } from './sign-in.ts';

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
	const policy = await withTenant(actor.tenantId, (tx) => getPolicy(tx, actor.tenantId));
	// Login IDs are platform-wide. Requiring the tenant's own prefix makes a collision
	// with another tenant's ID impossible, so "already in use" only ever names an ID
	// of the admin's own tenant (issue 8, item 12; docs/security.md).
	if (!loginId.startsWith(policy.loginPrefix + '-') || loginId.length === policy.loginPrefix.length + 1)
		throw new Invalid('bad_login_id_prefix', `Login IDs in your organisation start with "${policy.loginPrefix}-", for example ${policy.loginPrefix}-kiosk-3.`);
	const problems = passwordProblems({ minLength: policy.passwordMinLength, minClasses: policy.passwordMinClasses, maxAgeDays: policy.passwordMaxAgeDays }, password, loginId);
	if (problems.length) throw new Invalid('weak_password', problems.join(' '));
	const passwordHash = await hashPassword(password);
	return withTenant(actor.tenantId, async (tx) => {
		let row: AccountRow;
		try {
			row = await insertAccount(tx, { tenantId: actor.tenantId, loginId, displayName, role, passwordHash });
		} catch (e) {
			if ((e as { code?: string }).code === '23505') throw new Conflict('login_id_taken', 'That login ID is already in use. Choose another.');
			throw e;
		}
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'account.created', targetType: 'account', targetId: row.id, ip: actor.ip ?? null, detail: { loginId, role } });
		return summary(row);
	});
}

/**
 * Change one's own password. The current one is checked through the same guarded
 * check as sign-in (checkPassword): wrong answers count toward the same per-source
 * lockout, so this page is no password oracle. Then the tenant policy applies, and
 * every session of the account ends. argon2 runs with no connection held.
 */
export async function changePassword(actor: Actor, input: { current: unknown; next: unknown }): Promise<void> {
	if (typeof input.current !== 'string' || typeof input.next !== 'string' || !input.current || !input.next)
		throw new Invalid('password_required', 'Enter your current and your new password.');
	const { current, next } = input;
	if (current.length > MAX_PASSWORD_LENGTH) throw new Invalid('wrong_password', 'Your current password is not correct.');
	const check = await checkPassword({
		loginId: actor.loginId,
		source: ipKey(actor.ip),
		ip: cleanIp(actor.ip),
		password: current,
		detail: { app: 'console', via: 'change_password' }
	});
	if (!check.ok && check.lockedOut)
		throw new RateLimited('too_many_attempts', 'Too many wrong passwords from this device. Wait a while (up to 15 minutes) and try again, or ask your administrator.');
	if (!check.ok || check.accountId !== actor.accountId) throw new Invalid('wrong_password', 'Your current password is not correct.');
	if (current === next) throw new Invalid('same_password', 'Choose a password different from the current one.');
	const policy = await withTenant(actor.tenantId, (tx) => getPolicy(tx, actor.tenantId));
	const problems = passwordProblems({ minLength: policy.passwordMinLength, minClasses: policy.passwordMinClasses, maxAgeDays: policy.passwordMaxAgeDays }, next, actor.loginId);
	if (problems.length) throw new Invalid('weak_password', problems.join(' '));
	const passwordHash = await hashPassword(next);
	await withTenant(actor.tenantId, async (tx) => {
		const account = await getAccount(tx, actor.accountId);
		if (!account) throw new Unauthorized('no_account', 'Please sign in again.');
		await setPasswordHash(tx, account.id, passwordHash);
		await revokeAccountSessions(tx, account.id);
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'account.password_changed', targetType: 'account', targetId: account.id, ip: actor.ip ?? null });
	});
}
