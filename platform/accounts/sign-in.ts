/**
 * Sign-in with login ID and password, for either app. Lockout after the tenant's
 * threshold of consecutive failures (default 3, for 15 minutes); every outcome is
 * in the audit log. The order of checks matters: a locked account is refused
 * before its password is even checked, and "disabled" or "wrong app" is told only
 * to someone who knows the password.
 */
import { db, withTenant } from '../db.server.ts';
import { DomainError, Forbidden, Invalid, Locked, Unauthorized } from '../errors.ts';
import { writeAudit, type AuditAction } from '../audit/audit.ts';
import { createSession } from '../sessions/sessions.ts';
import { APP_ROLES, type AppName, type Role } from '../types.ts';
import { findLogin, getAccount, getPolicy, recordFailure, recordSuccess } from './accounts.repo.ts';
import { MAX_PASSWORD_LENGTH, burnPasswordCheck, verifyPassword } from './password.ts';

export interface SignInInput {
	loginId: unknown;
	password: unknown;
}

export interface SignInMeta {
	ip?: string | null;
	userAgent?: string | null;
}

export interface SignInResult {
	token: string;
	expiresAt: Date;
	role: Role;
	passwordExpired: boolean;
}

const DAY = 24 * 60 * 60 * 1000;

/** Normalise and check the shape of a login ID. Returns null if it cannot be one. */
export function parseLoginId(v: unknown): string | null {
	if (typeof v !== 'string') return null;
	const id = v.trim().toLowerCase();
	return /^[a-z0-9][a-z0-9._@-]{2,63}$/.test(id) ? id : null;
}

const WRONG = 'The login ID or password is incorrect.';

export async function signIn(app: AppName, input: SignInInput, meta: SignInMeta = {}): Promise<SignInResult> {
	if (typeof input.loginId !== 'string' || input.loginId.trim() === '')
		throw new Invalid('login_id_required', 'Enter your login ID.');
	if (typeof input.password !== 'string' || input.password === '')
		throw new Invalid('password_required', 'Enter your password.');
	const password = input.password;
	const loginId = parseLoginId(input.loginId);
	if (!loginId || password.length > MAX_PASSWORD_LENGTH) {
		await burnPasswordCheck(password.slice(0, MAX_PASSWORD_LENGTH));
		throw new Unauthorized('invalid_credentials', WRONG);
	}

	const found = await findLogin(db(), loginId);
	if (!found) {
		await burnPasswordCheck(password);
		throw new Unauthorized('invalid_credentials', WRONG);
	}

	// Refusals are returned, not thrown, from the transaction so that the failure
	// count, the lock and their audit records commit; they are thrown after it.
	const outcome = await withTenant(found.tenantId, async (tx): Promise<SignInResult | DomainError> => {
		const account = await getAccount(tx, found.accountId);
		if (!account) return new Unauthorized('invalid_credentials', WRONG);
		const actor = { accountId: account.id, loginId: account.loginId };
		const audit = (action: AuditAction, detail: Record<string, unknown> = {}) =>
			writeAudit(tx, actor, {
				tenantId: account.tenantId,
				action,
				targetType: 'account',
				targetId: account.id,
				ip: meta.ip ?? null,
				detail: { app, ...detail }
			});

		if (account.lockedUntil && account.lockedUntil.getTime() > Date.now()) {
			await audit('signin.refused_locked');
			return lockedError(account.lockedUntil);
		}

		const policy = await getPolicy(tx, account.tenantId);
		if (!(await verifyPassword(account.passwordHash, password))) {
			const r = await recordFailure(tx, account.id, policy.lockoutThreshold, policy.lockoutMinutes);
			await audit('signin.failed', { reason: 'wrong_password' });
			if (r.locked && r.lockedUntil) {
				await audit('account.locked', { minutes: policy.lockoutMinutes, lockedUntil: r.lockedUntil.toISOString() });
				return lockedError(r.lockedUntil);
			}
			return new Unauthorized('invalid_credentials', WRONG);
		}

		if (account.disabledAt) {
			await audit('signin.refused_disabled');
			return new Forbidden('account_disabled', 'This account has been disabled. Please contact your administrator.');
		}
		if (!APP_ROLES[app].includes(account.role)) {
			await audit('signin.refused_role', { role: account.role });
			return new Forbidden(
				'wrong_app',
				app === 'kiosk'
					? 'This account is not a kiosk account. Concierges and administrators sign in at the console.'
					: 'Kiosk accounts cannot sign in to the console. Sign in on the kiosk instead.'
			);
		}
		const passwordExpired =
			policy.passwordMaxAgeDays > 0 && account.passwordChangedAt.getTime() + policy.passwordMaxAgeDays * DAY < Date.now();
		if (passwordExpired && app === 'kiosk') {
			await audit('signin.refused_expired');
			return new Forbidden('password_expired', "This terminal's password has expired. Please ask your administrator to set a new one.");
		}

		await recordSuccess(tx, account.id);
		const { token, expiresAt } = await createSession(tx, account, app, meta);
		await audit('signin.success');
		return { token, expiresAt, role: account.role, passwordExpired };
	});
	if (outcome instanceof DomainError) throw outcome;
	return outcome;
}

function lockedError(until: Date): Locked {
	const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
	return new Locked(
		'account_locked',
		`This account is locked after too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask your administrator.`,
		{ lockedUntil: until.toISOString() }
	);
}
