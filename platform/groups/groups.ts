/**
 * Concierge groups (issue 11, item 2), e.g. by language. An admin creates, renames
 * and deletes groups, sets each group's overflow delay, chooses its concierges (a
 * concierge may be in several groups) and puts kiosks in a group (one each). The
 * ringing itself follows the groups in platform/calls/queue.ts.
 *
 * Every id comes from outside: an id that is not a uuid, or names no row of the
 * admin's own tenant (row-level security hides the others), is "not found" and
 * changes nothing.
 */
import { withTenant } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { isUuid } from '../ids.ts';
import { listAccountRows } from '../accounts/accounts.repo.ts';
import type { Actor } from '../types.ts';
import * as repo from './groups.repo.ts';

export type { GroupListing } from './groups.repo.ts';

/** The longest overflow delay an admin can set, in seconds. */
export const MAX_OVERFLOW_SECONDS = 600;

export interface GroupsPage {
	groups: repo.GroupListing[];
	concierges: { id: string; loginId: string; displayName: string; disabled: boolean }[];
	kiosks: { id: string; loginId: string; displayName: string; groupId: string | null }[];
}

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin') throw new Forbidden('admin_only', 'Only administrators can manage concierge groups.');
}

function parseName(v: unknown): string {
	if (typeof v !== 'string') throw new Invalid('bad_group_name', 'Enter a name for the group.');
	const name = v.trim().replace(/\s+/g, ' ');
	if (name.length < 1 || name.length > 60) throw new Invalid('bad_group_name', 'A group name has 1 to 60 characters.');
	if (/[\u0000-\u001f\u007f]/.test(name)) throw new Invalid('bad_group_name', 'A group name cannot contain control characters.');
	return name;
}

/** Seconds as a whole number 0..600, given as a number or as the digits of a form field. */
export function parseOverflowSeconds(v: unknown): number {
	const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,4}\s*$/.test(v) ? Number(v) : NaN;
	if (!Number.isInteger(n) || n < 0 || n > MAX_OVERFLOW_SECONDS)
		throw new Invalid('bad_overflow', `The overflow delay is a whole number of seconds from 0 to ${MAX_OVERFLOW_SECONDS}.`);
	return n;
}

function parseGroupId(v: unknown): string {
	if (!isUuid(v)) throw new NotFound('group_not_found', 'That group does not exist.');
	return v;
}

const notFound = () => new NotFound('group_not_found', 'That group does not exist.');

/** Groups with their concierges and kiosks, and the accounts that can be put in them. */
export async function groupsPage(actor: Actor): Promise<GroupsPage> {
	requireAdmin(actor);
	return withTenant(actor.tenantId, async (tx) => {
		const groups = await repo.listGroups(tx);
		const groupOfKiosk = new Map<string, string>();
		for (const g of groups) for (const k of g.kioskIds) groupOfKiosk.set(k, g.id);
		const accounts = (await listAccountRows(tx)).filter((a) => !a.archivedAt);
		return {
			groups,
			concierges: accounts.filter((a) => a.role === 'concierge').map((a) => ({ id: a.id, loginId: a.loginId, displayName: a.displayName, disabled: a.disabledAt !== null })),
			kiosks: accounts.filter((a) => a.role === 'kiosk').map((a) => ({ id: a.id, loginId: a.loginId, displayName: a.displayName, groupId: groupOfKiosk.get(a.id) ?? null }))
		};
	});
}

/** Create a group. Names are unique in a tenant, ignoring case. */
export async function createGroup(actor: Actor, input: { name: unknown; overflowSeconds: unknown }): Promise<repo.GroupRow> {
	requireAdmin(actor);
	const name = parseName(input.name);
	const overflowSeconds = parseOverflowSeconds(input.overflowSeconds);
	return withTenant(actor.tenantId, async (tx) => {
		if (await repo.nameTaken(tx, name, null)) throw new Conflict('group_name_taken', `There is already a group named “${name}”.`);
		const g = await repo.insertGroup(tx, { tenantId: actor.tenantId, name, overflowSeconds });
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'group.created',
			targetType: 'group',
			targetId: g.id,
			ip: actor.ip ?? null,
			detail: { name, overflowSeconds }
		});
		return g;
	});
}

