/** All SQL for calls, presence and issued call tokens. Every function runs inside withTenant(). */
import type { Sql } from '../db.server.ts';

export type CallState = 'ringing' | 'accepted' | 'ended' | 'missed' | 'cancelled';
export type KioskShare = 'off' | 'requested' | 'allowed';

export interface CallRow {
	id: string;
	tenantId: string;
	kioskAccountId: string;
	kioskName: string;
	conciergeAccountId: string | null;
	conciergeName: string | null;
	state: CallState;
	roomName: string;
	createdAt: Date;
	ringExpiresAt: Date;
	acceptedAt: Date | null;
	endedAt: Date | null;
	endReason: string | null;
	kioskShare: KioskShare;
	kioskJoinedAt: Date | null;
	conciergeJoinedAt: Date | null;
}

const callColumns = (sql: Sql) => sql`
	c.id, c.tenant_id as "tenantId", c.kiosk_account_id as "kioskAccountId", k.display_name as "kioskName",
	c.concierge_account_id as "conciergeAccountId", g.display_name as "conciergeName", c.state,
	c.room_name as "roomName", c.created_at as "createdAt", c.ring_expires_at as "ringExpiresAt",
	c.accepted_at as "acceptedAt", c.ended_at as "endedAt", c.end_reason as "endReason",
	c.kiosk_share as "kioskShare", c.kiosk_joined_at as "kioskJoinedAt", c.concierge_joined_at as "conciergeJoinedAt"`;

const fromCalls = (sql: Sql) => sql`
	from calls c
	join accounts k on k.id = c.kiosk_account_id
	left join accounts g on g.id = c.concierge_account_id`;

export async function insertCall(tx: Sql, c: { tenantId: string; kioskAccountId: string; roomName: string; ringSeconds: number }): Promise<string> {
	const [row] = await tx<{ id: string }[]>`
		insert into calls (tenant_id, kiosk_account_id, state, room_name, ring_expires_at)
		values (${c.tenantId}, ${c.kioskAccountId}, 'ringing', ${c.roomName}, now() + make_interval(secs => ${c.ringSeconds}))
		returning id`;
	return row!.id;
}

export async function getCall(tx: Sql, id: string, opts: { forUpdate?: boolean } = {}): Promise<CallRow | null> {
	const [row] = opts.forUpdate
		? await tx<CallRow[]>`select ${callColumns(tx)} ${fromCalls(tx)} where c.id = ${id} for update of c`
		: await tx<CallRow[]>`select ${callColumns(tx)} ${fromCalls(tx)} where c.id = ${id}`;
	return row ?? null;
}

/** The first accept wins: only a row still ringing (and not past its expiry) changes. */
export async function acceptRinging(tx: Sql, id: string, conciergeId: string): Promise<boolean> {
	const rows = await tx`
		update calls set state = 'accepted', concierge_account_id = ${conciergeId}, accepted_at = now()
		where id = ${id} and state = 'ringing' and ring_expires_at > now()
		returning id`;
	return rows.length === 1;
}

/** Move a live call to a final state. Returns false when it was already over. */
export async function finishCall(tx: Sql, id: string, state: 'ended' | 'cancelled' | 'missed', reason: string): Promise<boolean> {
	const rows = await tx`
		update calls set state = ${state}, ended_at = now(), end_reason = ${reason}
		where id = ${id} and state in ('ringing', 'accepted')
		returning id`;
	return rows.length === 1;
}

export async function setKioskShare(tx: Sql, id: string, share: KioskShare): Promise<void> {
	await tx`update calls set kiosk_share = ${share} where id = ${id}`;
}

export async function markJoined(tx: Sql, id: string, party: 'kiosk' | 'concierge'): Promise<void> {
	if (party === 'kiosk') await tx`update calls set kiosk_joined_at = coalesce(kiosk_joined_at, now()), kiosk_left_at = null where id = ${id}`;
	else await tx`update calls set concierge_joined_at = coalesce(concierge_joined_at, now()), concierge_left_at = null where id = ${id}`;
}

export async function markLeft(tx: Sql, id: string, party: 'kiosk' | 'concierge'): Promise<void> {
	if (party === 'kiosk') await tx`update calls set kiosk_left_at = now() where id = ${id}`;
	else await tx`update calls set concierge_left_at = now() where id = ${id}`;
}

