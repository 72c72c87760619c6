/** All SQL for concierge groups. Every function runs inside withTenant(). */
import type { Sql } from '../db.server.ts';

export interface GroupRow {
	id: string;
	name: string;
	overflowSeconds: number;
	createdAt: Date;
}

export interface GroupListing extends GroupRow {
	memberIds: string[];
	kioskIds: string[];
}

const groupColumns = (sql: Sql) => sql`g.id, g.name, g.overflow_seconds as "overflowSeconds", g.created_at as "createdAt"`;

export async function listGroups(tx: Sql): Promise<GroupListing[]> {
	return tx<GroupListing[]>`
		select ${groupColumns(tx)},
		       coalesce((select array_agg(m.account_id order by m.account_id) from concierge_group_members m where m.group_id = g.id), '{}') as "memberIds",
		       coalesce((select array_agg(k.kiosk_account_id order by k.kiosk_account_id) from kiosk_groups k where k.group_id = g.id), '{}') as "kioskIds"
		from concierge_groups g order by lower(g.name)`;
}

export async function getGroup(tx: Sql, id: string, opts: { forUpdate?: boolean } = {}): Promise<GroupRow | null> {
	const [row] = opts.forUpdate
		? await tx<GroupRow[]>`select ${groupColumns(tx)} from concierge_groups g where g.id = ${id} for update`
		: await tx<GroupRow[]>`select ${groupColumns(tx)} from concierge_groups g where g.id = ${id}`;
	return row ?? null;
}

export async function insertGroup(tx: Sql, g: { tenantId: string; name: string; overflowSeconds: number }): Promise<GroupRow> {
	const [row] = await tx<GroupRow[]>`
		insert into concierge_groups as g (tenant_id, name, overflow_seconds) values (${g.tenantId}, ${g.name}, ${g.overflowSeconds})
		returning ${groupColumns(tx)}`;
	return row!;
}

export async function updateGroup(tx: Sql, id: string, g: { name: string; overflowSeconds: number }): Promise<void> {
	await tx`update concierge_groups set name = ${g.name}, overflow_seconds = ${g.overflowSeconds} where id = ${id}`;
}

export async function deleteGroup(tx: Sql, id: string): Promise<void> {
	await tx`delete from concierge_groups where id = ${id}`;
}

export async function nameTaken(tx: Sql, name: string, exceptId: string | null): Promise<boolean> {
	const [r] = await tx<{ n: number }[]>`
		select count(*)::int as n from concierge_groups where lower(name) = lower(${name}) and (${exceptId}::uuid is null or id <> ${exceptId}::uuid)`;
	return r!.n > 0;
}

/** Replace a group's concierges. */
export async function setMembers(tx: Sql, tenantId: string, groupId: string, accountIds: string[]): Promise<void> {
	await tx`delete from concierge_group_members where group_id = ${groupId} and not (account_id = any(${accountIds}::uuid[]))`;
	if (accountIds.length)
		await tx`
			insert into concierge_group_members (tenant_id, group_id, account_id)
			select ${tenantId}, ${groupId}, unnest(${accountIds}::uuid[])
			on conflict do nothing`;
}

/** Put a kiosk into a group, or (groupId null) into none. */
export async function setKioskGroup(tx: Sql, tenantId: string, kioskId: string, groupId: string | null): Promise<void> {
	if (groupId === null) await tx`delete from kiosk_groups where kiosk_account_id = ${kioskId}`;
	else
		await tx`
			insert into kiosk_groups (kiosk_account_id, tenant_id, group_id) values (${kioskId}, ${tenantId}, ${groupId})
			on conflict (kiosk_account_id) do update set group_id = excluded.group_id`;
}

/** The accounts of the tenant with these ids and one role (ids of other tenants or roles are not returned). */
export async function accountsWithRole(tx: Sql, ids: string[], role: 'concierge' | 'kiosk'): Promise<string[]> {
	const rows = await tx<{ id: string }[]>`select id from accounts where id = any(${ids}::uuid[]) and role = ${role}`;
	return rows.map((r) => r.id);
}

/** The group a kiosk's calls ring first, if any. */
export async function groupOfKiosk(tx: Sql, kioskId: string): Promise<{ groupId: string; overflowSeconds: number } | null> {
	const [row] = await tx<{ groupId: string; overflowSeconds: number }[]>`
		select g.id as "groupId", g.overflow_seconds as "overflowSeconds"
		from kiosk_groups k join concierge_groups g on g.id = k.group_id where k.kiosk_account_id = ${kioskId}`;
	return row ?? null;
}

/** The members of these groups, by group. */
export async function membersOf(tx: Sql, groupIds: string[]): Promise<Map<string, Set<string>>> {
	const out = new Map<string, Set<string>>();
	if (groupIds.length === 0) return out;
	const rows = await tx<{ groupId: string; accountId: string }[]>`
		select group_id as "groupId", account_id as "accountId" from concierge_group_members where group_id = any(${groupIds}::uuid[])`;
	for (const id of groupIds) out.set(id, new Set());
	for (const r of rows) out.get(r.groupId)!.add(r.accountId);
	return out;
}
