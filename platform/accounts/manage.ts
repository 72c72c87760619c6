/**
 * Account management for tenant admins (issue 11, item 2): edit the display name,
 * reset a password (a concierge or admin must change it at the next sign-in), archive
 * (the account and everything that refers to it stay; its login ID is freed only when
 * the admin confirms by typing it), concierge photos, and search with filters.
 * Disable and enable are in disable.ts.
 */
import { withTenant, type Sql } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, NotFound, TooLarge, UnsupportedMediaType } from '../errors.ts';
import { writeAudit, type AuditAction } from '../audit/audit.ts';
import { isUuid } from '../ids.ts';
import { revokeAccountSessions } from '../sessions/sessions.ts';
import { publish } from '../events/events.ts';
import { voidLiveCodes } from '../enrolment/enrolment.repo.ts';
import { conciergeRemoved } from '../calls/index.ts';
import { ROLES, type Actor, type Role } from '../types.ts';
import { getAccount, getPhoto, getPolicy, listAccountRows, markArchived, setDisplayName, setPasswordHash, setPhoto, type AccountRow } from './accounts.repo.ts';
import { MAX_PASSWORD_LENGTH, hashPassword, passwordProblems } from './password.ts';

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin') throw new Forbidden('admin_only', 'Only administrators can manage accounts.');
}

/** The account, in the admin's tenant, that the admin may change (not themselves, never an operator). */
async function target(tx: Sql, actor: Actor, accountId: string, self: 'allow' | 'refuse'): Promise<AccountRow> {
	const a = await getAccount(tx, accountId);
	if (!a) throw new NotFound('account_not_found', 'That account is not in your organisation.');
	if (a.role === 'operator') throw new Forbidden('operator_account', 'Only platform operators can change operator accounts.');
	if (self === 'refuse' && a.id === actor.accountId) throw new Forbidden('self_change', 'You cannot do this to your own account.');
	return a;
}

const audit = (tx: Sql, actor: Actor, action: AuditAction, a: AccountRow, detail: Record<string, unknown> = {}) =>
	writeAudit(tx, actor, { tenantId: actor.tenantId, action, targetType: 'account', targetId: a.id, ip: actor.ip ?? null, detail: { loginId: a.loginId, ...detail } });

function checkId(id: unknown): string {
	if (!isUuid(id)) throw new Invalid('bad_account', 'Choose an account.');
	return id;
}

export async function editDisplayName(actor: Actor, accountId: unknown, displayName: unknown): Promise<void> {
	requireAdmin(actor);
	const id = checkId(accountId);
	if (typeof displayName !== 'string' || !displayName.trim() || displayName.length > 200) throw new Invalid('bad_display_name', 'Enter a display name of at most 200 characters.');
	const name = displayName.trim();
	await withTenant(actor.tenantId, async (tx) => {
		const a = await target(tx, actor, id, 'allow');
		if (a.archivedAt) throw new Conflict('archived', 'This account is archived.');
		await setDisplayName(tx, a.id, name);
		await audit(tx, actor, 'account.renamed', a, { from: a.displayName, to: name });
	});
}

/**
 * Set a new password chosen by the admin. Concierges and admins must change it at
 * their next sign-in (kiosks cannot, so theirs stands). Every session of the
 * account ends and a live enrolment code is voided.
 */
