/**
 * Sign-in with login ID and password, for either app.
 *
 * Lockout (seed 002, hardened in issue 8): failures are counted per login ID and
 * source address (an IPv4 address or an IPv6 /64). The tenant's threshold of
 * failures (default 3) locks that source out of that login ID for the tenant's
 * period (default 15 minutes), each further lock twice as long; other sources,
 * the owner's included, are not affected. Each attempt is reserved in the database
 * before its password is checked, so however many arrive at once no more than the
 * threshold are checked per window; argon2 runs with no database connection held.
 * A locked-out source is told exactly what a wrong password is told, so the lock
 * reveals nothing; failures are answered after an escalating delay; failures from
 * many sources raise an `account.lock_alert` in the tenant's audit log.
 *
 * Unknown login IDs take the same path (reservation, a dummy argon2 check, the
 * same refusal bookkeeping), so they cannot be told from existing ones by answer
 * or time. "Disabled", "wrong app" and "expired" are told only to someone who
 * knows the password.
 */
import { db, withTenant } from '../db.server.ts';
import { DomainError, Forbidden, Invalid, Unauthorized } from '../errors.ts';
import { cleanIp, writeAudit, type AuditAction } from '../audit/audit.ts';
import { createSession } from '../sessions/sessions.ts';
import { APP_ROLES, type AppName, type Role } from '../types.ts';
import { ipKey } from '../web/rate-limit.ts';
import { metrics } from '../metrics.ts';
import { getAccount, getPolicy, recordSignInRefusal, recordSignInSuccess, reserveSignIn } from './accounts.repo.ts';
import { MAX_PASSWORD_LENGTH, burnPasswordCheck, verifyPassword } from './password.ts';
import { ipAllowed } from '../policies/cidr.ts';

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

/** Failures from this many distinct sources within an hour raise account.lock_alert. */
export const ALERT_SOURCES = 5;

/** Normalise and check the shape of a login ID. Returns null if it cannot be one. */
export function parseLoginId(v: unknown): string | null {
	if (typeof v !== 'string') return null;
	const id = v.trim().toLowerCase();
	return /^[a-z0-9][a-z0-9._@-]{2,63}$/.test(id) ? id : null;
}

/**
 * How long to wait before answering a failure, given the login ID's failures in
 * the last hour from every source (this one included): nothing for the first,
 * then 250 ms doubling up to 3 s. A person who mistypes once is not slowed; a
 * guesser spread over many addresses is.
 */
export function failureDelayMs(recentFailures: number): number {
	if (recentFailures <= 1) return 0;
	return Math.min(3000, 250 * 2 ** Math.min(recentFailures - 2, 10));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Also what a locked-out source is told: the hint serves the owner without
// telling anyone whether a lock is in place.
const WRONG = 'The login ID or password is incorrect. After repeated wrong tries, sign-in from this device pauses for a while.';

/** What anyone of a suspended tenant is told (after a correct password or code). */
export const SUSPENDED = "Your organisation's service is suspended. Please contact your administrator or the service provider.";

export async function signIn(app: AppName, input: SignInInput, meta: SignInMeta = {}): Promise<SignInResult> {
	if (typeof input.loginId !== 'string' || input.loginId.trim() === '') throw new Invalid('login_id_required', 'Enter your login ID.');
	if (typeof input.password !== 'string' || input.password === '') throw new Invalid('password_required', 'Enter your password.');
	const password = input.password;
	const loginId = parseLoginId(input.loginId);
	if (!loginId || password.length > MAX_PASSWORD_LENGTH) {
		await burnPasswordCheck(password.slice(0, MAX_PASSWORD_LENGTH));
		metrics.signInFailed(app, false);
		throw new Unauthorized('invalid_credentials', WRONG);
	}
	const source = ipKey(meta.ip);
	const ip = cleanIp(meta.ip);

	const check = await checkPassword({ loginId, source, ip, password, detail: { app } });
	if (!check.ok) {
		metrics.signInFailed(app, check.lockedNow);
		throw new Unauthorized('invalid_credentials', WRONG);
	}
	const found = { accountId: check.accountId, tenantId: check.tenantId };

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
				ip,
				detail: { app, ...detail }
			});
		const policy = await getPolicy(tx, account.tenantId);

		if (policy.suspendedAt && account.role !== 'operator') {
			await audit('signin.refused_suspended');
			return new Forbidden('tenant_suspended', SUSPENDED);
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
		// The tenant's IP allow-list (issue 11, item 4), told only to someone who knows the password.
		if (app === 'console' && (account.role === 'concierge' || account.role === 'admin') && !ipAllowed(policy.ipAllowList, meta.ip)) {
			await audit('signin.refused_ip');
			return new Forbidden(
				'ip_not_allowed',
				'Sign-in from this network is not allowed for your organisation. Connect from an approved network, or ask your administrator to add this address to the allow-list.'
			);
		}
		const passwordExpired = account.mustChangePassword || (policy.passwordMaxAgeDays > 0 && account.passwordChangedAt.getTime() + policy.passwordMaxAgeDays * DAY < Date.now());
		if (passwordExpired && app === 'kiosk') {
			await audit('signin.refused_expired');
			return new Forbidden('password_expired', "This terminal's password has expired. Please ask your administrator to set a new one.");
		}

		const { token, expiresAt } = await createSession(tx, account, app, meta);
		await audit('signin.success');
		return { token, expiresAt, role: account.role, passwordExpired };
	});
	if (outcome instanceof DomainError) throw outcome;
	return outcome;
}

export type PasswordCheck = { ok: true; accountId: string; tenantId: string } | { ok: false; lockedOut: boolean; lockedNow: boolean };

/**
 * The one guarded password check, for sign-in and for "current password" on the
 * change-password page: reserve the attempt (refused unchecked once the source has
 * used its tries), verify with no connection held, then record the outcome. A
 * refusal is answered only after the escalating delay, and takes as long as a
 * check (a dummy argon2 run) so a lock cannot be told from a wrong password.
 */
export async function checkPassword(r: { loginId: string; source: string; ip: string | null; password: string; detail: Record<string, unknown> }): Promise<PasswordCheck> {
	const reservation = await reserveSignIn(db(), r.loginId, r.source);
	let ok = false;
	if (reservation.allowed && reservation.passwordHash) ok = await verifyPassword(reservation.passwordHash, r.password);
	else await burnPasswordCheck(r.password);
	if (ok && reservation.accountId && reservation.tenantId) {
		await recordSignInSuccess(db(), r.loginId, r.source);
		return { ok: true, accountId: reservation.accountId, tenantId: reservation.tenantId };
	}
	const refusal = await recordSignInRefusal(db(), {
		loginId: r.loginId,
		source: r.source,
		ip: r.ip,
		checked: reservation.allowed,
		detail: { ...r.detail, reason: reservation.allowed ? 'wrong_password' : 'source_locked' },
		alertSources: ALERT_SOURCES
	});
	await sleep(failureDelayMs(refusal.recentFailures));
	return { ok: false, lockedOut: !reservation.allowed || refusal.lockedNow, lockedNow: refusal.lockedNow };
}
