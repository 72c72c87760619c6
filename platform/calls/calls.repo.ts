/** All SQL for calls, presence and issued call tokens. Every function runs inside withTenant(). */
import type { Sql } from '../db.server.ts';
import type { BlinderRegion, CallState, EndReason, KioskConsent, PresenceState, SharePermissions } from './contract.ts';

export type { CallState, SharePermissions };
export type KioskShare = KioskConsent;

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
	ringExpiresAt: Date | null;
	acceptedAt: Date | null;
	endedAt: Date | null;
	endReason: EndReason | null;
	kioskShare: KioskShare;
	kioskJoinedAt: Date | null;
	kioskLeftAt: Date | null;
	conciergeJoinedAt: Date | null;
	conciergeLeftAt: Date | null;
	warnedAt: Date | null;
	/** The concierge group rung first (null: everyone rings), when the rest joins in, and when it did. */
	ringGroupId: string | null;
	overflowAt: Date | null;
	overflowedAt: Date | null;
}

const callColumns = (sql: Sql) => sql`
	c.id, c.tenant_id as "tenantId", c.kiosk_account_id as "kioskAccountId", k.display_name as "kioskName",
	c.concierge_account_id as "conciergeAccountId", g.display_name as "conciergeName", c.state,
	c.room_name as "roomName", c.created_at as "createdAt", c.ring_expires_at as "ringExpiresAt",
	c.accepted_at as "acceptedAt", c.ended_at as "endedAt", c.end_reason as "endReason",
	c.kiosk_share as "kioskShare", c.kiosk_joined_at as "kioskJoinedAt", c.kiosk_left_at as "kioskLeftAt",
	c.concierge_joined_at as "conciergeJoinedAt", c.concierge_left_at as "conciergeLeftAt", c.warned_at as "warnedAt",
	c.ring_group_id as "ringGroupId", c.overflow_at as "overflowAt", c.overflowed_at as "overflowedAt"`;

/** Is the call ringing this concierge (no group, overflowed, or a member of its group)? */
const rings = (sql: Sql, accountId: string) => sql`
	(c.ring_group_id is null or c.overflowed_at is not null
	 or exists (select 1 from concierge_group_members m where m.group_id = c.ring_group_id and m.account_id = ${accountId}))`;

const fromCalls = (sql: Sql) => sql`
	from calls c
	join accounts k on k.id = c.kiosk_account_id
	left join accounts g on g.id = c.concierge_account_id`;

/**
 * A new unanswered call: ringing for ringSeconds, or queued (no expiry) when ringSeconds
 * is null. With a group it rings the group first, everyone after overflowSeconds.
 */
export async function insertCall(
	tx: Sql,
	c: { id: string; tenantId: string; kioskAccountId: string; roomName: string; ringSeconds: number | null; group?: { groupId: string; overflowSeconds: number } | null }
): Promise<void> {
	const groupId = c.group?.groupId ?? null;
	const overflowSeconds = c.group?.overflowSeconds ?? null;
	await tx`
		insert into calls (id, tenant_id, kiosk_account_id, state, room_name, ring_expires_at, ring_group_id, overflow_at)
		values (${c.id}, ${c.tenantId}, ${c.kioskAccountId}, 'ringing', ${c.roomName},
		        case when ${c.ringSeconds}::int is null then null else now() + make_interval(secs => ${c.ringSeconds}::int) end,
		        ${groupId}::uuid,
		        case when ${overflowSeconds}::int is null then null else now() + make_interval(secs => ${overflowSeconds}::int) end)`;
}

export async function getCall(tx: Sql, id: string, opts: { forUpdate?: boolean } = {}): Promise<CallRow | null> {
	const [row] = opts.forUpdate
		? await tx<CallRow[]>`select ${callColumns(tx)} ${fromCalls(tx)} where c.id = ${id} for update of c`
		: await tx<CallRow[]>`select ${callColumns(tx)} ${fromCalls(tx)} where c.id = ${id}`;
	return row ?? null;
}

/** The first accept wins: only a row still ringing this concierge (and not past its expiry) changes. */
export async function acceptRinging(tx: Sql, id: string, conciergeId: string): Promise<boolean> {
	const rows = await tx`
		update calls c set state = 'accepted', concierge_account_id = ${conciergeId}, accepted_at = now()
		where c.id = ${id} and c.state = 'ringing' and c.ring_expires_at > now() and ${rings(tx, conciergeId)}
		returning c.id`;
	return rows.length === 1;
}

