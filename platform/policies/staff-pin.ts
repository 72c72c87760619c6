/**
 * The kiosk staff PIN check (issue 9, item 3), guarded like sign-in (accounts/sign-in.ts
 * checkPassword, migration 005): each attempt is reserved in the database before the PIN
 * is checked (staff_pin_throttle, migration 013), so however many arrive at once, from
 * however many app instances, no more than PIN_THRESHOLD are checked per window; argon2
 * runs with no database connection held; the PIN_THRESHOLD-th wrong PIN locks the kiosk's
 * PIN entry for PIN_LOCK_MINUTES, each further lock twice as long (at most a day) until a
 * right PIN, and the lock is written to the tenant's audit log. The state lives in the
 * database, so neither a restart nor a second app instance gives a guesser fresh tries.
 */
import { withTenant } from '../db.server.ts';
import { Forbidden, Invalid, RateLimited } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { burnPasswordCheck, verifyPassword } from '../accounts/password.ts';
import type { Actor } from '../types.ts';
import { readStaffPinHash } from './policies.repo.ts';
import { recordPinFailure, recordPinSuccess, reservePinAttempt } from './staff-pin.repo.ts';

/** A staff PIN: 4 to 8 digits. */
export const PIN = /^\d{4,8}$/;
/** Wrong PINs per window before PIN entry locks (the in-memory limiter's five tries, kept). */
export const PIN_THRESHOLD = 5;
/** The first lock's length; each further one (before a right PIN) is twice as long. */
export const PIN_LOCK_MINUTES = 5;
/** An unlocked window of attempts lasts this long. */
export const PIN_WINDOW_MINUTES = 60;

export const PIN_LOCKED_MESSAGE = 'Too many wrong PINs. The staff menu is locked for a while; try again later.';

/**
 * Check a staff PIN typed on a kiosk of the tenant: true when it is the tenant's PIN.
 * Throws Invalid (400, bad_pin) for anything that cannot be a PIN (not counted: it
 * cannot open anything) and RateLimited (429, pin_locked, detail.lockedUntil) while
 * this kiosk's PIN entry is locked.
 */
export async function checkStaffPin(actor: Actor, pin: unknown): Promise<boolean> {
	if (actor.role !== 'kiosk' && actor.role !== 'admin') throw new Forbidden('kiosk_only', 'Only a kiosk checks the staff PIN.');
	if (typeof pin !== 'string' || !PIN.test(pin)) throw new Invalid('bad_pin', 'The staff PIN is 4 to 8 digits.');
	const tenantId = actor.tenantId;
	const reserved = await withTenant(tenantId, async (tx) => {
		const r = await reservePinAttempt(tx, tenantId, actor.accountId, PIN_THRESHOLD, PIN_WINDOW_MINUTES);
		return { ...r, hash: r.allowed ? await readStaffPinHash(tx, tenantId) : null };
	});
	if (!reserved.allowed) throw new RateLimited('pin_locked', PIN_LOCKED_MESSAGE, reserved.lockedUntil ? { lockedUntil: reserved.lockedUntil.toISOString() } : {});
	// argon2 with no connection held; with no PIN set, a dummy check takes the same time.
	let ok = false;
	if (reserved.hash !== null) ok = await verifyPassword(reserved.hash, pin);
	else await burnPasswordCheck(pin);
	await withTenant(tenantId, async (tx) => {
		if (ok) return recordPinSuccess(tx, actor.accountId);
		const { lockedNow, failures } = await recordPinFailure(tx, actor.accountId, PIN_THRESHOLD, PIN_LOCK_MINUTES);
		if (lockedNow)
			await writeAudit(tx, actor, {
				tenantId,
				action: 'kiosk.staff_pin_locked',
				targetType: 'account',
				targetId: actor.accountId,
				ip: actor.ip ?? null,
				detail: { failures, lockedUntil: lockedNow.toISOString() }
			});
	});
	return ok;
}
