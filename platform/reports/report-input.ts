/**
 * The shape of a crash or problem report as a kiosk sends it, validated by hand
 * (no schema library). Anything else is refused with a 400 that names the field.
 */
import { Invalid } from '../errors.ts';
import { isUuid } from '../ids.ts';

export const REPORT_KINDS = ['error', 'unhandled_rejection', 'livekit_disconnect', 'media_error', 'call_error', 'user_report'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportInput {
	/** Client-generated UUID: the idempotency key. */
	id: string;
	kind: ReportKind;
	message: string;
	stack: string | null;
	reason: string | null;
	/** What the person typed when they pressed "Report a problem". */
	comment: string | null;
	appVersion: string;
	userAgent: string;
	url: string | null;
	occurredAt: string;
	device: Record<string, string | number | boolean | null>;
	logs: string[];
	stats: unknown;
}

const FIELDS = new Set(['id', 'kind', 'message', 'stack', 'reason', 'comment', 'appVersion', 'userAgent', 'url', 'occurredAt', 'device', 'logs', 'stats']);
const LIMITS = {
	message: 2_000,
	stack: 16_000,
	reason: 500,
	comment: 2_000,
	appVersion: 64,
	userAgent: 512,
	url: 500,
	logLine: 1_000,
	logs: 200,
	deviceKeys: 40,
	deviceValue: 200,
	stats: 64 * 1024,
	statsDepth: 6
};

const bad = (field: string, what: string): never => {
	throw new Invalid('invalid_report', `The report's "${field}" ${what}.`, { field });
};

function text(o: Record<string, unknown>, field: string, max: number, required: true): string;
function text(o: Record<string, unknown>, field: string, max: number, required: false): string | null;
function text(o: Record<string, unknown>, field: string, max: number, required: boolean): string | null {
	const v = o[field];
	if (v === undefined || v === null) return required ? bad(field, 'is missing') : null;
	if (typeof v !== 'string') return bad(field, 'must be text');
	if (v.length > max) return bad(field, `is longer than ${max} characters`);
	if (required && v.trim() === '') return bad(field, 'is empty');
	return v;
}

/** Keys that mean something to JavaScript objects or to devalue (which refuses objects holding them). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Also in a look-alike form that Unicode normalisation (as redaction applies it) would turn into one. */
export const isReservedKey = (k: string): boolean => RESERVED_KEYS.has(k) || RESERVED_KEYS.has(k.normalize('NFKC'));
/** Far deeper than any report field needs; stats has its own, smaller limit below. */
const MAX_BODY_DEPTH = 32;

interface Node {
	value: unknown;
	depth: number;
	parent: Node | null;
	key: string;
}

const pathOf = (n: Node): string => {
	const parts: string[] = [];
	for (let c: Node | null = n; c && c.parent; c = c.parent) parts.push(c.key);
	return parts.reverse().join('.');
};

/**
 * One pass over the whole body without recursion (a body nested 10,000 deep must
 * be a 400, not a RangeError): refuses reserved keys at any depth, naming the
 * field path, and anything nested deeper than MAX_BODY_DEPTH. Paths are built
 * only for the answer, so a deep body costs no more than its size.
 */
function checkStructure(body: object): void {
	const stack: Node[] = [{ value: body, depth: 0, parent: null, key: '' }];
	while (stack.length) {
		const n = stack.pop()!;
		if (n.depth > MAX_BODY_DEPTH) bad(pathOf(n).split('.')[0] ?? 'report', `is nested deeper than ${MAX_BODY_DEPTH} levels`);
		const v = n.value;
		if (!v || typeof v !== 'object') continue;
		const keys = Object.keys(v);
		for (const k of keys) {
			const child: Node = { value: (v as Record<string, unknown>)[k], depth: n.depth + 1, parent: n, key: Array.isArray(v) ? `[${k}]` : k.slice(0, 64) };
			if (!Array.isArray(v) && isReservedKey(k)) bad(pathOf(child), 'is a reserved name that cannot be used as a key');
			stack.push(child);
		}
	}
}

/** Nesting depth of a value (0 for a plain value), without recursion; stops counting past max. */
function depth(v: unknown, max: number): number {
	let deepest = 0;
	const stack: [unknown, number][] = [[v, 0]];
	while (stack.length) {
		const [x, d] = stack.pop()!;
		if (!x || typeof x !== 'object') continue;
		if (d + 1 > deepest) deepest = d + 1;
		if (deepest > max) return deepest;
		for (const c of Object.values(x)) stack.push([c, d + 1]);
	}
	return deepest;
}

/** Validate a parsed JSON body as a report, or throw Invalid. */
export function parseReport(body: unknown): ReportInput {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Invalid('invalid_report', 'The report must be a JSON object.');
	const o = body as Record<string, unknown>;
	// Unknown fields are refused, not dropped: a kiosk cannot smuggle a tenant or account in.
	for (const k of Object.keys(o)) if (!FIELDS.has(k)) bad(k.slice(0, 40), 'is not a report field');
	checkStructure(o);
	const id = text(o, 'id', 36, true);
	if (!isUuid(id)) bad('id', 'must be a UUID');
	const kind = text(o, 'kind', 40, true) as ReportKind;
	if (!REPORT_KINDS.includes(kind)) bad('kind', `must be one of ${REPORT_KINDS.join(', ')}`);
	const occurredAt = text(o, 'occurredAt', 40, true);
	const at = Date.parse(occurredAt);
	if (!Number.isFinite(at)) bad('occurredAt', 'must be a date and time');
	// A kiosk clock may be off, and reports kept offline may be old; years off is nonsense.
	if (Math.abs(at - Date.now()) > 366 * 24 * 3600 * 1000) bad('occurredAt', 'is more than a year away from now');

	const device = o.device ?? {};
	if (typeof device !== 'object' || device === null || Array.isArray(device)) bad('device', 'must be an object');
	const deviceEntries = Object.entries(device as Record<string, unknown>);
	if (deviceEntries.length > LIMITS.deviceKeys) bad('device', `has more than ${LIMITS.deviceKeys} entries`);
	for (const [k, v] of deviceEntries) {
		if (k.length > 64) bad('device', 'has a key longer than 64 characters');
		if (!(v === null || typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= LIMITS.deviceValue)))
			bad(`device.${k.slice(0, 64)}`, 'must be short text, a number, true/false or null');
	}

	const logs = o.logs ?? [];
	if (!Array.isArray(logs)) bad('logs', 'must be a list of lines');
	if ((logs as unknown[]).length > LIMITS.logs) bad('logs', `has more than ${LIMITS.logs} lines`);
	for (const line of logs as unknown[]) {
		if (typeof line !== 'string') bad('logs', 'must hold only text lines');
		if ((line as string).length > LIMITS.logLine) bad('logs', `has a line longer than ${LIMITS.logLine} characters`);
	}

	const stats = o.stats ?? null;
	if (stats !== null) {
		if (typeof stats !== 'object') bad('stats', 'must be an object');
		// Depth first: only a shallow value is safe to stringify for its size.
		if (depth(stats, LIMITS.statsDepth) > LIMITS.statsDepth) bad('stats', `is nested deeper than ${LIMITS.statsDepth} levels`);
		if (JSON.stringify(stats).length > LIMITS.stats) bad('stats', `is larger than ${LIMITS.stats} bytes`);
	}

	return wellFormed({
		id: id.toLowerCase(),
		kind,
		message: text(o, 'message', LIMITS.message, true),
		stack: text(o, 'stack', LIMITS.stack, false),
		reason: text(o, 'reason', LIMITS.reason, false),
		comment: text(o, 'comment', LIMITS.comment, false),
		appVersion: text(o, 'appVersion', LIMITS.appVersion, true),
		userAgent: text(o, 'userAgent', LIMITS.userAgent, true),
		url: text(o, 'url', LIMITS.url, false),
		occurredAt: new Date(at).toISOString(),
		device: device as ReportInput['device'],
		logs: logs as string[],
		stats
	});
}

/**
 * Every string made storable: PostgreSQL's jsonb and text refuse NUL characters,
 * and lone UTF-16 surrogates are not text. Both become U+FFFD.
 */
function wellFormed<T>(v: T): T {
	if (typeof v === 'string') return v.replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') as T;
	if (Array.isArray(v)) return v.map(wellFormed) as T;
	// fromEntries defines own properties, so a "__proto__" key stays a key.
	if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormed(x)])) as T;
	return v;
}