/** Move a live call to a final state. Returns false when it was already over. */
export async function finishCall(tx: Sql, id: string, state: 'ended' | 'cancelled' | 'missed', reason: EndReason): Promise<boolean> {
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

/** Live calls involving the account, plus (withRinging) every unanswered call of the tenant that rings it, oldest first. */
export async function listLiveCalls(tx: Sql, accountId: string, withRinging: boolean): Promise<CallRow[]> {
	return tx<CallRow[]>`
		select ${callColumns(tx)} ${fromCalls(tx)}
		where (${withRinging} and c.state = 'ringing' and ${rings(tx, accountId)})
		   or (c.state in ('ringing', 'accepted') and (c.concierge_account_id = ${accountId} or c.kiosk_account_id = ${accountId}))
		order by c.created_at`;
}

/** The tenant's unanswered calls, oldest first (the queue), locked for the sweep when asked. */
export async function waitingCalls(tx: Sql, opts: { forUpdate?: boolean } = {}): Promise<CallRow[]> {
	return opts.forUpdate
		? tx<CallRow[]>`select ${callColumns(tx)} ${fromCalls(tx)} where c.state = 'ringing' order by c.created_at for update of c`
		: tx<CallRow[]>`select ${callColumns(tx)} ${fromCalls(tx)} where c.state = 'ringing' order by c.created_at`;
}

export async function waitingIds(tx: Sql): Promise<string[]> {
	const rows = await tx<{ id: string }[]>`select id from calls where state = 'ringing' order by created_at`;
	return rows.map((r) => r.id);
}

export async function answeredCalls(tx: Sql): Promise<CallRow[]> {
	return tx<CallRow[]>`select ${callColumns(tx)} ${fromCalls(tx)} where c.state = 'accepted' order by c.created_at for update of c`;
}

/** Start (seconds) or stop (null) the ring timer of unanswered calls. */
export async function setRingExpiry(tx: Sql, ids: string[], seconds: number | null): Promise<void> {
	if (ids.length === 0) return;
	await tx`
		update calls set ring_expires_at = case when ${seconds}::int is null then null else now() + make_interval(secs => ${seconds}::int) end
		where id = any(${ids}::uuid[]) and state = 'ringing'`;
}

/**
 * The rest of the tenant joins in: a ringing call's timer restarts (never shortens) so
 * the newly rung concierges get a whole ring; a queued call keeps no timer.
 */
export async function markOverflowed(tx: Sql, ids: string[], ringSeconds: number): Promise<void> {
	if (ids.length === 0) return;
	await tx`
		update calls set overflowed_at = now(),
		       ring_expires_at = case when ring_expires_at is null then null
		                              else greatest(ring_expires_at, now() + make_interval(secs => ${ringSeconds}::int)) end
		where id = any(${ids}::uuid[]) and state = 'ringing' and overflowed_at is null`;
}

export async function markWarned(tx: Sql, id: string): Promise<void> {
	await tx`update calls set warned_at = now() where id = ${id}`;
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

export async function getSharePermissions(tx: Sql, accountId: string): Promise<SharePermissions | null> {
	const [row] = await tx<SharePermissions[]>`
		select can_share_screen as "canShareScreen", can_view_kiosk_screen as "canViewKioskScreen"
		from accounts where id = ${accountId} and disabled_at is null`;
	return row ?? null;
}

// --- presence -------------------------------------------------------------------

/** How long a concierge's presence lasts with no stream beating for it (a crashed app instance). */
export const PRESENCE_STALE_SECONDS = 45;

export interface PresenceTimes {
	offlineGraceSeconds: number;
	wrapUpSeconds: number;
}

/**
 * A concierge's state as the platform decides it: its own choice (available, away),
 * offline once its console stream has been gone past the grace, busy while in a call
 * or wrapping up after one. The one place the rule lives.
 */
const effectiveState = (sql: Sql, t: PresenceTimes) => sql`
	case
		when p.status = 'offline'
		  or p.seen_at < now() - make_interval(secs => ${PRESENCE_STALE_SECONDS})
		  or (p.disconnected_at is not null and p.disconnected_at < now() - make_interval(secs => ${t.offlineGraceSeconds}::int)) then 'offline'
		when p.status = 'away' then 'away'
		when exists (
			select 1 from calls c where c.concierge_account_id = p.account_id
			and (c.state = 'accepted' or (c.state = 'ended' and c.ended_at > now() - make_interval(secs => ${t.wrapUpSeconds}::int)))
		) then 'busy'
		else 'available'
	end`;

export interface PresenceRow {
	accountId: string;
	status: 'available' | 'away' | 'offline';
	state: PresenceState;
	missedRings: number;
}

/**
 * Every concierge of the tenant with a presence row, and its effective state. The rows alone
 * say it: only an enabled concierge's row can be other than offline (upsertPresence), and
 * disabling or archiving a concierge sets its row offline in the same transaction
 * (queue.ts, conciergeRemoved). Every ring and every stream snapshot reads this, so it reads no other
 * table's rows per concierge: a join to the accounts cost three index pages per concierge,
 * and under row level security PostgreSQL could not use the role test in an index scan (enum
 * equality is not leakproof) and sometimes read every account of the tenant, kiosks included.
 */
export async function presenceStates(tx: Sql, t: PresenceTimes): Promise<PresenceRow[]> {
	return tx<PresenceRow[]>`
		select p.account_id as "accountId", p.status, ${effectiveState(tx, t)} as state, p.missed_rings as "missedRings"
		from concierge_presence p`;
}

export async function presenceOf(tx: Sql, accountId: string, t: PresenceTimes): Promise<PresenceState> {
	const [row] = await tx<{ state: PresenceState }[]>`
		select ${effectiveState(tx, t)} as state from concierge_presence p where p.account_id = ${accountId}`;
	return row?.state ?? 'offline';
}

/** Serialises one concierge's accepts, so two concurrent accepts cannot both find it available. */
export async function lockPresence(tx: Sql, accountId: string): Promise<void> {
	await tx`select 1 from concierge_presence where account_id = ${accountId} for update`;
}

/**
 * The concierge's own choice. Choosing resets the unanswered-ring count. Only an enabled
 * concierge's row is written: the account row is share-locked first, so a disable running at
 * the same moment either waits for this to commit and then sets the row offline, or commits
 * first and this writes nothing (the lock re-reads the row: PostgreSQL's READ COMMITTED).
 */
export async function upsertPresence(tx: Sql, tenantId: string, accountId: string, status: 'available' | 'away' | 'offline'): Promise<void> {
	await tx`
		with enabled as (select 1 from accounts where id = ${accountId} and disabled_at is null and role = 'concierge' for share)
		insert into concierge_presence (tenant_id, account_id, status)
		select ${tenantId}, ${accountId}, ${status} from enabled
		on conflict (tenant_id, account_id) do update
		set status = excluded.status, seen_at = now(), updated_at = now(), missed_rings = 0,
		    disconnected_at = case when excluded.status = 'offline' then concierge_presence.disconnected_at else null end`;
}

/** A console stream is open (or beat): the concierge is connected. */
export async function touchPresence(tx: Sql, accountId: string): Promise<void> {
	await tx`update concierge_presence set seen_at = now(), disconnected_at = null where account_id = ${accountId}`;
}

/** The last console stream of the account in one process closed. */
export async function markDisconnected(tx: Sql, accountId: string): Promise<void> {
	await tx`update concierge_presence set disconnected_at = coalesce(disconnected_at, now()) where account_id = ${accountId}`;
}

/** Persist platform-decided offline: concierges whose stream lapsed, or whose account was just disabled. */
export async function persistOffline(tx: Sql, accountIds: string[]): Promise<void> {
	if (accountIds.length === 0) return;
	await tx`update concierge_presence set status = 'offline', updated_at = now() where account_id = any(${accountIds}::uuid[]) and status <> 'offline'`;
}

/** One more unanswered ring for each; returns those who reached `limit` (and are set away; an offline row, a disabled account's, stays offline). */
export async function countMissedRings(tx: Sql, accountIds: string[], limit: number): Promise<string[]> {
	if (accountIds.length === 0) return [];
	const rows = await tx<{ accountId: string }[]>`
		update concierge_presence set missed_rings = missed_rings + 1,
		       status = case when missed_rings + 1 >= ${limit} and status <> 'offline' then 'away' else status end,
		       updated_at = now()
		where account_id = any(${accountIds}::uuid[])
		returning account_id as "accountId", missed_rings as n`;
	return (rows as unknown as { accountId: string; n: number }[]).filter((r) => r.n >= limit).map((r) => r.accountId);
}

export async function resetMissedRings(tx: Sql, accountId: string): Promise<void> {
	await tx`update concierge_presence set missed_rings = 0 where account_id = ${accountId}`;
}

export async function sweepTenants(sql: Sql): Promise<string[]> {
	const rows = await sql<{ tenantId: string }[]>`select tenant_id as "tenantId" from calls_sweep_tenants()`;
	return rows.map((r) => r.tenantId);
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

/**
 * Bind a token to the participant that first joined with it. True when the token is
 * this participant's (first use, or the same participant again); false when another
 * participant already used it.
 */
export async function bindToken(tx: Sql, tokenId: string, participantSid: string): Promise<boolean> {
	const rows = await tx`
		update call_tokens set participant_sid = coalesce(participant_sid, ${participantSid})
		where id = ${tokenId} and (participant_sid is null or participant_sid = ${participantSid})
		returning id`;
	return rows.length === 1;
}

/** The transaction's own clock (now() is fixed for the whole transaction: what the inserts write). */
export async function transactionNow(tx: Sql): Promise<Date> {
	const [row] = await tx<{ now: Date }[]>`select now() as now`;
	return row!.now;
}

/** Calls this kiosk placed in the last minute (the ring rate limit). */
export async function recentCallsOfKiosk(tx: Sql, kioskAccountId: string): Promise<number> {
	const [row] = await tx<{ n: number }[]>`
		select count(*)::int as n from calls where kiosk_account_id = ${kioskAccountId} and created_at > now() - interval '1 minute'`;
	return row!.n;
}

/** Record a webhook event id; false when it was already processed. Old ids are pruned as we go. */
export async function recordWebhookEvent(sql: Sql, id: string): Promise<boolean> {
	const rows = await sql`insert into livekit_webhook_events (id) values (${id}) on conflict do nothing returning id`;
	if (rows.length === 1 && Math.random() < 0.01) await sql`delete from livekit_webhook_events where received_at < now() - interval '1 hour'`;
	return rows.length === 1;
}

/** Cross-tenant lookups before the tenant is known (security definer functions). */
export async function findCallByRoom(sql: Sql, room: string): Promise<{ callId: string; tenantId: string } | null> {
	const [row] = await sql<{ callId: string; tenantId: string }[]>`select call_id as "callId", tenant_id as "tenantId" from calls_find_by_room(${room})`;
	return row ?? null;
}

// --- screen-share consent limits and the tenant's privacy policy (issue 12) ---------

export interface ShareRequestState {
	requests: number;
	/** Seconds since the last refusal (null: never refused in this call). */
	refusedAgo: number | null;
	moreAllowed: boolean;
}

export async function getShareRequestState(tx: Sql, id: string): Promise<ShareRequestState | null> {
	const [row] = await tx<ShareRequestState[]>`
		select share_requests as requests, share_more_allowed as "moreAllowed",
			extract(epoch from (now() - share_refused_at))::float8 as "refusedAgo"
		from calls where id = ${id}`;
	return row ?? null;
}

export async function countShareRequest(tx: Sql, id: string): Promise<void> {
	await tx`update calls set share_requests = share_requests + 1 where id = ${id}`;
}

export async function recordShareAnswer(tx: Sql, id: string, consent: boolean, allowMore: boolean): Promise<void> {
	await tx`
		update calls set
			share_refused_at = case when ${consent} then share_refused_at else now() end,
			share_more_allowed = share_more_allowed or ${allowMore}
		where id = ${id}`;
}

export interface PrivacyPolicy {
	blinderRegions: BlinderRegion[];
	e2ee: boolean;
}

export async function getPrivacyPolicy(tx: Sql, tenantId: string): Promise<PrivacyPolicy> {
	const [row] = await tx<PrivacyPolicy[]>`select blinder_regions as "blinderRegions", e2ee from tenants where id = ${tenantId}`;
	return row ?? { blinderRegions: [], e2ee: false };
}

export async function setBlinderRegions(tx: Sql, tenantId: string, regions: BlinderRegion[]): Promise<void> {
	await tx`update tenants set blinder_regions = ${tx.json(regions as unknown as Parameters<Sql['json']>[0])} where id = ${tenantId}`;
}

export async function setE2ee(tx: Sql, tenantId: string, on: boolean): Promise<void> {
	await tx`update tenants set e2ee = ${on} where id = ${tenantId}`;
}
