/**
 * Passwords: argon2id (memory-hard) with the parameters of the Lucia guide, and a
 * per-tenant policy (length, character classes, maximum age).
 */
import { hash, verify } from '@node-rs/argon2';

const PARAMS = { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 } as const;

/** Longest password we will hash: argon2 cost does not depend on it, but request size does. */
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
	return hash(password, PARAMS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

// Spent on unknown login IDs so a wrong ID costs as long as a wrong password.
let dummyHash: Promise<string> | null = null;
export async function burnPasswordCheck(password: string): Promise<void> {
	dummyHash ??= hashPassword('concierge-timing-equaliser');
	await verifyPassword(await dummyHash, password);
}

export interface PasswordPolicy {
	minLength: number;
	minClasses: number;
	maxAgeDays: number;
}

/** Problems with a new password under a policy, each a sentence for the person choosing it. */
export function passwordProblems(policy: PasswordPolicy, password: string, loginId?: string): string[] {
	const problems: string[] = [];
	if (password.length < policy.minLength) problems.push(`Use at least ${policy.minLength} characters.`);
	if (password.length > MAX_PASSWORD_LENGTH) problems.push(`Use at most ${MAX_PASSWORD_LENGTH} characters.`);
	const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
	if (classes < policy.minClasses) problems.push(`Mix at least ${policy.minClasses} of: lower-case letters, upper-case letters, digits, symbols.`);
	if (loginId && password.toLowerCase().includes(loginId.toLowerCase())) problems.push('Do not include your login ID.');
	return problems;
}
