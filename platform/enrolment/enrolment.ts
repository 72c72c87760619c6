/**
 * Kiosk enrolment by one-time code (issue 11, item 3; seeds 001, 004).
 *
 * An admin issues a 6-digit code for a kiosk account: valid 10 minutes, usable
 * once, stored only as an HMAC (code.ts). On the kiosk's sign-in screen the staff
 * enter the kiosk's login ID and the code instead of a password and the kiosk gets
 * a device session.
 *
 * Codes are guessable by nature (10^6), so the lookup is narrow: the login ID picks
 * the one code that can match; each code allows five checks in all (reserved
 * atomically before the comparison, so parallel tries cannot exceed five: at most
 * 5 in 10^6 per code issued) and the fifth wrong one voids it; a source with
 * SOURCE_LIMIT wrong codes in an hour is refused unchecked; a tenant whose kiosks
 * get ALERT_FAILURES wrong codes in 15 minutes gets an `enrolment.alert` in its
 * audit log and every further wrong answer there waits longer (enrolDelayMs). The
 * comparison is constant-time, and an unknown login ID, a kiosk without a live
 * code, a used or expired code and a wrong code are answered alike.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { config } from '../config.server.ts';
import { db, withTenant } from '../db.server.ts';
import { DomainError, Forbidden, Invalid, NotFound, Unauthorized } from '../errors.ts';
import { cleanIp, writeAudit } from '../audit/audit.ts';
import { getAccount, getPolicy } from '../accounts/accounts.repo.ts';
import { SUSPENDED, parseLoginId, type SignInMeta, type SignInResult } from '../accounts/sign-in.ts';
import { createSession } from '../sessions/sessions.ts';
import { isUuid } from '../ids.ts';
import type { Actor } from '../types.ts';
import { ipKey } from '../web/rate-limit.ts';
import { codeHash, generateCode, parseCode, sameHash } from './code.ts';
import { insertCode, listLiveCodes, recordEnrolmentFailure, redeemEnrolment, reserveEnrolment, voidLiveCodes, type LiveCodeRow } from './enrolment.repo.ts';

export const CODE_TTL_MS = 10 * 60 * 1000;
/** Wrong codes one source may enter in an hour before it is refused unchecked. */
export const SOURCE_LIMIT = 10;
/** Wrong codes across a tenant's kiosks in 15 minutes that raise `enrolment.alert`. */
export const ALERT_FAILURES = 20;

const NIL = '00000000-0000-0000-0000-000000000000';
const WRONG = 'The login ID or code is not right, or the code has expired or was already used. Ask your administrator for a new code.';

let key: string | null = null;
function codeKey(): string {
	key ??= createHmac('sha256', config().livekit.apiSecret).update('concierge/enrolment-code/v1').digest('hex');
	return key;
}

/**
 * How long a wrong code waits before it is answered, from the tenant's wrong codes
 * in the last 15 minutes: none for the first 5 (a person mistyping), then 250 ms
 * more per failure, up to 3 s.
 */
