/**
 * The operator console (issue 11, item 7): create a tenant with its first admin,
 * suspend and resume a tenant, search across tenants, drill into one, and the
 * system page. Reads go through the audited concierge_ops path (operator.ts's
 * `operator.read`); writes run in the target tenant's own scope and are audited in
 * both that tenant's log and the operator's.
 *
 * Suspending a tenant: every sign-in (password or code) is refused from that commit
 * on, every session is deleted and told (`session.ended`, `account.disabled` for
 * kiosks so their screen locks at once), and every live call is ended. Resuming lets
 * people sign in again; nobody is signed back in.
 */
import { db, isUuid, opsDb, withTenant } from '../db.server.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../errors.ts';
import { writeAudit, type AuditAction } from '../audit/audit.ts';
import { insertAccount, setMustChangePassword } from '../accounts/accounts.repo.ts';
import { hashPassword, passwordProblems } from '../accounts/password.ts';
import { parseLoginId } from '../accounts/sign-in.ts';
import { publish } from '../events/events.ts';
import { endCallsOfAccount } from '../calls/index.ts';
import { roomService } from '../livekit.server.ts';
import { listGroups, type ReportGroupRow } from '../reports/reports.repo.ts';
import { logError } from '../log.ts';
import type { Actor } from '../types.ts';
import {
	callErrorRate,
	databaseHealth,
	searchAccountsAcross,
	searchTenants,
	tenantAccounts,
	tenantCallStats,
	tenantDetailRow,
	type OperatorAccountHit,
	type TenantCallStats,
	type TenantDetailRow,
	type TenantHit
} from './operator.repo.ts';
import { accountsInLiveCalls, createTenantRow, deleteTenantSessions, setSuspended } from './tenant-admin.repo.ts';

function requireOperator(actor: Actor): void {
	if (actor.role !== 'operator') throw new Forbidden('operator_only', 'Only platform operators can do this.');
}

async function auditBoth(actor: Actor, tenantId: string, action: AuditAction, detail: Record<string, unknown>): Promise<void> {
	const entry = { action, targetType: 'tenant', targetId: tenantId, ip: actor.ip ?? null, detail: { ...detail, byOperator: actor.loginId } };
	await withTenant(tenantId, (tx) => writeAudit(tx, actor, { tenantId, ...entry }));
	if (tenantId !== actor.tenantId) await withTenant(actor.tenantId, (tx) => writeAudit(tx, actor, { tenantId: actor.tenantId, ...entry }));
}

async function readAudited(actor: Actor, what: string, detail: Record<string, unknown> = {}): Promise<void> {
	requireOperator(actor);
	await withTenant(actor.tenantId, (tx) =>
		writeAudit(tx, actor, { tenantId: actor.tenantId, action: 'operator.read', targetType: 'platform', targetId: what, ip: actor.ip ?? null, detail })
	);
}

export interface NewTenant {
	slug: unknown;
	name: unknown;
	loginPrefix?: unknown;
	adminLoginId: unknown;
	adminName: unknown;
	adminPassword: unknown;
}

