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