export async function resetPassword(actor: Actor, accountId: unknown, password: unknown): Promise<{ mustChange: boolean }> {
	requireAdmin(actor);
	const id = checkId(accountId);
	if (typeof password !== 'string' || !password || password.length > MAX_PASSWORD_LENGTH) throw new Invalid('password_required', 'Enter the new password.');
	const pre = await withTenant(actor.tenantId, async (tx) => ({ a: await target(tx, actor, id, 'refuse'), policy: await getPolicy(tx, actor.tenantId) }));
	const problems = passwordProblems(
		{ minLength: pre.policy.passwordMinLength, minClasses: pre.policy.passwordMinClasses, maxAgeDays: pre.policy.passwordMaxAgeDays },
		password,
		pre.a.loginId
	);
	if (problems.length) throw new Invalid('weak_password', problems.join(' '));
	const hash = await hashPassword(password);
	return withTenant(actor.tenantId, async (tx) => {
		const a = await target(tx, actor, id, 'refuse');
		if (a.archivedAt) throw new Conflict('archived', 'This account is archived.');
		const mustChange = a.role !== 'kiosk';
		await setPasswordHash(tx, a.id, hash, mustChange);
		const revoked = await revokeAccountSessions(tx, a.id);
		await voidLiveCodes(tx, a.id, 'revoked');
		await audit(tx, actor, 'account.password_reset', a, { mustChange, revokedSessions: revoked });
		return { mustChange };
	});
}

/**
 * Archive an account: it is disabled for good and its sessions end, but it and its
 * history stay. With `confirmLoginId` equal to its login ID, the login ID is freed
 * for a new account (the archived one is renamed `archived.<id>`).
 */
export async function archiveAccount(actor: Actor, accountId: unknown, confirmLoginId?: unknown): Promise<{ freed: boolean }> {
	requireAdmin(actor);
	const id = checkId(accountId);
	if (confirmLoginId !== undefined && confirmLoginId !== '' && typeof confirmLoginId !== 'string') throw new Invalid('bad_confirmation', 'Type the login ID to free it.');
	return withTenant(actor.tenantId, async (tx) => {
		const a = await target(tx, actor, id, 'refuse');
		const wantsFree = typeof confirmLoginId === 'string' && confirmLoginId !== '';
		if (wantsFree && confirmLoginId.trim().toLowerCase() !== a.loginId) throw new Invalid('confirmation_mismatch', `To free the login ID, type it exactly: ${a.loginId}`);
		if (a.archivedAt && (!wantsFree || a.archivedLoginId)) return { freed: a.archivedLoginId !== null };
		await markArchived(tx, a.id, actor.accountId, wantsFree);
		await revokeAccountSessions(tx, a.id);
		await voidLiveCodes(tx, a.id, 'account_disabled');
		if (!a.disabledAt) await publish(tx, { tenantId: actor.tenantId, account: a.id }, { type: 'account.disabled', data: {} });
		if (!a.disabledAt && a.role === 'concierge') await conciergeRemoved(tx, actor.tenantId, a.id);
		await audit(tx, actor, 'account.archived', a, { freedLoginId: wantsFree });
		return { freed: wantsFree };
	});
}

export const MAX_PHOTO_BYTES = 512 * 1024;

/** The image type of some bytes by their signature (PNG, JPEG, WebP), or null. SVG and anything else are refused. */
export function imageType(b: Uint8Array): 'image/png' | 'image/jpeg' | 'image/webp' | null {
	if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
	if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
	if (b.length >= 12 && String.fromCharCode(...b.slice(0, 4)) === 'RIFF' && String.fromCharCode(...b.slice(8, 12)) === 'WEBP') return 'image/webp';
	return null;
}

/** Set (or with null, remove) a concierge's photo: PNG, JPEG or WebP, at most 512 KB, checked by content. */
export async function setConciergePhoto(actor: Actor, accountId: unknown, file: Blob | null): Promise<void> {
	requireAdmin(actor);
	const id = checkId(accountId);
	let bytes: Uint8Array | null = null;
	let type: string | null = null;
	if (file) {
		if (file.size === 0) throw new Invalid('photo_required', 'Choose an image file.');
		if (file.size > MAX_PHOTO_BYTES) throw new TooLarge('photo_too_large', 'The photo is larger than 512 KB. Choose a smaller image.');
		bytes = new Uint8Array(await file.arrayBuffer());
		type = imageType(bytes);
		if (!type) throw new UnsupportedMediaType('photo_type', 'The photo must be a PNG, JPEG or WebP image.');
	}
	await withTenant(actor.tenantId, async (tx) => {
		const a = await target(tx, actor, id, 'allow');
		if (a.role !== 'concierge') throw new Invalid('not_a_concierge', 'Only concierges have a photo.');
		await setPhoto(tx, a.id, bytes, type);
		await audit(tx, actor, 'account.photo_changed', a, { removed: bytes === null });
	});
}

