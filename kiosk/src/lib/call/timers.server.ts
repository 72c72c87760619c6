/**
 * Runs missed-call expiry from this app process until it moves onto a queue job.
 * Started lazily by the call routes; expireRingingCalls is idempotent, so every
 * instance may run it.
 */
import { expireRingingCalls } from '$platform/calls/calls.ts';

let timer: NodeJS.Timeout | null = null;

export function startCallTimers(): void {
	if (timer) return;
	timer = setInterval(() => {
		expireRingingCalls(new Date()).catch((e) => console.error(JSON.stringify({ level: 'error', area: 'calls', msg: 'expireRingingCalls failed', error: String(e) })));
	}, 2_000);
	timer.unref();
}
