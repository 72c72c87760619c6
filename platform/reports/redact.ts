/**
 * Personal data redaction for crash reports, applied to every string before
 * storage: e-mail addresses, phone numbers (Japanese and international forms)
 * and 15-digit device identifiers (IMEI). Reports are for diagnosis; none of
 * these helps diagnose a crash and all of them identify a person or a device.
 *
 * Matching runs on a normalised copy of the text: Unicode NFKC (full-width
 * digits, letters, "＠" and "＋" become ASCII), every Unicode dash becomes "-",
 * and percent-encoded bytes are decoded ("taro%40example.com"). Each normalised
 * character remembers which characters of the original it came from, so a match
 * replaces exactly those, and the rest of the text is stored as it was sent.
 *
 * Phone numbers and device ids are found by digit windows, not by fixed
 * layouts: a run of digit groups joined by spaces, dashes, dots, slashes or
 * brackets is cut at its spaces into windows, and a window whose digits and
 * grouping make a Japanese number (0 + 9 or 10 digits), an international one
 * (+ and 8 to 15 digits) or a device id (15 digits) is replaced.
 */

export const REDACTED = {
	email: '[email]',
	phone: '[phone]',
	device: '[device-id]'
} as const;

// Hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus,
// hyphen bullet, small and full-width hyphen-minus, katakana-hiragana prolonged
// sound mark (often typed for a dash in Japanese), two- and three-em dash.
const DASHES = /[\u2010-\u2015\u2043\u2212\uFE58\uFE63\uFF0D\u30FC\uFF70\u2E3A\u2E3B]/g;

