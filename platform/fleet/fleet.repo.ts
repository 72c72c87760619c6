import type { Sql } from '../db.server.ts';

/** A kiosk's stream opened: seen and connected now, with its browser and app version when it gave them. */
export async function upsertKioskOpened(tx: Sql, k: { tenantId: string; accountId: string; userAgent: string | null; appVersion: string | null }): Promise<void> {
	await tx`
		insert into kiosk_presence (account_id, tenant_id, connected_at, last_seen_at, user_agent, app_version)
		values (${k.accountId}, ${k.tenantId}, now(), now(), ${k.userAgent}, ${k.appVersion})
		on conflict (account_id) do update set last_seen_at = now(), disconnected_at = null, connected_at = now(),
		  user_agent = coalesce(excluded.user_agent, kiosk_presence.user_agent), app_version = coalesce(excluded.app_version, kiosk_presence.app_version)`;
}

/**
 * Many kiosk streams of one tenant beat: one statement for all of them (platform/events/stream.ts
 * shared beats). Returns how many of them had counted as offline (the fleet page hears of it).
 */
export async function markKiosksSeen(tx: Sql, tenantId: string, accountIds: string[], onlineSeconds: number): Promise<number> {
	if (accountIds.length === 0) return 0;
	const [back] = await tx<{ n: number }[]>`
		select count(*)::int as n from kiosk_presence
		where account_id = any(${accountIds}::uuid[]) and (disconnected_at is not null or last_seen_at < now() - make_interval(secs => ${onlineSeconds}::int))`;
	await tx`
		insert into kiosk_presence (account_id, tenant_id, connected_at, last_seen_at)
		select a.id, ${tenantId}, now(), now() from accounts a where a.id = any(${accountIds}::uuid[]) and a.role = 'kiosk'
		on conflict (account_id) do update set last_seen_at = now(), disconnected_at = null`;
	return back?.n ?? 0;
}

export async function markKioskGone(tx: Sql, accountId: string): Promise<void> {
	await tx`update kiosk_presence set disconnected_at = now() where account_id = ${accountId}`;
}

export interface FleetKioskRow {
	id: string;
	loginId: string;
	displayName: string;
	disabled: boolean;
	sessions: number;
	lastSeenAt: Date | null;
	disconnectedAt: Date | null;
	userAgent: string | null;
	appVersion: string | null;
	liveCall: string | null;
	openReports: number;
	lastMediaProblemAt: Date | null;
}

/** Every kiosk of the tenant with what the fleet page shows. */
export async function fleetKiosks(tx: Sql): Promise<FleetKioskRow[]> {
	return tx<FleetKioskRow[]>`
		select a.id, a.login_id as "loginId", a.display_name as "displayName", a.disabled_at is not null as disabled,
		       (select count(*)::int from sessions s where s.account_id = a.id and s.expires_at > now()) as sessions,
		       p.last_seen_at as "lastSeenAt", p.disconnected_at as "disconnectedAt",
		       coalesce(p.user_agent, (select s.user_agent from sessions s where s.account_id = a.id order by s.created_at desc limit 1)) as "userAgent",
		       coalesce(p.app_version, (select r.app_version from crash_reports r where r.kiosk_account_id = a.id order by r.received_at desc limit 1)) as "appVersion",
		       (select c.state from calls c where c.kiosk_account_id = a.id and c.state in ('ringing', 'accepted') limit 1) as "liveCall",
		       (select count(distinct r.group_id)::int from crash_reports r join report_groups g on g.id = r.group_id
		          where r.kiosk_account_id = a.id and g.status = 'open') as "openReports",
		       (select max(r.received_at) from crash_reports r where r.kiosk_account_id = a.id and r.kind = 'media_error') as "lastMediaProblemAt"
		from accounts a left join kiosk_presence p on p.account_id = a.id
		where a.role = 'kiosk' and a.archived_at is null
		order by a.login_id`;
}
