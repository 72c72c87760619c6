/**
 * A stored report as the console pages show it: only plain strings and lists of
 * strings. Pages get their data through devalue, which refuses some objects (one
 * holding a "__proto__" key, say); a stored body is whatever a kiosk sent, so it
 * is never handed to a page as an object. Device details and connection
 * statistics arrive pre-serialised as JSON text, and every field is type-checked
 * again here, so one odd row (an old one, or one written by hand) cannot make a
 * whole report group unreadable.
 */

export interface ReportView {
	message: string;
	reason: string | null;
	comment: string | null;
	appVersion: string;
	userAgent: string;
	url: string | null;
	occurredAt: string | null;
	stack: string | null;
	/** JSON text, indented for reading. */
	device: string;
	/** JSON text, indented for reading; null when the report had none. */
	stats: string | null;
	logs: string[];
}

const str = (v: unknown): string | null =>
	typeof v === 'string' ? v : v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v as number | boolean | bigint);

function pretty(v: unknown, indent: number): string {
	try {
		return JSON.stringify(v, null, indent) ?? 'null';
	} catch {
		// Circular or too deep to print: nothing a stored JSON value should be, but never a failed page.
		return '(could not be shown)';
	}
}

/** The page-safe view of one stored report body (parsed jsonb, of any shape). */
export function toReportView(body: unknown): ReportView {
	const o = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
	const own = (k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
	const logs = own('logs');
	const stats = own('stats');
	return {
		message: str(own('message')) ?? '',
		reason: str(own('reason')),
		comment: str(own('comment')),
		appVersion: str(own('appVersion')) ?? '',
		userAgent: str(own('userAgent')) ?? '',
		url: str(own('url')),
		occurredAt: str(own('occurredAt')),
		stack: str(own('stack')),
		device: pretty(own('device') ?? {}, 1),
		stats: stats === undefined || stats === null ? null : pretty(stats, 2),
		logs: Array.isArray(logs) ? logs.map((l) => str(l) ?? '') : []
	};
}
