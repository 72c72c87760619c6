/**
 * IP allow-list ranges (issue 11, item 4): IPv4 and IPv6 CIDR, parsed and matched
 * without a library. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, which Node
 * reports for IPv4 clients on a dual-stack socket) matches IPv4 ranges.
 */

interface Parsed {
	v: 4 | 6;
	n: bigint;
}

function parseV4(s: string): bigint | null {
	const parts = s.split('.');
	if (parts.length !== 4) return null;
	let n = 0n;
	for (const p of parts) {
		if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return null;
		const b = Number(p);
		if (b > 255) return null;
		n = (n << 8n) | BigInt(b);
	}
	return n;
}

function parseV6(s: string): bigint | null {
	if (!/^[0-9a-f:.]+$/i.test(s) || s.length > 45) return null;
	let tail: bigint | null = null;
	let text = s;
	const lastColon = s.lastIndexOf(':');
	if (s.includes('.')) {
		tail = parseV4(s.slice(lastColon + 1));
		if (tail === null) return null;
		text = s.slice(0, lastColon + 1) + '0:0';
	}
	const halves = text.split('::');
	if (halves.length > 2) return null;
	const groups = (h: string) => (h === '' ? [] : h.split(':'));
	const head = groups(halves[0]!);
	const rest = halves.length === 2 ? groups(halves[1]!) : [];
	const missing = 8 - head.length - rest.length;
	if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
	const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
	let n = 0n;
	for (const g of all) {
		if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
		n = (n << 16n) | BigInt(parseInt(g, 16));
	}
	if (tail !== null) n = (n & ~0xffffffffn) | tail;
	return n;
}

/** An address as a number, IPv4-mapped IPv6 as IPv4; null when it is not an address. */
export function parseIp(ip: string | null | undefined): Parsed | null {
	if (!ip) return null;
	const s = ip.trim().replace(/%.*$/, '');
	const v4 = parseV4(s);
	if (v4 !== null) return { v: 4, n: v4 };
	const v6 = parseV6(s);
	if (v6 === null) return null;
	if (v6 >> 32n === 0xffffn) return { v: 4, n: v6 & 0xffffffffn };
	return { v: 6, n: v6 };
}

function format(p: Parsed): string {
	if (p.v === 4) return [24n, 16n, 8n, 0n].map((s) => String((p.n >> s) & 255n)).join('.');
	const groups = Array.from({ length: 8 }, (_, i) => ((p.n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
	// The longest run of zero groups (two or more) becomes '::'.
	let best = -1;
	let bestLen = 1;
	for (let i = 0; i < 8;) {
		if (groups[i] !== '0') {
			i++;
			continue;
		}
		let j = i;
		while (j < 8 && groups[j] === '0') j++;
		if (j - i > bestLen) [best, bestLen] = [i, j - i];
		i = j;
	}
	if (best < 0) return groups.join(':');
	return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':');
}

export interface Cidr {
	v: 4 | 6;
	base: bigint;
	bits: number;
}

/**
 * Parse "a.b.c.d/n", "x::y/n" or a bare address (a /32 or /128). Host bits must be
 * zero, as PostgreSQL's cidr requires: "192.0.2.1/24" is refused, so a typo cannot
 * silently widen or narrow a range. Returns the normalised text or null.
 */
export function parseCidr(text: string): { cidr: Cidr; text: string } | null {
	const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
	if (!m) return null;
	const addr = m[1]!;
	// An IPv4-mapped IPv6 range stays IPv6 text only if written that way; keep it simple: refuse it.
	const v4 = parseV4(addr);
	const v6 = v4 === null ? parseV6(addr) : null;
	if (v4 === null && v6 === null) return null;
	const v: 4 | 6 = v4 !== null ? 4 : 6;
	const width = v === 4 ? 32 : 128;
	const bits = m[2] === undefined ? width : Number(m[2]);
	if (bits > width || (m[2] !== undefined && m[2].length > 1 && m[2].startsWith('0'))) return null;
	const base = (v4 ?? v6)!;
	const host = (1n << BigInt(width - bits)) - 1n;
	if ((base & host) !== 0n) return null;
	return { cidr: { v, base, bits }, text: `${format({ v, n: base })}/${bits}` };
}

export function cidrContains(c: Cidr, ip: Parsed): boolean {
	if (c.v !== ip.v) return false;
	const width = c.v === 4 ? 32 : 128;
	const shift = BigInt(width - c.bits);
	return ip.n >> shift === c.base >> shift;
}

/**
 * Whether an address may pass a list: an empty list lets everyone through; with a
 * list, an unknown address (no socket address, or one adapter-node could not read
 * from the configured proxy header) never passes.
 */
export function ipAllowed(list: readonly string[], ip: string | null | undefined): boolean {
	if (list.length === 0) return true;
	const p = parseIp(ip);
	if (!p) return false;
	return list.some((t) => {
		const c = parseCidr(t);
		return c !== null && cidrContains(c.cidr, p);
	});
}
