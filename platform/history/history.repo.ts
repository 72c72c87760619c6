import type { Sql } from '../db.server.ts';

export type Outcome = 'answered' | 'missed' | 'cancelled' | 'live';

export interface HistoryFilter {
	from: string | null;
	to: string | null;
	kioskLoginId: string | null;
	conciergeLoginId: string | null;
	outcome: Outcome | null;
}

export interface CallHistoryRow {
	id: string;
	kiosk: string;
	kioskName: string;
	concierge: string | null;
	rangAt: Date;
	waitedSeconds: number;
	answeredAt: Date | null;
	durationSeconds: number | null;
	outcome: Outcome;
	shares: number;
	endReason: string | null;
}

// Outcome of a call from its state: an accepted call that ended was answered.
const outcomeSql = (sql: Sql) => sql`(case when c.state in ('ringing', 'accepted') then 'live'
	when c.accepted_at is not null then 'answered' when c.state = 'cancelled' then 'cancelled' else 'missed' end)`;

const where = (sql: Sql, f: HistoryFilter, tenantId: string) => sql`
	where true
	${f.from ? sql`and c.created_at >= (${f.from}::date)::timestamp at time zone (select time_zone from tenants where id = ${tenantId})` : sql``}
	${f.to ? sql`and c.created_at < (${f.to}::date + 1)::timestamp at time zone (select time_zone from tenants where id = ${tenantId})` : sql``}
	${f.kioskLoginId ? sql`and k.login_id = ${f.kioskLoginId}` : sql``}
	${f.conciergeLoginId ? sql`and co.login_id = ${f.conciergeLoginId}` : sql``}
	${f.outcome ? sql`and ${outcomeSql(sql)} = ${f.outcome}` : sql``}`;

/** One page of calls, newest first; keyset by (created_at, id). Dates are in the tenant's time zone. */
export async function listCalls(tx: Sql, tenantId: string, f: HistoryFilter, limit: number, before: { at: Date; id: string } | null): Promise<CallHistoryRow[]> {
	return tx<CallHistoryRow[]>`
		select c.id, k.login_id as kiosk, k.display_name as "kioskName", co.login_id as concierge, c.created_at as "rangAt",
		       extract(epoch from coalesce(c.accepted_at, c.ended_at, now()) - c.created_at)::float8 as "waitedSeconds",
		       c.accepted_at as "answeredAt",
		       case when c.accepted_at is not null then extract(epoch from coalesce(c.ended_at, now()) - c.accepted_at)::float8 end as "durationSeconds",
		       ${outcomeSql(tx)} as outcome,
		       (select count(*)::int from audit_log l where l.target_type = 'call' and l.target_id = c.id::text and l.action = 'call.share_started') as shares,
		       c.end_reason as "endReason"
		from calls c
		join accounts k on k.id = c.kiosk_account_id
		left join accounts co on co.id = c.concierge_account_id
		${where(tx, f, tenantId)}
		${before ? tx`and (c.created_at, c.id) < (${before.at}, ${before.id}::uuid)` : tx``}
		order by c.created_at desc, c.id desc
		limit ${limit}`;
}

export interface DayCount {
	day: string;
	answered: number;
	missed: number;
	cancelled: number;
}
export interface HourCount {
	hour: number;
	answered: number;
	missed: number;
	cancelled: number;
}
export interface Totals {
	calls: number;
	answered: number;
	missed: number;
	cancelled: number;
	waitP50: number | null;
	waitP90: number | null;
	avgDuration: number | null;
}
export interface PerKiosk {
	kiosk: string;
	calls: number;
	answered: number;
	missed: number;
}
export interface PerConcierge {
	concierge: string;
	answered: number;
	avgDuration: number | null;
}

/**
 * The dashboard's figures, all SQL aggregates over the filtered, finished calls
 * (live ones are left out): counts per day and per hour of day (tenant time zone)
 * by outcome; totals; wait percentiles over answered calls (time to answer);
 * average duration of answered calls; per kiosk and per concierge.
 */
export async function dashboardFigures(tx: Sql, tenantId: string, f: HistoryFilter) {
	const base = tx`
		select c.*, ${outcomeSql(tx)} as outcome, k.login_id as kiosk, co.login_id as concierge,
		       (c.created_at at time zone (select time_zone from tenants where id = ${tenantId})) as local_at,
		       extract(epoch from c.accepted_at - c.created_at)::float8 as wait_s,
		       extract(epoch from c.ended_at - c.accepted_at)::float8 as duration_s
		from calls c join accounts k on k.id = c.kiosk_account_id left join accounts co on co.id = c.concierge_account_id
		${where(tx, f, tenantId)} and c.state not in ('ringing', 'accepted')`;
	const counts = (sql: Sql) => sql`count(*) filter (where outcome = 'answered')::int as answered,
		count(*) filter (where outcome = 'missed')::int as missed, count(*) filter (where outcome = 'cancelled')::int as cancelled`;
	const [days, hours, [totals], kiosks, concierges] = await Promise.all([
		tx<DayCount[]>`select to_char(local_at::date, 'YYYY-MM-DD') as day, ${counts(tx)} from (${base}) b group by 1 order by 1`,
		tx<HourCount[]>`select extract(hour from local_at)::int as hour, ${counts(tx)} from (${base}) b group by 1 order by 1`,
		tx<Totals[]>`select count(*)::int as calls, ${counts(tx)},
			percentile_cont(0.5) within group (order by wait_s) filter (where outcome = 'answered') as "waitP50",
			percentile_cont(0.9) within group (order by wait_s) filter (where outcome = 'answered') as "waitP90",
			avg(duration_s) filter (where outcome = 'answered')::float8 as "avgDuration"
			from (${base}) b`,
		tx<PerKiosk[]>`select kiosk, count(*)::int as calls, count(*) filter (where outcome = 'answered')::int as answered,
			count(*) filter (where outcome = 'missed')::int as missed from (${base}) b group by kiosk order by calls desc, kiosk`,
		tx<PerConcierge[]>`select concierge, count(*)::int as answered, avg(duration_s)::float8 as "avgDuration"
			from (${base}) b where outcome = 'answered' group by concierge order by answered desc, concierge`
	]);
	return { days: [...days], hours: [...hours], totals: { ...totals! }, kiosks: [...kiosks], concierges: [...concierges] };
}
