/**
 * Tenant policies on one settings page (issue 11, item 4): password policy and
 * expiry, lockout, session lifetime, ring timeout, business hours with holidays and
 * the kiosk's closed message, the kiosk staff PIN (hashed), and the IP allow-list
 * for concierge and admin sign-in and sessions.
 *
 * The allow-list is checked at sign-in (accounts/sign-in.ts) and on every request of
 * a live console session (sessions/sessions.ts reads the tenant's list with the
 * session, so a change applies to the next request at once). Saving a list also
 * revokes staff sessions signed in from outside it, which ends their event streams.
 * An admin cannot save a list that leaves out the address they are using.
 */
import { withTenant } from '../db.server.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { publish, publishSessionEnded } from '../events/events.ts';
import { hashPassword } from '../accounts/password.ts';
import type { Actor } from '../types.ts';
import { ipAllowed, parseCidr, parseIp } from './cidr.ts';
import { hoursProblems, isOpen, validTimeZone, type WeekHours } from './hours.ts';
import { clearPinThrottle } from './staff-pin.repo.ts';
import { PIN } from './staff-pin.ts';
import { deleteSessions, readPolicy, staffConsoleSessions, writePolicy, writeStaffPin, type PolicyRow } from './policies.repo.ts';

export type Policy = PolicyRow;

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin') throw new Forbidden('admin_only', 'Only administrators can change the organisation’s settings.');
}

export async function readPolicies(actor: Actor): Promise<Policy> {
	requireAdmin(actor);
	const p = await withTenant(actor.tenantId, (tx) => readPolicy(tx, actor.tenantId));
	if (!p) throw new NotFound('tenant_not_found', 'Your organisation could not be found.');
	return p;
}

function int(input: Record<string, unknown>, name: string, label: string, min: number, max: number, optional = false): number | null {
	const v = input[name];
	if (optional && (v === undefined || v === null || v === '')) return null;
	if (typeof v !== 'string' && typeof v !== 'number') throw new Invalid('bad_' + name, `${label}: enter a whole number from ${min} to ${max}.`);
	const s = String(v).trim();
	if (!/^\d{1,6}$/.test(s) || Number(s) < min || Number(s) > max) throw new Invalid('bad_' + name, `${label}: enter a whole number from ${min} to ${max}.`);
	return Number(s);
}

function text(input: Record<string, unknown>, name: string, max: number): string {
	const v = input[name] ?? '';
	if (typeof v !== 'string' || v.length > max) throw new Invalid('bad_' + name, `The ${name} field is text of at most ${max} characters.`);
	return v;
}

/** The allow-list as typed (one range per line, or comma-separated), normalised; the bad entries named. */
export function parseAllowList(raw: string): string[] {
	const entries = raw.split(/[\s,]+/).filter(Boolean);
	if (entries.length > 100) throw new Invalid('bad_ip_allow_list', 'The allow-list holds at most 100 ranges.');
	const bad = entries.filter((e) => !parseCidr(e));
	if (bad.length)
		throw new Invalid(
			'bad_ip_allow_list',
			`Not an IPv4 or IPv6 address or range: ${bad
				.slice(0, 5)
				.map((b) => `"${b.slice(0, 60)}"`)
				.join(', ')}. Write ranges as 192.0.2.0/24 or 2001:db8::/48 (host bits zero).`
		);
	return [...new Set(entries.map((e) => parseCidr(e)!.text))];
}

function parseHours(input: Record<string, unknown>): WeekHours {
	const hours: WeekHours = {};
	for (let d = 0; d < 7; d++) {
		const open = text(input, `open${d}`, 5).trim();
		const close = text(input, `close${d}`, 5).trim();
		if (!open && !close) continue;
		hours[String(d)] = [open, close];
	}
	const problems = hoursProblems(hours);
	if (problems.length) throw new Invalid('bad_business_hours', problems[0]!);
	return hours;
}

function parseHolidays(raw: string): string[] {
	const days = raw.split(/[\s,]+/).filter(Boolean);
	if (days.length > 400) throw new Invalid('bad_holidays', 'At most 400 holidays.');
	for (const d of days)
		if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(d + 'T00:00:00Z')) || new Date(d + 'T00:00:00Z').toISOString().slice(0, 10) !== d)
			throw new Invalid('bad_holidays', `Not a date: "${d.slice(0, 20)}". Write holidays as YYYY-MM-DD.`);
	return [...new Set(days)].sort();
}

export interface PolicyUpdate {
	policy: Policy;
	/** Staff sessions revoked because they were signed in from outside the new list. */
	revokedSessions: number;
}

/**
 * Save the settings page. Every field is validated first (a clear 400 naming the
 * field; nothing saved). The allow-list must contain the admin's own address.
 */
