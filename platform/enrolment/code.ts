/**
 * One-time enrolment codes: six random digits, stored only as
 * hex(HMAC-SHA256(key, accountId ':' code)). The key is derived from a server secret
 * that never reaches the database (the LiveKit API secret, which every deployment
 * has), so the table alone cannot be turned back into codes by trying all 10^6.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const CODE_PATTERN = /^\d{6}$/;

export function generateCode(): string {
	return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** A code as typed, with spaces and dashes dropped (people write "123 456"), or null. */
export function parseCode(v: unknown): string | null {
	if (typeof v !== 'string' || v.length > 20) return null;
	const code = v.replace(/[\s-]/g, '');
	return CODE_PATTERN.test(code) ? code : null;
}

export function codeHash(key: string, accountId: string, code: string): string {
	return createHmac('sha256', key).update(`${accountId}:${code}`).digest('hex');
}

/** Constant-time comparison of two hex hashes (a missing one compares against a dummy). */
export function sameHash(stored: string | null, computed: string): boolean {
	const a = Buffer.from(stored ?? '0'.repeat(64), 'hex');
	const b = Buffer.from(computed, 'hex');
	const equal = a.length === b.length && timingSafeEqual(a, b);
	return equal && stored !== null;
}
