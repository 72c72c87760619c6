/**
 * Structured log lines (one JSON object per line) for platform code. `area` says
 * which part wrote it; errors carry their stack, so a log line is enough to diagnose.
 */
export function logInfo(area: string, msg: string, fields: Record<string, unknown> = {}): void {
	console.log(JSON.stringify({ level: 'info', area, msg, ...fields }));
}

export function logError(area: string, msg: string, error: unknown, fields: Record<string, unknown> = {}): void {
	console.error(JSON.stringify({ level: 'error', area, msg, ...fields, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
}