/** Ringing calls of the tenant, oldest first, plus live calls involving the account. */
export async function listLiveCalls(tx: Sql, accountId: string): Promise<CallRow[]> {
	return tx<CallRow[]>`
		select ${callColumns(tx)} ${fromCalls(tx)}
		where c.state = 'ringing' or (c.state = 'accepted' and (c.concierge_account_id = ${accountId} or c.kiosk_account_id = ${accountId}))
		order by c.created_at`;
}

export async function liveCallsOfAccount(tx: Sql, accountId: string): Promise<CallRow[]> {
	return tx<CallRow[]>`
		select ${callColumns(tx)} ${fromCalls(tx)}
		where c.state in ('ringing', 'accepted') and (c.kiosk_account_id = ${accountId} or c.concierge_account_id = ${accountId})
		for update of c`;
}

export async function recentCalls(tx: Sql, limit: number): Promise<CallRow[]> {
	return tx<CallRow[]>`select ${callColumns(tx)} ${fromCalls(tx)} order by c.created_at desc limit ${limit}`;
}

export interface SharePermissions {
	canShareScreen: boolean;
	canViewKioskScreen: boolean;
}

export async function getSharePermissions(tx: Sql, accountId: string): Promise<SharePermissions | null> {
	const [row] = await tx<SharePermissions[]>`
		select can_share_screen as "canShareScreen", can_view_kiosk_screen as "canViewKioskScreen"
		from accounts where id = ${accountId} and disabled_at is null`;
	return row ?? null;
}

// --- presence -------------------------------------------------------------------

/** How long a concierge's "available" lasts without its console's stream refreshing it. */
export const PRESENCE_STALE_SECONDS = 75;

export async function upsertPresence(tx: Sql, tenantId: string, accountId: string, status: 'available' | 'away'): Promise<void> {
	await tx`
		insert into concierge_presence (tenant_id, account_id, status)
		values (${tenantId}, ${accountId}, ${status})
		on conflict (tenant_id, account_id) do update set status = excluded.status, seen_at = now(), updated_at = now()`;
}

export async function touchPresence(tx: Sql, accountId: string): Promise<void> {
	await tx`update concierge_presence set seen_at = now() where account_id = ${accountId}`;
}

export async function getPresence(tx: Sql, accountId: string): Promise<'available' | 'away'> {
	const [row] = await tx<{ status: 'available' | 'away' }[]>`select status from concierge_presence where account_id = ${accountId}`;
	return row?.status ?? 'away';
}

export async function countAvailable(tx: Sql): Promise<number> {
	const [row] = await tx<{ n: number }[]>`
		select count(*)::int as n from concierge_presence p
		join accounts a on a.id = p.account_id and a.disabled_at is null
		where p.status = 'available' and p.seen_at > now() - make_interval(secs => ${PRESENCE_STALE_SECONDS})`;
	return row!.n;
}

// --- issued tokens ----------------------------------------------------------------

export async function insertToken(tx: Sql, t: { tenantId: string; callId: string; accountId: string; ttlSeconds: number }): Promise<string> {
	const [row] = await tx<{ id: string }[]>`
		insert into call_tokens (tenant_id, call_id, account_id, expires_at)
		values (${t.tenantId}, ${t.callId}, ${t.accountId}, now() + make_interval(secs => ${t.ttlSeconds}))
		returning id`;
	return row!.id;
}

export async function tokenIssued(tx: Sql, tokenId: string, callId: string, accountId: string): Promise<boolean> {
	const [row] = await tx<{ n: number }[]>`
		select count(*)::int as n from call_tokens where id = ${tokenId} and call_id = ${callId} and account_id = ${accountId}`;
	return row!.n === 1;
}

/** Cross-tenant lookups before the tenant is known (security definer functions). */
export async function findCallByRoom(sql: Sql, room: string): Promise<{ callId: string; tenantId: string } | null> {
	const [row] = await sql<{ callId: string; tenantId: string }[]>`select call_id as "callId", tenant_id as "tenantId" from calls_find_by_room(${room})`;
	return row ?? null;
}

export async function expireRinging(sql: Sql, now: Date): Promise<{ callId: string; tenantId: string; kioskAccountId: string }[]> {
	return sql<{ callId: string; tenantId: string; kioskAccountId: string }[]>`
		select call_id as "callId", tenant_id as "tenantId", kiosk_account_id as "kioskAccountId" from calls_expire_ringing(${now})`;
}