interface Normalised {
	text: string;
	/** For each UTF-16 unit of text: the original [start, end) it came from. */
	from: number[];
	to: number[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function normalise(s: string): Normalised {
	let text = '';
	const from: number[] = [];
	const to: number[] = [];
	const push = (out: string, a: number, b: number) => {
		const n = out.normalize('NFKC').replace(DASHES, '-');
		text += n;
		for (let k = 0; k < n.length; k++) {
			from.push(a);
			to.push(b);
		}
	};
	let i = 0;
	while (i < s.length) {
		if (s[i] === '%' && /^%[0-9A-Fa-f]{2}/.test(s.slice(i, i + 3))) {
			// A run of %XX bytes decodes as UTF-8 (so %E4%BE%8B is one character); on failure, left as is.
			let j = i;
			const bytes: number[] = [];
			while (j + 2 < s.length + 0 && s[j] === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(j + 1, j + 3))) {
				bytes.push(parseInt(s.slice(j + 1, j + 3), 16));
				j += 3;
			}
			let decoded: string | null = null;
			try {
				decoded = utf8.decode(new Uint8Array(bytes));
			} catch {
				decoded = null;
			}
			if (decoded !== null && !/[\u0000-\u001f]/.test(decoded)) {
				push(decoded, i, j);
				i = j;
				continue;
			}
		}
		const cp = s.codePointAt(i)!;
		const len = cp > 0xffff ? 2 : 1;
		push(s.slice(i, i + len), i, i + len);
		i += len;
	}
	return { text, from, to };
}

// Local part: letters, digits and marks in any script except hiragana (Japanese
// particles such as "は" right before an address are not part of it), plus the
// symbols addresses use in practice; not "?", "=" or "&", which would swallow a
// query string. At most 64, which also bounds the regex's work per position. Or a
// quoted string. Domain: labels in any script; the top-level domain is ASCII
// letters (so "example.comまで" ends at "com", and "livekit-client@2.23.0"
// stays) or a run of letters in another script but hiragana (".テスト"); or an
// address literal.
const LOCAL = '(?:"[^"\\r\\n]{1,64}"|(?:[^\\P{L}\\p{Script=Hiragana}]|[\\p{N}\\p{M}!#$%\'*+_~.-]){1,64})';
const LABEL = '[\\p{L}\\p{N}\\p{M}](?:[\\p{L}\\p{N}\\p{M}-]{0,61}[\\p{L}\\p{N}\\p{M}])?';
const TLD = '(?:[A-Za-z][A-Za-z0-9-]{0,62}|[^\\P{L}A-Za-z\\p{Script=Hiragana}](?:[^\\P{L}\\p{Script=Hiragana}]|\\p{M}){0,62})';
const EMAIL = new RegExp(`${LOCAL}@(?:(?:${LABEL}\\.)+${TLD}|\\[[0-9A-Fa-f:.]{2,45}\\])`, 'gu');

// A run of digit groups with their separators, optionally led by "+".
const DIGIT_RUN = /\+?\s?\(?\d[\d \-./()]*/g;
// What may join two groups inside one number.
const SEPARATOR = /^(?:[ \-./]|\(|\)|\s\(|\)\s|\)-|-\(| - )$/;

interface Group {
	digits: string;
	start: number;
	end: number;
	/** The separator before this group (empty for the first). */
	before: string;
}

type Kind = 'phone' | 'device';
const MAX_DIGITS = 17;

/** Three or more groups joined by one and the same dash, dot or slash ("490.154.203.237.518"). */
const sameMark = (groups: Group[]): boolean => groups.length >= 3 && groups.slice(1).every((g) => /^[-./]$/.test(g.before) && g.before === groups[1]!.before);

/** The kind of a window of groups, or null. `plus`: the window starts at a "+". */
function classify(groups: Group[], plus: boolean): Kind | null {
	const digits = groups.map((g) => g.digits).join('');
	const lens = groups.map((g) => g.digits.length);
	if (plus) return digits.length >= 8 && digits.length <= 15 && lens.slice(1).every((n) => n <= 5) ? 'phone' : null;
	// Dialled from Japan to abroad: 010 or 00 (some carriers) and the country code, grouped.
	if (/^00|^010/.test(digits) && digits.length >= 11 && digits.length <= 17 && groups.length >= 3 && lens[0]! <= 4 && lens.slice(1).every((n) => n <= 5)) return 'phone';
	if (digits.length === 15 && (groups.length === 1 || ['2-6-6-1', '8-6-1'].includes(lens.join('-')) || lens.every((n) => n === 1) || sameMark(groups))) return 'device';
	if (digits[0] !== '0' || (digits.length !== 10 && digits.length !== 11)) return null;
	if (groups.length === 1 || lens.every((n) => n === 1)) return 'phone';
	return groups.length <= 4 && lens[0]! >= 2 && lens[0]! <= 5 && lens.slice(1).every((n) => n >= 1 && n <= 4) ? 'phone' : null;
}

/** Spans (in the normalised text) of phone numbers and device ids in one digit run. */
function digitSpans(text: string, runStart: number, run: string, glued: { before: boolean; after: boolean }): { start: number; end: number; kind: Kind }[] {
	const plus = run.startsWith('+');
	const groups: Group[] = [];
	const re = /\d+/g;
	let m: RegExpExecArray | null;
	let last = 0;
	while ((m = re.exec(run))) {
		groups.push({ digits: m[0], start: runStart + m.index, end: runStart + m.index + m[0].length, before: groups.length ? run.slice(last, m.index) : '' });
		last = m.index + m[0].length;
	}
	// Cut the run where two groups are joined by something no number uses ("5. 03", "1 - - 2").
	const pieces: Group[][] = [];
	for (const g of groups) {
		if (!pieces.length || !SEPARATOR.test(g.before)) pieces.push([g]);
		else pieces[pieces.length - 1]!.push(g);
	}
	const spans: { start: number; end: number; kind: Kind }[] = [];
	for (const [p, piece] of pieces.entries()) {
		// Windows start at the piece's start or after a space and end at its end or before a
		// space, so "0.0123456789" or the middle of "2024/06/01" never starts a number.
		// A group glued to a word or a decimal point ("v2 ...", "... 5th") is not the edge of a number.
		const canStart = piece.map((g, k) => (k === 0 && !(p === 0 && glued.before)) || /\s/.test(g.before));
		const canEnd = piece.map((_, k) => (k === piece.length - 1 && !(p === pieces.length - 1 && glued.after)) || (k < piece.length - 1 && /\s/.test(piece[k + 1]!.before)));
		let k = 0;
		while (k < piece.length) {
			if (!canStart[k]) {
				k++;
				continue;
			}
			const withPlus = plus && p === 0 && k === 0;
			// No number is longer than 17 digits: windows stop there, so a long run costs linear time.
			let last = k;
			for (let digits = 0; last < piece.length && (digits += piece[last]!.digits.length) <= MAX_DIGITS; last++);
			let found: { end: number; kind: Kind } | null = null;
			for (let e = last - 1; e >= k; e--) {
				if (!canEnd[e]) continue;
				const kind = classify(piece.slice(k, e + 1), withPlus);
				if (kind) {
					found = { end: e, kind };
					break;
				}
			}
			if (!found) {
				k++;
				continue;
			}
			let start = piece[k]!.start;
			if (withPlus) start = runStart;
			else if (piece[k]!.before.endsWith('(') || (k === 0 && text[start - 1] === '(')) start = text.lastIndexOf('(', start);
			let end = piece[found.end]!.end;
			if (text[end] === ')' && text.lastIndexOf('(', end) >= start) end++;
			spans.push({ start, end, kind: found.kind });
			k = found.end + 1;
		}
	}
	return spans;
}

/** One string with personal data replaced by placeholders. */
export function redactText(s: string): string {
	if (!/[0-9@%\uFF10-\uFF19\uFF20\uFE6B]|[^\x00-\x7f]/.test(s)) return s;
	const n = normalise(s);
	const spans: { start: number; end: number; label: string }[] = [];
	for (const m of n.text.matchAll(EMAIL)) spans.push({ start: m.index, end: m.index + m[0].length, label: REDACTED.email });
	const inEmail = (i: number) => spans.some((sp) => i >= sp.start && i < sp.end);
	for (const m of n.text.matchAll(DIGIT_RUN)) {
		let run = m[0].replace(/[^\d]+$/, '');
		let at = m.index;
		if (inEmail(at)) continue;
		const lead = /^[\s(]+/.exec(run)?.[0].length ?? 0;
		if (lead && !run.startsWith('+')) {
			run = run.slice(lead);
			at += lead;
		}
		// Glued to a word, a decimal point or a dotted name (v2, x_1, 1.5, a.js:12): that end is not a number's edge.
		const glued = { before: /[A-Za-z0-9_.]/.test(n.text[at - 1] ?? ''), after: /[A-Za-z0-9_]/.test(n.text[at + run.length] ?? '') };
		for (const sp of digitSpans(n.text, at, run, glued)) spans.push({ ...sp, label: sp.kind === 'phone' ? REDACTED.phone : REDACTED.device });
	}
	if (!spans.length) return s;
	spans.sort((a, b) => a.start - b.start);
	let out = '';
	let pos = 0;
	for (const sp of spans) {
		const a = n.from[sp.start]!;
		const b = n.to[sp.end - 1]!;
		if (a < pos) continue;
		out += s.slice(pos, a) + sp.label;
		pos = b;
	}
	return out + s.slice(pos);
}

/** Every string in a JSON value (keys included) redacted; other values as they are. */
export function redactDeep<T>(v: T): T {
	if (typeof v === 'string') return redactText(v) as T;
	if (Array.isArray(v)) return v.map(redactDeep) as T;
	// fromEntries defines own properties, so no key can reach a prototype.
	if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redactText(k), redactDeep(x)])) as T;
	return v;
}