/** Create a tenant and its first admin (who must change the password at first sign-in). */
export async function createTenantWithAdmin(actor: Actor, input: NewTenant): Promise<{ tenantId: string; adminLoginId: string }> {
	requireOperator(actor);
	const slug = typeof input.slug === 'string' ? input.slug.trim().toLowerCase() : '';
	if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)) throw new Invalid('bad_slug', 'The short name is 2 to 63 lower-case letters, digits and dashes.');
	if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 200) throw new Invalid('bad_name', 'Enter the organisation name (at most 200 characters).');
	const prefix = typeof input.loginPrefix === 'string' && input.loginPrefix.trim() ? input.loginPrefix.trim().toLowerCase() : slug;
	if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(prefix)) throw new Invalid('bad_prefix', 'The login-ID prefix is up to 40 lower-case letters, digits and dashes.');
	const adminLoginId = parseLoginId(input.adminLoginId);
	if (!adminLoginId || !adminLoginId.startsWith(prefix + '-')) throw new Invalid('bad_login_id', `The first admin's login ID must start with "${prefix}-".`);
	if (typeof input.adminName !== 'string' || !input.adminName.trim() || input.adminName.length > 200) throw new Invalid('bad_display_name', "Enter the first admin's name.");
	if (typeof input.adminPassword !== 'string') throw new Invalid('password_required', 'Enter an initial password.');
	const problems = passwordProblems({ minLength: 10, minClasses: 3, maxAgeDays: 0 }, input.adminPassword, adminLoginId);
	if (problems.length) throw new Invalid('weak_password', problems.join(' '));
	const hash = await hashPassword(input.adminPassword);
	let tenantId: string;
	try {
		tenantId = await createTenantRow(db(), { slug, name: input.name.trim(), loginPrefix: prefix });
	} catch (e) {
		if ((e as { code?: string }).code === '23505') throw new Conflict('tenant_exists', 'That short name or login-ID prefix is already taken (or overlaps another prefix).');
		throw e;
	}
	const adminName = input.adminName.trim();
	try {
		await withTenant(tenantId, async (tx) => {
			const a = await insertAccount(tx, { tenantId, loginId: adminLoginId, displayName: adminName, role: 'admin', passwordHash: hash });
			await setMustChangePassword(tx, a.id);
		});
	} catch (e) {
		if ((e as { code?: string }).code === '23505') throw new Conflict('login_id_taken', 'That login ID is already in use.');
		throw e;
	}
	await auditBoth(actor, tenantId, 'tenant.created', { slug, name: input.name.trim(), adminLoginId });
	return { tenantId, adminLoginId };
}

/** Suspend or resume a tenant (never the platform's own). */
export async function setTenantSuspended(
	actor: Actor,
	tenantId: unknown,
	suspend: boolean,
	reason?: unknown
): Promise<{ changed: boolean; revokedSessions: number; endedCalls: number }> {
	requireOperator(actor);
	if (!isUuid(tenantId)) throw new NotFound('tenant_not_found', 'No such organisation.');
	if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new Invalid('bad_reason', 'The reason is text of at most 500 characters.');
	if (tenantId === actor.tenantId) throw new Forbidden('own_tenant', 'The platform organisation cannot be suspended.');
	const exists = await tenantDetailRow(opsDb(), tenantId);
	if (!exists) throw new NotFound('tenant_not_found', 'No such organisation.');
	if (exists.isPlatform) throw new Forbidden('own_tenant', 'The platform organisation cannot be suspended.');
	const r = await withTenant(tenantId, async (tx) => {
		const changed = await setSuspended(tx, tenantId, typeof reason === 'string' && reason.trim() ? reason.trim() : null, suspend);
		if (!changed || !suspend) return { changed, sessions: [], live: [] as string[] };
		const sessions = await deleteTenantSessions(tx);
		// Every app of the tenant locks itself at once, kiosks included; the event also ends
		// each of their streams (as a disable does), so no separate session.ended is sent.
		for (const accountId of new Set(sessions.map((s) => s.accountId))) await publish(tx, { tenantId, account: accountId }, { type: 'account.disabled', data: {} });
		return { changed, sessions, live: await accountsInLiveCalls(tx) };
	});
	let endedCalls = 0;
	for (const accountId of r.live) {
		try {
			endedCalls += (await endCallsOfAccount({ ...actor, tenantId }, accountId, 'account_disabled')).ended;
		} catch (e) {
			logError('operator', 'ending a suspended tenant call failed', e, { tenantId, accountId });
		}
	}
	if (r.changed)
		await auditBoth(actor, tenantId, suspend ? 'tenant.suspended' : 'tenant.resumed', {
			revokedSessions: r.sessions.length,
			endedCalls,
			...(typeof reason === 'string' && reason ? { reason } : {})
		});
	return { changed: r.changed, revokedSessions: r.sessions.length, endedCalls };
}

