/**
 * Session tokens as in the Lucia guide: 20 random bytes, base32 (lower case, no
 * padding) in the cookie; only hex(sha256(token)) is stored.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** 20 bytes in base32 are exactly 32 characters of a-z2-7. Anything else is not ours. */
export function isWellFormedToken(token: unknown): token is string {
	return typeof token === 'string' && /^[a-z2-7]{32}$/.test(token);
}
