/**
 * The fleet view (issue 11, item 1): every kiosk with its state (online, in a call,
 * offline since, signed out), last seen, app version, browser, last camera or
 * microphone problem and open problem reports; every concierge's presence; and
 * commands to a kiosk (back to standby, reload) sent over its event stream.
 *
 * A kiosk's presence is kept by its own event stream (kiosk/src/routes/api/events):
 * opened, every heartbeat, closed. It counts as online while a stream was seen in
 * the last ONLINE_MS.
 */
import { withTenant, type Sql } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { writeAudit } from '../audit/audit.ts';
import { isUuid } from '../ids.ts';
import { publish, publishFleetChanged } from '../events/events.ts';
import { getAccount } from '../accounts/accounts.repo.ts';
import { endCallsOfAccount } from '../calls/index.ts';
import { presenceStates } from '../calls/calls.repo.ts';
import { presenceTimes } from '../calls/presence.ts';
import { listAccountRows } from '../accounts/accounts.repo.ts';
import type { Actor } from '../types.ts';
import { cleanVersion } from '../release/version.ts';
import { fleetKiosks, markKioskGone, markKiosksSeen, upsertKioskOpened } from './fleet.repo.ts';

export const ONLINE_MS = 60_000;

/**
 * The kiosk's stream opened, in the caller's transaction (userAgent and app version
 * from its request): stamped seen and open, and open admin fleet pages hear of it.
 * Both statements go out at once, with whatever the caller reads beside them.
 */
export async function kioskOpened(tx: Sql, actor: Actor, meta: { userAgent?: string | null; appVersion?: string | null }): Promise<void> {
	if (actor.role !== 'kiosk') return;
	const row = {
		tenantId: actor.tenantId,
		accountId: actor.accountId,
		userAgent: meta.userAgent?.slice(0, 400) ?? null,
		// The kiosk's own word (`/api/events?v=`): anything but a version id is ignored, never stored.
		appVersion: cleanVersion(meta.appVersion)
	};
	await Promise.all([upsertKioskOpened(tx, row), publishFleetChanged(tx, actor.tenantId, 'kiosk')]);
}

/**
 * The heartbeat of every open kiosk stream of one tenant in this process, at once: one
 * transaction, not one per kiosk (10,000 idle kiosks would otherwise be 10,000
 * transactions every heartbeat, queued ahead of every request on the pool).
 */
export async function kiosksSeen(tenantId: string, accountIds: string[]): Promise<void> {
	const ids = [...new Set(accountIds)].filter(isUuid);
	for (let i = 0; i < ids.length; i += 2000)
		await withTenant(tenantId, async (tx) => {
			// A beat that brings back kiosks that had counted as offline: open fleet pages read again.
			if ((await markKiosksSeen(tx, tenantId, ids.slice(i, i + 2000), ONLINE_MS / 1000)) > 0) await publishFleetChanged(tx, tenantId, 'kiosk');
		});
}

export async function kioskGone(actor: Actor): Promise<void> {
	if (actor.role !== 'kiosk') return;
	await withTenant(actor.tenantId, async (tx) => {
		await markKioskGone(tx, actor.accountId);
		await publishFleetChanged(tx, actor.tenantId, 'kiosk');
	});
}

export type KioskState = 'online' | 'in_call' | 'offline' | 'signed_out' | 'disabled';

export interface FleetKiosk {
	id: string;
	loginId: string;
	displayName: string;
	state: KioskState;
	lastSeenAt: Date | null;
	/** For offline kiosks: since when. */
	offlineSince: Date | null;
	appVersion: string | null;
	browser: string | null;
	lastMediaProblemAt: Date | null;
	openReports: number;
}

export interface FleetConcierge {
	id: string;
	loginId: string;
	displayName: string;
	state: string;
}

/** A short browser name from a user agent ("Chrome 131", "Safari 17"). */
export function browserName(ua: string | null): string | null {
	if (!ua) return null;
	const m = /(Edg|OPR|Chrome|Chromium|Firefox|Version)\/(\d+)/.exec(ua);
	if (!m) return ua.slice(0, 40);
	const name = m[1] === 'Edg' ? 'Edge' : m[1] === 'OPR' ? 'Opera' : m[1] === 'Version' ? 'Safari' : m[1]!;
	return `${name} ${m[2]}`;
}

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin') throw new Forbidden('admin_only', 'Only administrators can see the fleet.');
}

export async function fleet(actor: Actor, now = Date.now()): Promise<{ kiosks: FleetKiosk[]; concierges: FleetConcierge[] }> {
	requireAdmin(actor);
	return withTenant(actor.tenantId, async (tx) => {
		const rows = await fleetKiosks(tx);
		const presence = new Map((await presenceStates(tx, presenceTimes())).map((p) => [p.accountId, p.state as string]));
		const accounts = await listAccountRows(tx);
		const kiosks = rows.map((r): FleetKiosk => {
			const seen = r.lastSeenAt && !r.disconnectedAt && now - r.lastSeenAt.getTime() < ONLINE_MS;
			const state: KioskState = r.disabled ? 'disabled' : r.liveCall ? 'in_call' : seen ? 'online' : r.sessions === 0 ? 'signed_out' : 'offline';
			return {
				id: r.id,
				loginId: r.loginId,
				displayName: r.displayName,
				state,
				lastSeenAt: r.lastSeenAt,
				offlineSince: state === 'offline' ? (r.disconnectedAt ?? r.lastSeenAt) : null,
				appVersion: r.appVersion,
				browser: browserName(r.userAgent),
				lastMediaProblemAt: r.lastMediaProblemAt,
				openReports: r.openReports
			};
		});
		const concierges = accounts
			.filter((a) => a.role === 'concierge' && !a.archivedAt)
			.map((a) => ({ id: a.id, loginId: a.loginId, displayName: a.displayName, state: a.disabledAt ? 'disabled' : (presence.get(a.id) ?? 'offline') }));
		return { kiosks, concierges };
	});
}

export type KioskCommand = 'standby' | 'reload';

/**
 * Tell a kiosk of the admin's tenant to go back to standby (its live call, if any,
 * is ended first) or to reload its app. Delivered over the kiosk's event stream.
 */
export async function commandKiosk(actor: Actor, accountId: unknown, command: unknown): Promise<{ endedCalls: number }> {
	requireAdmin(actor);
	if (!isUuid(accountId)) throw new Invalid('bad_account', 'Choose a kiosk.');
	if (command !== 'standby' && command !== 'reload') throw new Invalid('bad_command', 'Choose standby or reload.');
	const kiosk = await withTenant(actor.tenantId, async (tx) => {
		const a = await getAccount(tx, accountId);
		if (!a || a.role !== 'kiosk') throw new NotFound('kiosk_not_found', 'No such kiosk in your organisation.');
		if (a.disabledAt) throw new Conflict('account_disabled', 'This kiosk is disabled.');
		return a;
	});
	const ended = command === 'standby' ? (await endCallsOfAccount(actor, kiosk.id, 'hung_up_by_concierge')).ended : 0;
	await withTenant(actor.tenantId, async (tx) => {
		await publish(tx, { tenantId: actor.tenantId, account: kiosk.id }, { type: 'kiosk.command', data: { command } });
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'fleet.kiosk_command',
			targetType: 'account',
			targetId: kiosk.id,
			ip: actor.ip ?? null,
			detail: { loginId: kiosk.loginId, command, endedCalls: ended }
		});
	});
	return { endedCalls: ended };
}
