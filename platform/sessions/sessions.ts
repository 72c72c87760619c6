/**
 * Sessions, following the Lucia guide: a random token in an HttpOnly cookie, only
 * its SHA-256 stored, and a sliding expiry pushed back as the session is used.
 */
import { config } from '../config.server.ts';
import { db, withTenant, type Sql } from '../db.server.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Actor, AppName } from '../types.ts';
import { generateSessionToken, isWellFormedToken, sessionIdFromToken } from './token.ts';
import { deleteAccountSessions, deleteSession, findSession, insertSession, tenantSessionHours, updateSessionExpiry } from './sessions.repo.ts';
import { ipAllowed } from '../policies/cidr.ts';

const HOUR = 60 * 60 * 1000;

/** A session's sliding lifetime and how much of it may pass before it is pushed back. */
function lifetime(sessionHours: number | null): { ms: number; renewAfterMs: number } {
	const { sessionDays, sessionRenewDays } = config();
	if (sessionHours === null) return { ms: sessionDays * DAY, renewAfterMs: (sessionDays - sessionRenewDays) * DAY };
	// A tenant's own lifetime (issue 11, item 4) is pushed back once half of it has passed.
	return { ms: sessionHours * HOUR, renewAfterMs: (sessionHours * HOUR) / 2 };
}

const DAY = 24 * 60 * 60 * 1000;

export interface Session {
	id: string;
	expiresAt: Date;
	/** True when expiry was just pushed back: the cookie should be re-sent. */
	fresh: boolean;
	/** True when the account's password is past the tenant's maximum age. */
	passwordExpired: boolean;
}

export interface SessionContext {
	session: Session;
	actor: Actor;
	tenant: { slug: string; name: string };
}

/** Create a session inside the caller's tenant transaction. Returns the token for the cookie. */
export async function createSession(
	tx: Sql,
	account: { id: string; tenantId: string },
	app: AppName,
	meta: { ip?: string | null; userAgent?: string | null } = {}
): Promise<{ token: string; expiresAt: Date }> {
	const token = generateSessionToken();
	const expiresAt = new Date(Date.now() + lifetime(await tenantSessionHours(tx, account.tenantId)).ms);
	await insertSession(tx, {
		id: sessionIdFromToken(token),
		tenantId: account.tenantId,
		accountId: account.id,
		app,
		expiresAt,
		ip: meta.ip ?? null,
		userAgent: meta.userAgent?.slice(0, 400) ?? null
	});
	return { token, expiresAt };
}

/**
 * Validate a cookie's token for one app. Returns null for anything that is not a
 * live session of an enabled account of that app: malformed, unknown, expired,
 * disabled, or a cookie of the other app.
 */
export async function validateSessionToken(token: unknown, app: AppName, ip?: string | null): Promise<SessionContext | null> {
	if (!isWellFormedToken(token)) return null;
	const id = sessionIdFromToken(token);
	const row = await findSession(db(), id);
	if (!row || row.app !== app) return null;
	// A suspended tenant's sessions are revoked when it is suspended; this covers a race with that.
	if (row.tenantSuspended) return null;
	if (row.disabledAt) {
		// Disabling revokes sessions; this only covers a race with that revocation.
		await withTenant(row.tenantId, (tx) => deleteSession(tx, id));
		return null;
	}
	const now = Date.now();
	let expiresAt = row.expiresAt;
	let fresh = false;
	if (now >= expiresAt.getTime()) {
		await withTenant(row.tenantId, (tx) => deleteSession(tx, id));
		return null;
	}
	// The tenant's IP allow-list binds concierge and admin sessions on every request,
	// so a change applies at once (issue 11, item 4). The session stays; a request from
	// an allowed address may still use it.
	if (row.app === 'console' && (row.role === 'concierge' || row.role === 'admin') && !ipAllowed(row.ipAllowList, ip)) return null;
	const life = lifetime(row.sessionHours);
	if (expiresAt.getTime() - now < life.ms - life.renewAfterMs) {
		expiresAt = new Date(now + life.ms);
		fresh = true;
		await withTenant(row.tenantId, (tx) => updateSessionExpiry(tx, id, expiresAt));
	}
	const passwordExpired = row.mustChangePassword || (row.passwordMaxAgeDays > 0 && row.passwordChangedAt.getTime() + row.passwordMaxAgeDays * DAY < now);
	return {
		session: { id, expiresAt, fresh, passwordExpired },
		actor: {
			accountId: row.accountId,
			tenantId: row.tenantId,
			role: row.role,
			loginId: row.loginId,
			displayName: row.displayName,
			ip: ip ?? null
		},
		tenant: { slug: row.tenantSlug, name: row.tenantName }
	};
}

/** Sign out: end this one session. */
export async function invalidateSession(actor: Actor, sessionId: string): Promise<void> {
	await withTenant(actor.tenantId, async (tx) => {
		await deleteSession(tx, sessionId);
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'session.signed_out',
			targetType: 'account',
			targetId: actor.accountId,
			ip: actor.ip ?? null
		});
	});
}

/** Revoke every session of an account (used on disable and password change). */
export async function revokeAccountSessions(tx: Sql, accountId: string): Promise<number> {
	return deleteAccountSessions(tx, accountId);
}