/** Rename a group and set its overflow delay. */
export async function updateGroup(actor: Actor, groupId: unknown, input: { name: unknown; overflowSeconds: unknown }): Promise<repo.GroupRow> {
	requireAdmin(actor);
	const id = parseGroupId(groupId);
	const name = parseName(input.name);
	const overflowSeconds = parseOverflowSeconds(input.overflowSeconds);
	return withTenant(actor.tenantId, async (tx) => {
		const before = await repo.getGroup(tx, id, { forUpdate: true });
		if (!before) throw notFound();
		if (await repo.nameTaken(tx, name, id)) throw new Conflict('group_name_taken', `There is already a group named “${name}”.`);
		await repo.updateGroup(tx, id, { name, overflowSeconds });
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'group.changed',
			targetType: 'group',
			targetId: id,
			ip: actor.ip ?? null,
			detail: { from: { name: before.name, overflowSeconds: before.overflowSeconds }, to: { name, overflowSeconds } }
		});
		return { ...before, name, overflowSeconds };
	});
}

/** Delete a group: its kiosks ring every concierge again; calls ringing it overflow at once. */
export async function deleteGroup(actor: Actor, groupId: unknown): Promise<void> {
	requireAdmin(actor);
	const id = parseGroupId(groupId);
	await withTenant(actor.tenantId, async (tx) => {
		const g = await repo.getGroup(tx, id, { forUpdate: true });
		if (!g) throw notFound();
		await repo.deleteGroup(tx, id);
		await writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'group.deleted', targetType: 'group', targetId: id, ip: actor.ip ?? null, detail: { name: g.name } });
	});
}

function parseIds(v: unknown, what: string): string[] {
	if (!Array.isArray(v) || v.length > 1000) throw new Invalid('bad_members', `Choose the ${what} from the list.`);
	for (const x of v) if (!isUuid(x)) throw new Invalid('bad_members', `Choose the ${what} from the list.`);
	return [...new Set(v as string[])];
}

/** Replace a group's concierges. Every id must be a concierge of the admin's tenant. */
export async function setGroupConcierges(actor: Actor, groupId: unknown, accountIds: unknown): Promise<{ members: number }> {
	requireAdmin(actor);
	const id = parseGroupId(groupId);
	const ids = parseIds(accountIds, 'concierges');
	return withTenant(actor.tenantId, async (tx) => {
		if (!(await repo.getGroup(tx, id, { forUpdate: true }))) throw notFound();
		const found = await repo.accountsWithRole(tx, ids, 'concierge');
		if (found.length !== ids.length) throw new NotFound('account_not_found', 'One of those concierges does not exist.');
		await repo.setMembers(tx, actor.tenantId, id, ids);
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'group.members_changed',
			targetType: 'group',
			targetId: id,
			ip: actor.ip ?? null,
			detail: { concierges: ids }
		});
		return { members: ids.length };
	});
}

/** Put a kiosk in a group (one group per kiosk), or in none (groupId null or ''). */
export async function assignKiosk(actor: Actor, kioskId: unknown, groupId: unknown): Promise<void> {
	requireAdmin(actor);
	if (!isUuid(kioskId)) throw new NotFound('account_not_found', 'That kiosk does not exist.');
	const gid = groupId === null || groupId === '' ? null : parseGroupId(groupId);
	await withTenant(actor.tenantId, async (tx) => {
		if ((await repo.accountsWithRole(tx, [kioskId], 'kiosk')).length !== 1) throw new NotFound('account_not_found', 'That kiosk does not exist.');
		if (gid && !(await repo.getGroup(tx, gid, { forUpdate: true }))) throw notFound();
		await repo.setKioskGroup(tx, actor.tenantId, kioskId, gid);
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'group.kiosk_assigned',
			targetType: 'account',
			targetId: kioskId,
			ip: actor.ip ?? null,
			detail: { group: gid }
		});
	});
}
