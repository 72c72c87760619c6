import type { Sql } from '../db.server.ts';

/** One kiosk's staff-PIN window (staff_pin_throttle, migration 013). */
export interface PinReservation {
	/** May this attempt's PIN be checked? */
	allowed: boolean;
	lockedUntil: Date | null;
}

/**
 * Reserve one staff-PIN attempt for a kiosk before its PIN is checked (the pattern of
 * auth_signin_reserve, migration 005): the kiosk's row is locked (FOR UPDATE) while the
 * decision is made, so concurrent attempts are counted one after another and no more
 * than `threshold` are allowed per window. A new window starts once a lock has run
 * out, or when an unlocked window is older than `windowMinutes`.
 */
export async function reservePinAttempt(tx: Sql, tenantId: string, kioskId: string, threshold: number, windowMinutes: number): Promise<PinReservation> {
	await tx`insert into staff_pin_throttle (kiosk_account_id, tenant_id) values (${kioskId}, ${tenantId}) on conflict (kiosk_account_id) do nothing`;
	const [r] = await tx<{ attempts: number; lockedUntil: Date | null; expired: boolean }[]>`
		select attempts, locked_until as "lockedUntil",
		       (locked_until is not null and locked_until <= now())
		       or (locked_until is null and window_started_at < now() - make_interval(mins => ${windowMinutes})) as expired
		from staff_pin_throttle where kiosk_account_id = ${kioskId} for update`;
	if (!r) throw new Error('staff_pin_throttle row missing after insert');
	if (r.expired) {
		await tx`update staff_pin_throttle set attempts = 1, failures = 0, locked_until = null, window_started_at = now() where kiosk_account_id = ${kioskId}`;
		return { allowed: true, lockedUntil: null };
	}
	if (r.lockedUntil !== null || r.attempts >= threshold) return { allowed: false, lockedUntil: r.lockedUntil };
	await tx`update staff_pin_throttle set attempts = attempts + 1 where kiosk_account_id = ${kioskId}`;
	return { allowed: true, lockedUntil: null };
}

/**
 * A reserved attempt turned out wrong: count it; the threshold-th failure of the window
 * locks PIN entry for `lockMinutes` × 2^(earlier locks), at most a day. Returns the new
 * lock's end when this failure set it.
 */
export async function recordPinFailure(tx: Sql, kioskId: string, threshold: number, lockMinutes: number): Promise<{ lockedNow: Date | null; failures: number }> {
	const [r] = await tx<{ failures: number; locked: boolean }[]>`
		select failures, locked_until is not null and locked_until > now() as locked from staff_pin_throttle where kiosk_account_id = ${kioskId} for update`;
	if (!r) return { lockedNow: null, failures: 0 };
	const failures = r.failures + 1;
	if (failures < threshold || r.locked) {
		await tx`update staff_pin_throttle set failures = ${failures} where kiosk_account_id = ${kioskId}`;
		return { lockedNow: null, failures };
	}
	const [l] = await tx<{ lockedUntil: Date }[]>`
		update staff_pin_throttle set failures = ${failures}, locks = locks + 1,
			locked_until = now() + least(make_interval(mins => ${lockMinutes}) * power(2, least(locks, 10)), interval '1 day')
		where kiosk_account_id = ${kioskId} returning locked_until as "lockedUntil"`;
	return { lockedNow: l!.lockedUntil, failures };
}

/** A right PIN: the window's settled attempts, failures and lock history end. */
export async function recordPinSuccess(tx: Sql, kioskId: string): Promise<void> {
	await tx`update staff_pin_throttle set attempts = greatest(attempts - failures - 1, 0), failures = 0, locks = 0, locked_until = null where kiosk_account_id = ${kioskId}`;
}

/** A new PIN (set by the admin) lifts every kiosk's lock in the tenant. */
export async function clearPinThrottle(tx: Sql, tenantId: string): Promise<void> {
	await tx`delete from staff_pin_throttle where tenant_id = ${tenantId}`;
}