/** A concierge's photo, for anyone signed in to the same tenant. */
export async function conciergePhoto(actor: Actor, accountId: unknown): Promise<{ photo: Uint8Array; type: string; updatedAt: Date }> {
	const id = checkId(accountId);
	const p = await withTenant(actor.tenantId, (tx) => getPhoto(tx, id));
	if (!p) throw new NotFound('photo_not_found', 'No photo.');
	return p;
}

export type AccountState = 'active' | 'disabled' | 'locked' | 'archived';

export interface AccountListItem {
	id: string;
	loginId: string;
	displayName: string;
	role: Role;
	state: AccountState;
	lockedUntil: Date | null;
	mustChangePassword: boolean;
	hasPhoto: boolean;
	archivedLoginId: string | null;
	createdAt: Date;
	permissions?: { canShareScreen: boolean; canViewKioskScreen: boolean };
}

export interface AccountQuery {
	q: string | null;
	role: Role | null;
	state: AccountState | null;
}

export function parseAccountQuery(p: URLSearchParams): AccountQuery {
	const q = (p.get('q') ?? '').trim().toLowerCase().slice(0, 64) || null;
	const role = p.get('role') || null;
	if (role !== null && !(ROLES as readonly string[]).includes(role)) throw new Invalid('bad_role', 'Unknown role.');
	const state = p.get('state') || null;
	if (state !== null && !['active', 'disabled', 'locked', 'archived'].includes(state)) throw new Invalid('bad_state', 'Unknown state.');
	return { q, role: role as Role | null, state: state as AccountState | null };
}

/** An account as the admin pages show it: its state (archived, disabled, locked, active) worked out at `now`. */
function listItem(a: AccountRow, now: number): AccountListItem {
	const locked = a.lockedUntil && a.lockedUntil.getTime() > now ? a.lockedUntil : null;
	const state: AccountState = a.archivedAt ? 'archived' : a.disabledAt ? 'disabled' : locked ? 'locked' : 'active';
	return {
		id: a.id,
		loginId: a.loginId,
		displayName: a.displayName,
		role: a.role,
		state,
		lockedUntil: locked,
		mustChangePassword: a.mustChangePassword,
		hasPhoto: a.hasPhoto,
		archivedLoginId: a.archivedLoginId,
		createdAt: a.createdAt,
		...(a.role === 'concierge' ? { permissions: { canShareScreen: a.canShareScreen, canViewKioskScreen: a.canViewKioskScreen } } : {})
	};
}

/** One account of the admin's tenant, as the account page shows it (404 for any other id). */
export async function accountDetail(actor: Actor, id: unknown): Promise<AccountListItem> {
	requireAdmin(actor);
	const row = isUuid(id) ? await withTenant(actor.tenantId, (tx) => getAccount(tx, id)) : null;
	if (!row) throw new NotFound('account_not_found', 'That account is not in your organisation.');
	return listItem(row, Date.now());
}

/** The tenant's accounts, matching a partial login ID or name, a role and a state. Archived ones only when asked for. */
export async function searchAccounts(actor: Actor, query: AccountQuery): Promise<AccountListItem[]> {
	requireAdmin(actor);
	const rows = await withTenant(actor.tenantId, (tx) => listAccountRows(tx));
	const now = Date.now();
	return rows
		.map((a) => listItem(a, now))
		.filter((a) => (query.state ? a.state === query.state : a.state !== 'archived'))
		.filter((a) => !query.role || a.role === query.role)
		.filter((a) => !query.q || a.loginId.includes(query.q) || a.displayName.toLowerCase().includes(query.q) || (a.archivedLoginId ?? '').includes(query.q));
}