export async function updatePolicies(actor: Actor, input: Record<string, unknown>): Promise<PolicyUpdate> {
	requireAdmin(actor);
	const next: Omit<Policy, 'staffPinSet'> = {
		passwordMinLength: int(input, 'passwordMinLength', 'Minimum password length', 8, 128)!,
		passwordMinClasses: int(input, 'passwordMinClasses', 'Character classes', 1, 4)!,
		passwordMaxAgeDays: int(input, 'passwordMaxAgeDays', 'Password expiry (days, 0 = never)', 0, 3650)!,
		lockoutThreshold: int(input, 'lockoutThreshold', 'Failed sign-ins before a lock', 1, 100)!,
		lockoutMinutes: int(input, 'lockoutMinutes', 'Lock duration (minutes)', 1, 10080)!,
		sessionHours: int(input, 'sessionHours', 'Session lifetime (hours)', 1, 8760, true),
		ringTimeoutSeconds: int(input, 'ringTimeoutSeconds', 'Ring timeout (seconds)', 5, 600, true),
		ipAllowList: parseAllowList(text(input, 'ipAllowList', 8000)),
		timeZone: text(input, 'timeZone', 64).trim() || 'Asia/Tokyo',
		businessHours: parseHours(input),
		holidays: parseHolidays(text(input, 'holidays', 8000)),
		closedMessage: text(input, 'closedMessage', 500).trim()
	};
	if (!validTimeZone(next.timeZone)) throw new Invalid('bad_timeZone', `Unknown time zone "${next.timeZone.slice(0, 64)}". Use an IANA name such as Asia/Tokyo.`);
	if (next.ipAllowList.length && !ipAllowed(next.ipAllowList, actor.ip)) {
		const mine = parseIp(actor.ip) ? actor.ip : 'unknown';
		throw new Invalid(
			'allow_list_excludes_you',
			`This list does not include the address you are using now (${mine}). Saving it would sign you out and lock you out. Add your address or its range to the list first.`
		);
	}
	return withTenant(actor.tenantId, async (tx) => {
		const before = await readPolicy(tx, actor.tenantId);
		if (!before) throw new NotFound('tenant_not_found', 'Your organisation could not be found.');
		await writePolicy(tx, actor.tenantId, next);
		let revoked: { id: string; accountId: string }[] = [];
		if (next.ipAllowList.length) {
			revoked = (await staffConsoleSessions(tx)).filter((s) => !ipAllowed(next.ipAllowList, s.ip));
			await deleteSessions(
				tx,
				revoked.map((s) => s.id)
			);
			for (const s of revoked) await publishSessionEnded(tx, { tenantId: actor.tenantId, accountId: s.accountId }, s.id, 'revoked');
		}
		const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(before[k]));
		// The kiosks' call buttons follow the hours at once (each reads its snapshot again).
		if (changed.some((k) => k === 'businessHours' || k === 'holidays' || k === 'timeZone' || k === 'closedMessage'))
			await publish(tx, { tenantId: actor.tenantId, audience: 'kiosks' }, { type: 'hours.changed', data: {} });
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'tenant.policy_changed',
			targetType: 'tenant',
			targetId: actor.tenantId,
			ip: actor.ip ?? null,
			detail: { changed, ...(changed.includes('ipAllowList') ? { ipAllowList: next.ipAllowList } : {}), revokedSessions: revoked.length }
		});
		return { policy: { ...next, staffPinSet: before.staffPinSet }, revokedSessions: revoked.length };
	});
}

/** Set (4 to 8 digits) or clear (empty) the kiosk staff PIN; only its argon2id hash is kept. */
export async function setStaffPin(actor: Actor, pin: unknown): Promise<boolean> {
	requireAdmin(actor);
	if (typeof pin !== 'string' || (pin !== '' && !PIN.test(pin))) throw new Invalid('bad_pin', 'The staff PIN is 4 to 8 digits (leave it empty to remove it).');
	const hash = pin === '' ? null : await hashPassword(pin);
	await withTenant(actor.tenantId, async (tx) => {
		await writeStaffPin(tx, actor.tenantId, hash);
		// A new PIN lifts the kiosks' PIN locks (the guesses were against the old one).
		await clearPinThrottle(tx, actor.tenantId);
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'tenant.staff_pin_changed',
			targetType: 'tenant',
			targetId: actor.tenantId,
			ip: actor.ip ?? null,
			detail: { set: hash !== null }
		});
	});
	return hash !== null;
}

/** The staff PIN check on a kiosk, guarded against guessing: platform/policies/staff-pin.ts. */
export { checkStaffPin } from './staff-pin.ts';

/** Whether a kiosk of the tenant may call now, and the message to show when not. */
export async function kioskOpenState(actor: Actor, now = new Date()): Promise<{ open: boolean; message: string }> {
	const p = await withTenant(actor.tenantId, (tx) => readPolicy(tx, actor.tenantId));
	if (!p) return { open: true, message: '' };
	const open = isOpen(p, now);
	return { open, message: open ? '' : p.closedMessage || 'We are closed now. Please come back during business hours.' };
}
