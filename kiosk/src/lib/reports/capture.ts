/**
 * Crash and problem capture on the kiosk. Listens for uncaught errors, unhandled
 * rejections, and the call code's `concierge:problem` events (LiveKit disconnects,
 * camera/microphone/screen failures, call errors); keeps the recent log lines
 * (including console.warn/error and `concierge:log` events) in a ring buffer; and
 * sends each report through the IndexedDB outbox, so a report made offline is
 * sent when the platform is reachable again.
 */
import { allItems, deleteItem, MAX_ITEMS, putItem, type OutboxItem } from './outbox.ts';

export type ProblemKind = 'error' | 'unhandled_rejection' | 'livekit_disconnect' | 'media_error' | 'call_error' | 'user_report';
export interface ProblemDetail {
	kind: 'livekit_disconnect' | 'media_error' | 'call_error';
	message: string;
	reason?: string;
	stats?: object;
}

const RING = 100;
const lines: string[] = [];
let version = 'unknown';
let started = false;
let flushing: Promise<void> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

export function logLine(line: string): void {
	lines.push(`${new Date().toISOString()} ${line}`.slice(0, 1000));
	if (lines.length > RING) lines.splice(0, lines.length - RING);
}

/** The recent log lines, oldest first (a copy). */
export const recentLines = () => [...lines];

function describe(v: unknown): string {
	if (v instanceof Error) return `${v.name}: ${v.message}`;
	if (typeof v === 'string') return v;
	try {
		return JSON.stringify(v) ?? String(v);
	} catch {
		return String(v);
	}
}

function device(): Record<string, string | number | boolean | null> {
	const n = navigator as Navigator & { deviceMemory?: number; connection?: { effectiveType?: string } };
	return {
		platform: navigator.platform || null,
		language: navigator.language || null,
		screen: `${screen.width}x${screen.height}@${devicePixelRatio}`,
		viewport: `${innerWidth}x${innerHeight}`,
		cores: navigator.hardwareConcurrency ?? null,
		memoryGiB: n.deviceMemory ?? null,
		online: navigator.onLine,
		network: n.connection?.effectiveType ?? null,
		touch: navigator.maxTouchPoints > 0
	};
}

/** Build a report and put it in the outbox; it is sent as soon as possible. */
export async function report(kind: ProblemKind, message: string, extra: { stack?: string | null; reason?: string; stats?: object; comment?: string } = {}): Promise<string> {
	const id = crypto.randomUUID();
	const body: Record<string, unknown> = {
		id,
		kind,
		message: message.slice(0, 2000) || kind,
		stack: extra.stack?.slice(0, 16000) ?? null,
		reason: extra.reason?.slice(0, 500) ?? null,
		comment: extra.comment?.slice(0, 2000) ?? null,
		appVersion: version.slice(0, 64),
		userAgent: navigator.userAgent.slice(0, 512),
		url: location.pathname.slice(0, 500),
		occurredAt: new Date().toISOString(),
		device: device(),
		logs: recentLines().slice(-200),
		stats: extra.stats ?? null
	};
	try {
		const items = await allItems();
		if (items.length >= MAX_ITEMS) for (const old of items.sort((a, b) => a.nextAt - b.nextAt).slice(0, items.length - MAX_ITEMS + 1)) await deleteItem(old.id);
		await putItem({ id, report: body, attempts: 0, nextAt: Date.now() });
	} catch (e) {
		// IndexedDB unavailable (private mode, quota): try to send at once instead.
		originalWarn('reports: outbox unavailable', e);
		await send({ id, report: body, attempts: 0, nextAt: 0 });
		return id;
	}
	void flush();
	return id;
}

/** Send one item; true when it can leave the outbox. */
async function send(item: OutboxItem): Promise<boolean> {
	try {
		const res = await fetch('/api/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(item.report), credentials: 'same-origin' });
		if (res.status === 202) return true;
		// Refused for good (malformed, too large): sending again cannot help.
		if (res.status === 400 || res.status === 413 || res.status === 415) {
			originalWarn('reports: refused', res.status, await res.text());
			return true;
		}
		return false; // 401 (signed out), 403, 429, 5xx: keep and retry.
	} catch {
		return false; // offline or unreachable
	}
}

/** Send everything due in the outbox, one at a time. Concurrent calls share one run. */
export function flush(): Promise<void> {
	flushing ??= (async () => {
		try {
			const items = (await allItems()).sort((a, b) => a.nextAt - b.nextAt);
			for (const item of items) {
				if (item.nextAt > Date.now()) continue;
				if (await send(item)) await deleteItem(item.id);
				else {
					item.attempts += 1;
					// Exponential backoff, 2 s to 10 min, with jitter so kiosks do not retry in step.
					item.nextAt = Date.now() + Math.min(600_000, 2_000 * 2 ** Math.min(item.attempts, 9)) * (0.75 + Math.random() / 2);
					await putItem(item);
				}
			}
		} catch (e) {
			originalWarn('reports: flush failed', e);
		} finally {
			flushing = null;
			void schedule();
		}
	})();
	return flushing;
}

async function schedule(): Promise<void> {
	if (timer) clearTimeout(timer);
	timer = null;
	const items = await allItems().catch(() => []);
	if (!items.length) return;
	const next = Math.min(...items.map((i) => i.nextAt));
	timer = setTimeout(() => void flush(), Math.max(1_000, next - Date.now()));
}

let originalWarn: (...a: unknown[]) => void = (...a) => console.warn(...a);

/** Start capturing (once per page). */
export function startCapture(appVersion: string): void {
	if (started || typeof window === 'undefined') return;
	started = true;
	version = appVersion;
	const warn = console.warn.bind(console);
	const err = console.error.bind(console);
	originalWarn = warn;
	console.warn = (...a: unknown[]) => {
		logLine(`[warn] ${a.map(describe).join(' ')}`);
		warn(...a);
	};
	console.error = (...a: unknown[]) => {
		logLine(`[error] ${a.map(describe).join(' ')}`);
		err(...a);
	};
	window.addEventListener('error', (e) => {
		const error = e.error as unknown;
		void report('error', error instanceof Error ? `${error.name}: ${error.message}` : e.message || 'Script error', {
			stack: error instanceof Error ? error.stack : `${e.filename}:${e.lineno}:${e.colno}`
		});
	});
	window.addEventListener('unhandledrejection', (e) => {
		const r = e.reason as unknown;
		void report('unhandled_rejection', describe(r), { stack: r instanceof Error ? r.stack : null });
	});
	window.addEventListener('concierge:problem', (e) => {
		const d = (e as CustomEvent<ProblemDetail>).detail;
		if (!d || typeof d.message !== 'string') return;
		const kind = (['livekit_disconnect', 'media_error', 'call_error'] as const).includes(d.kind) ? d.kind : 'call_error';
		logLine(`[problem] ${kind} ${d.message}${d.reason ? ` (${d.reason})` : ''}`);
		void report(kind, d.message, { reason: d.reason, stats: d.stats });
	});
	window.addEventListener('concierge:log', (e) => {
		const d = (e as CustomEvent<unknown>).detail;
		if (typeof d === 'string') logLine(d);
	});
	window.addEventListener('online', () => void flush());
	void flush();
}