export function enrolDelayMs(tenantFailures: number): number {
	if (tenantFailures <= 5) return 0;
	return Math.min(3000, 250 * (tenantFailures - 5));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function requireAdmin(actor: Actor): void {
	if (actor.role !== 'admin') throw new Forbidden('admin_only', 'Only administrators can issue enrolment codes.');
}

export interface IssuedCode {
	code: string;
	expiresAt: Date;
	loginId: string;
}

/**
 * Issue a code for a kiosk account of the admin's tenant, replacing any live one.
 * The plain code is returned once, to be shown to the admin; only its HMAC is kept.
 */
export async function issueEnrolmentCode(actor: Actor, accountId: unknown): Promise<IssuedCode> {
	requireAdmin(actor);
	if (!isUuid(accountId)) throw new Invalid('bad_account', 'Choose a kiosk account.');
	const code = generateCode();
	const expiresAt = new Date(Date.now() + CODE_TTL_MS);
	return withTenant(actor.tenantId, async (tx) => {
		const account = await getAccount(tx, accountId);
		if (!account) throw new NotFound('account_not_found', 'That account is not in your organisation.');
		if (account.role !== 'kiosk') throw new Invalid('not_a_kiosk', 'Enrolment codes are only for kiosk accounts.');
		if (account.disabledAt) throw new Invalid('account_disabled', 'This kiosk account is disabled. Enable it before enrolling a terminal.');
		const replaced = await voidLiveCodes(tx, account.id, 'replaced');
		await insertCode(tx, {
			id: randomUUID(),
			tenantId: actor.tenantId,
			accountId: account.id,
			codeHash: codeHash(codeKey(), account.id, code),
			issuedBy: actor.accountId,
			expiresAt
		});
		await writeAudit(tx, actor, {
			tenantId: actor.tenantId,
			action: 'enrolment.code_issued',
			targetType: 'account',
			targetId: account.id,
			ip: actor.ip ?? null,
			detail: { loginId: account.loginId, expiresAt: expiresAt.toISOString(), replaced }
		});
		return { code, expiresAt, loginId: account.loginId };
	});
}

/** Void a kiosk's live code (the admin changed their mind, or it was seen by someone else). */
export async function revokeEnrolmentCode(actor: Actor, accountId: unknown): Promise<boolean> {
	requireAdmin(actor);
	if (!isUuid(accountId)) throw new Invalid('bad_account', 'Choose a kiosk account.');
	return withTenant(actor.tenantId, async (tx) => {
		const account = await getAccount(tx, accountId);
		if (!account) throw new NotFound('account_not_found', 'That account is not in your organisation.');
		const n = await voidLiveCodes(tx, account.id, 'revoked');
		if (n > 0)
			await writeAudit(tx, actor, {
				tenantId: actor.tenantId,
				action: 'enrolment.code_revoked',
				targetType: 'account',
				targetId: account.id,
				ip: actor.ip ?? null,
				detail: { loginId: account.loginId }
			});
		return n > 0;
	});
}

/** Live codes of the admin's tenant by account id (when each expires), for the accounts page. */
export async function liveEnrolmentCodes(actor: Actor): Promise<Map<string, LiveCodeRow>> {
	requireAdmin(actor);
	const rows = await withTenant(actor.tenantId, (tx) => listLiveCodes(tx));
	return new Map(rows.map((r) => [r.accountId, r]));
}

/**
 * Sign a kiosk in with its login ID and a one-time code. Returns a kiosk session,
 * as a password sign-in does. Every refusal a guesser can cause is one message.
 */
export async function enrolKiosk(input: { loginId: unknown; code: unknown }, meta: SignInMeta = {}): Promise<SignInResult> {
	if (typeof input.loginId !== 'string' || input.loginId.trim() === '') throw new Invalid('login_id_required', 'Enter the login ID of this kiosk.');
	if (typeof input.code !== 'string' || input.code.trim() === '') throw new Invalid('code_required', 'Enter the 6-digit code.');
	const code = parseCode(input.code);
	if (!code) throw new Invalid('bad_code', 'The code is 6 digits, for example 042 917.');
	const loginId = parseLoginId(input.loginId);
	if (!loginId) throw new Unauthorized('invalid_code', WRONG);
	const source = ipKey(meta.ip);
	const ip = cleanIp(meta.ip);

	const r = await reserveEnrolment(db(), loginId, source, SOURCE_LIMIT);
	const match = r.allowed && sameHash(r.codeHash, codeHash(codeKey(), r.accountId ?? NIL, code));
	const redeemed = match && r.codeId ? await redeemEnrolment(db(), r.codeId) : null;
	if (!redeemed) {
		const tenantFailures = await recordEnrolmentFailure(db(), { loginId, source, codeId: r.allowed ? r.codeId : null, ip, alertFailures: ALERT_FAILURES });
		await sleep(enrolDelayMs(tenantFailures));
		throw new Unauthorized('invalid_code', WRONG);
	}

	const outcome = await withTenant(redeemed.tenantId, async (tx): Promise<SignInResult | DomainError> => {
		const account = await getAccount(tx, redeemed.accountId);
		if (!account || account.role !== 'kiosk') return new Unauthorized('invalid_code', WRONG);
		const actor = { accountId: account.id, loginId: account.loginId };
		if ((await getPolicy(tx, account.tenantId)).suspendedAt) {
			await writeAudit(tx, actor, {
				tenantId: account.tenantId,
				action: 'signin.refused_suspended',
				targetType: 'account',
				targetId: account.id,
				ip,
				detail: { app: 'kiosk', method: 'code' }
			});
			return new Forbidden('tenant_suspended', SUSPENDED);
		}
		if (account.disabledAt) {
			await writeAudit(tx, actor, {
				tenantId: account.tenantId,
				action: 'signin.refused_disabled',
				targetType: 'account',
				targetId: account.id,
				ip,
				detail: { app: 'kiosk', method: 'code' }
			});
			return new Forbidden('account_disabled', 'This account has been disabled. Please contact your administrator.');
		}
		const { token, expiresAt } = await createSession(tx, account, 'kiosk', meta);
		await writeAudit(tx, actor, {
			tenantId: account.tenantId,
			action: 'enrolment.redeemed',
			targetType: 'account',
			targetId: account.id,
			ip,
			detail: { app: 'kiosk', method: 'code' }
		});
		return { token, expiresAt, role: account.role, passwordExpired: false };
	});
	if (outcome instanceof DomainError) throw outcome;
	return outcome;
}
