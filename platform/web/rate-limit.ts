/**
 * A token bucket per key, in memory (the Lucia example's RefillingTokenBucket).
 * Per process: with several app instances each enforces its own share, which is
 * enough to slow guessing; the account lockout is the durable limit.
 */
export class TokenBucket {
	private buckets = new Map<string, { tokens: number; at: number }>();
	constructor(
		private readonly max: number,
		private readonly refillPerSecond: number
	) {}

	take(key: string, cost = 1, now = Date.now()): boolean {
		const b = this.buckets.get(key) ?? { tokens: this.max, at: now };
		b.tokens = Math.min(this.max, b.tokens + ((now - b.at) / 1000) * this.refillPerSecond);
		b.at = now;
		const ok = b.tokens >= cost;
		if (ok) b.tokens -= cost;
		this.buckets.set(key, b);
		if (this.buckets.size > 50_000) this.prune(now);
		return ok;
	}

	private prune(now: number): void {
		for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * this.refillPerSecond >= this.max) this.buckets.delete(k);
	}
}

/**
 * The key a client address is counted under, for the per-IP sign-in limit and the
 * per-source lockout: an IPv4 address as it is (also when written IPv4-mapped,
 * `::ffff:192.0.2.1`), an IPv6 address by its /64 (one subscriber usually holds a
 * whole /64, so counting single addresses would give an attacker 2^64 of them), and
 * 'unknown' for anything that is not an address.
 */
export function ipKey(ip: string | null | undefined): string {
	if (!ip) return 'unknown';
	const v = ip.trim().toLowerCase().replace(/%.*$/, '');
	const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(v);
	if (mapped) return ipv4(mapped[1]!) ?? 'unknown';
	if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(v)) return ipv4(v) ?? 'unknown';
	const groups = ipv6Groups(v);
	if (!groups) return 'unknown';
	return (
		groups
			.slice(0, 4)
			.map((g) => g.toString(16))
			.join(':') + '::/64'
	);
}

function ipv4(v: string): string | null {
	const parts = v.split('.').map(Number);
	return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts.join('.') : null;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail allowed), or null. */
function ipv6Groups(v: string): number[] | null {
	if (!/^[0-9a-f:.]{2,45}$/.test(v) || (v.match(/::/g)?.length ?? 0) > 1) return null;
	let s = v;
	const v4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
	if (v4) {
		const a = ipv4(v4[1]!);
		if (!a) return null;
		const p = a.split('.').map(Number);
		s = s.slice(0, v4.index + 1) + ((p[0]! << 8) | p[1]!).toString(16) + ':' + ((p[2]! << 8) | p[3]!).toString(16);
	}
	if (s.includes('.')) return null;
	const parse = (part: string) => (part === '' ? [] : part.split(':'));
	let groups: string[];
	if (s.includes('::')) {
		const [l, r] = s.split('::') as [string, string];
		const left = parse(l);
		const right = parse(r);
		if (left.length + right.length > 7) return null;
		groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
	} else {
		groups = parse(s);
		if (groups.length !== 8) return null;
	}
	if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
	return groups.map((g) => parseInt(g, 16));
}
