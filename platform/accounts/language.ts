/**
 * The console's language follows the signed-in person's preference, stored on the
 * account (migration 012). English when none is set.
 */
import { withTenant, type Sql } from '../db.server.ts';
import { Invalid, NotFound } from '../errors.ts';
import type { Actor } from '../types.ts';
import * as repo from './accounts.repo.ts';

export const CONSOLE_LOCALES = ['en', 'ja'] as const;
export type ConsoleLocale = (typeof CONSOLE_LOCALES)[number];

export function isConsoleLocale(v: unknown): v is ConsoleLocale {
	return typeof v === 'string' && (CONSOLE_LOCALES as readonly string[]).includes(v);
}

/** The actor's preferred console language ('en' when none is set). */
export async function getPreferredLocale(actor: Actor): Promise<ConsoleLocale> {
	const v = await withTenant(actor.tenantId, (tx: Sql) => repo.getPreferredLocale(tx, actor.accountId));
	return isConsoleLocale(v) ? v : 'en';
}

/** Set the actor's own preferred console language; only its own account. */
export async function setPreferredLocale(actor: Actor, raw: unknown): Promise<ConsoleLocale> {
	if (!isConsoleLocale(raw)) throw new Invalid('bad_locale', `Choose one of: ${CONSOLE_LOCALES.join(', ')}.`);
	const ok = await withTenant(actor.tenantId, (tx: Sql) => repo.setPreferredLocale(tx, actor.accountId, raw));
	if (!ok) throw new NotFound('account_not_found', 'This account no longer exists.');
	return raw;
}