/** Tenants and accounts matching part of a name, slug or login ID (audited). */
export async function searchPlatform(actor: Actor, q: unknown): Promise<{ tenants: TenantHit[]; accounts: OperatorAccountHit[] }> {
	requireOperator(actor);
	if (typeof q !== 'string' || q.trim().length < 2 || q.length > 64) throw new Invalid('bad_query', 'Type at least 2 characters.');
	await readAudited(actor, 'search', { q: q.trim() });
	const ops = opsDb();
	return { tenants: await searchTenants(ops, q.trim()), accounts: await searchAccountsAcross(ops, q.trim()) };
}

export interface TenantDrill {
	tenant: TenantDetailRow;
	accounts: OperatorAccountHit[];
	calls: TenantCallStats;
	reports: ReportGroupRow[];
}

/** One tenant in depth: accounts, calls and report groups (audited). */
export async function tenantDrill(actor: Actor, tenantId: unknown): Promise<TenantDrill> {
	requireOperator(actor);
	await readAudited(actor, 'tenant', { tenantId: isUuid(tenantId) ? tenantId : JSON.stringify(String(tenantId).slice(0, 100)) });
	if (!isUuid(tenantId)) throw new NotFound('tenant_not_found', 'No such organisation.');
	const ops = opsDb();
	const tenant = await tenantDetailRow(ops, tenantId);
	if (!tenant) throw new NotFound('tenant_not_found', 'No such organisation.');
	const [accounts, calls, reports] = await Promise.all([tenantAccounts(ops, tenantId), tenantCallStats(ops, tenantId), listGroups(ops, { tenantId, limit: 50 })]);
	return { tenant, accounts, calls, reports };
}

export interface Health {
	name: string;
	ok: boolean;
	detail: string;
	ms: number | null;
}

async function timed(name: string, f: () => Promise<string>): Promise<Health> {
	const start = performance.now();
	try {
		const detail = await Promise.race([f(), new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no answer within 3 s')), 3000))]);
		return { name, ok: true, detail, ms: Math.round(performance.now() - start) };
	} catch (e) {
		return { name, ok: false, detail: e instanceof Error ? e.message.slice(0, 200) : 'failed', ms: null };
	}
}

/** The system page: PostgreSQL, LiveKit, the worker and its queue, and the last hour's call failure rate. */
export async function systemHealth(actor: Actor): Promise<Health[]> {
	await readAudited(actor, 'system');
	const ops = opsDb();
	return Promise.all([
		timed('PostgreSQL', async () => {
			const h = await databaseHealth(ops);
			return `${h.connections} connections, ${(h.sizeBytes / 1e6).toFixed(1)} MB`;
		}),
		timed('LiveKit', async () => `${(await roomService().listRooms()).length} rooms open`),
		timed('Worker and queue', async () => {
			const { sharedQueue } = await import('../jobs/queue.server.ts');
			const q = sharedQueue();
			const [counts, workers] = await Promise.all([q.getJobCounts('waiting', 'active', 'delayed', 'failed'), q.getWorkers().catch(() => [] as unknown[])]);
			if (workers.length === 0 && (counts.waiting ?? 0) > 0) throw new Error(`no worker seen; ${counts.waiting} jobs waiting`);
			return `waiting ${counts.waiting ?? 0}, active ${counts.active ?? 0}, delayed ${counts.delayed ?? 0}, failed ${counts.failed ?? 0}; workers ${workers.length}`;
		}),
		timed('Call failures (last hour)', async () => {
			const r = await callErrorRate(ops);
			if (r.calls > 10 && r.failed / r.calls > 0.2) throw new Error(`${r.failed} of ${r.calls} calls failed`);
			return `${r.failed} of ${r.calls} calls ended by a failure`;
		})
	]);
}
