/**
 * Grouping: reports of the same fault share a fingerprint, the SHA-256 of the
 * kind, the normalised message and the top stack frames without line or column.
 * Normalising strips what changes between occurrences of one fault: numbers,
 * ids, URLs' query strings and hashes.
 */
import { createHash } from 'node:crypto';

export const TOP_FRAMES = 5;

export function normaliseMessage(message: string): string {
	return message
		.replace(/https?:\/\/[^\s)'"]+/g, (u) => '<url:' + urlPath(u) + '>')
		.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
		.replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/gi, '<id>')
		.replace(/\b[A-Za-z0-9_-]{20,}\b/g, (w) => (/\d/.test(w) ? '<id>' : w))
		.replace(/\d+(\.\d+)*/g, '<n>')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 500);
}

function urlPath(u: string): string {
	try {
		// Immutable asset names carry a content hash: keep the file stem only.
		return new URL(u).pathname.replace(/\.[A-Za-z0-9_-]{6,}(\.\w+)$/, '$1').replace(/\d+/g, '<n>');
	} catch {
		return '';
	}
}

/** The top frames of a V8 or Firefox/Safari stack: function and file, no line, column or host. */
export function topFrames(stack: string | null, n = TOP_FRAMES): string[] {
	if (!stack) return [];
	const frames: string[] = [];
	for (const raw of stack.split('\n')) {
		const line = raw.trim();
		let fn = '';
		let loc = '';
		let m = /^at (?:async )?(.*?) \((.*)\)$/.exec(line);
		if (m) [fn, loc] = [m[1]!, m[2]!];
		else if ((m = /^at (?:async )?(.*)$/.exec(line))) loc = m[1]!;
		else if ((m = /^(.*?)@(.*)$/.exec(line))) [fn, loc] = [m[1]!, m[2]!];
		else continue;
		const file = loc
			.replace(/:\d+(:\d+)?$/, '')
			.replace(/^https?:\/\/[^/]+/, '')
			.replace(/[?#].*$/, '')
			.replace(/\.[A-Za-z0-9_-]{6,}(\.\w+)$/, '$1');
		frames.push(`${fn || '<anonymous>'} ${file}`.trim());
		if (frames.length >= n) break;
	}
	return frames;
}

/**
 * Kinds whose message is written by a person ("report a problem" with a comment):
 * grouped by kind alone, so the comment never splits them (issue 11, item 6).
 */
export const USER_KINDS: readonly string[] = ['user_report'];

export function fingerprint(kind: string, message: string, stack: string | null): string {
	const key = USER_KINDS.includes(kind) ? `${kind}\n<user>` : [kind, normaliseMessage(message), ...topFrames(stack)].join('\n');
	return createHash('sha256').update(key).digest('hex');
}

/** A short title for a group, from its first report. */
export function groupTitle(kind: string, message: string): string {
	if (USER_KINDS.includes(kind)) return 'Problems reported by kiosk users';
	const m = message.replace(/\s+/g, ' ').trim();
	return (m.length > 160 ? m.slice(0, 157) + '…' : m) || kind;
}

/**
 * Whether app version a is newer than b: dot-separated parts compared numerically
 * where both are numbers ("1.10.0" > "1.9.2"), otherwise as text; a missing b is older.
 */
export function newerVersion(a: string | null, b: string | null): boolean {
	if (!a) return false;
	if (!b) return true;
	const pa = a.split(/[.+-]/);
	const pb = b.split(/[.+-]/);
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		const x = pa[i] ?? '';
		const y = pb[i] ?? '';
		if (x === y) continue;
		if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) > Number(y);
		if (x === '') return false;
		if (y === '') return true;
		return x > y;
	}
	return false;
}
